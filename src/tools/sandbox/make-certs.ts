/**
 * Development certificates for ITK web services (`itk-router certs`): a local CA, a certificate
 * for the router (server and client, CN `itk-router`, names localhost and 127.0.0.1) and one per
 * named end point (CN = the end point id, client and server, so a simulated end point can listen
 * with it too). Made with the `openssl` binary (Debian's `openssl` package; on the CI machines and
 * in every usual Linux and macOS install): EC P-256 keys, 825 days. Files already in the folder are
 * kept (a CA made earlier signs the new certificates), so end points can be added later.
 * Production certificates come from the operator's own PKI.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** openssl req arguments for a new unencrypted P-256 key (the CA's and each certificate's). */
const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export const CA_NAME = 'ca';
export const ROUTER_NAME = 'router';

export interface MadeFile {
  readonly file: string;
  readonly made: boolean;
}

export class CertsError extends Error {
  override readonly name = 'CertsError';
}

const ID = /^[a-z0-9-]+$/;

function openssl(dir: string, args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') {
      throw new CertsError(
        'itk-router certs needs the openssl binary, which is not installed (Debian: apt-get install openssl)',
      );
    }
    throw new CertsError(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
}

const exists = (dir: string, name: string) =>
  fs.existsSync(path.join(dir, `${name}.crt`)) && fs.existsSync(path.join(dir, `${name}.key`));

/** Makes what is missing in `dir`; returns every certificate file with whether it was made now. */
export function makeCerts(dir: string, endpointIds: readonly string[]): MadeFile[] {
  for (const id of endpointIds) {
    if (!ID.test(id))
      throw new CertsError(`${JSON.stringify(id)} is not an end point id ([a-z0-9-]+)`);
    if (id === CA_NAME || id === ROUTER_NAME) {
      throw new CertsError(
        `${id} is the name of the ${id === CA_NAME ? 'CA' : "router's"} own files`,
      );
    }
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made: MadeFile[] = [];
  if (!exists(dir, CA_NAME)) {
    openssl(dir, [
      'req',
      '-x509',
      ...NEW_P256_KEY,
      '-keyout',
      `${CA_NAME}.key`,
      '-out',
      `${CA_NAME}.crt`,
      '-days',
      '825',
      '-subj',
      '/CN=itk-router development CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    fs.chmodSync(path.join(dir, `${CA_NAME}.key`), 0o600);
    made.push({ file: path.join(dir, `${CA_NAME}.crt`), made: true });
  } else made.push({ file: path.join(dir, `${CA_NAME}.crt`), made: false });
  for (const name of [ROUTER_NAME, ...endpointIds]) {
    const cn = name === ROUTER_NAME ? 'itk-router' : name;
    if (exists(dir, name)) {
      made.push({ file: path.join(dir, `${name}.crt`), made: false });
      continue;
    }
    const ext = path.join(dir, `${name}.ext`);
    fs.writeFileSync(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyAgreement',
        'extendedKeyUsage=serverAuth,clientAuth',
        'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
        '',
      ].join('\n'),
    );
    try {
      openssl(dir, [
        'req',
        '-new',
        ...NEW_P256_KEY,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${cn}`,
      ]);
      fs.chmodSync(path.join(dir, `${name}.key`), 0o600);
      openssl(dir, [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${CA_NAME}.crt`,
        '-CAkey',
        `${CA_NAME}.key`,
        '-set_serial',
        `0x${randomBytes(16).toString('hex')}`,
        '-days',
        '825',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.crt`,
      ]);
    } finally {
      fs.rmSync(ext, { force: true });
      fs.rmSync(path.join(dir, `${name}.csr`), { force: true });
    }
    made.push({ file: path.join(dir, `${name}.crt`), made: true });
  }
  return made;
}
