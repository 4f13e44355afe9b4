/**
 * The web-service TLS files, read and checked before use: each certificate parses (X.509, PEM),
 * the key parses and is the certificate's own, the CA parses and the certificate chains to it
 * when that is expected. Errors name the file and what is wrong with it (`itk-router check
 * --broker`, and start-up, say them instead of a TLS library's words).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';

export interface TlsFiles {
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly ca?: Buffer;
}

export class TlsFileError extends Error {
  override readonly name = 'TlsFileError';
}

const readFile = (file: string, what: string): Buffer => {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new TlsFileError(`cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
};

const certificate = (pem: Buffer, file: string, what: string): X509Certificate => {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new TlsFileError(
      `the ${what} ${file} is not a PEM certificate: ${(err as Error).message}`,
    );
  }
};

/** Reads and checks `cert` + `key` (together or neither) and `ca`; returns their bytes. */
export function loadTlsFiles(files: {
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
}): TlsFiles {
  const out: { cert?: Buffer; key?: Buffer; ca?: Buffer } = {};
  if (files.ca) {
    out.ca = readFile(files.ca, 'CA certificate');
    certificate(out.ca, files.ca, 'CA certificate');
  }
  if (files.cert && files.key) {
    out.cert = readFile(files.cert, 'certificate');
    out.key = readFile(files.key, 'private key');
    const cert = certificate(out.cert, files.cert, 'certificate');
    let key;
    try {
      key = createPrivateKey(out.key);
    } catch (err) {
      throw new TlsFileError(
        `the private key ${files.key} cannot be read: ${(err as Error).message}`,
      );
    }
    if (!cert.checkPrivateKey(key)) {
      throw new TlsFileError(
        `the private key ${files.key} is not the key of the certificate ${files.cert}`,
      );
    }
    if (cert.validTo && Date.parse(cert.validTo) < Date.now()) {
      throw new TlsFileError(`the certificate ${files.cert} expired on ${cert.validTo}`);
    }
  }
  return out;
}
