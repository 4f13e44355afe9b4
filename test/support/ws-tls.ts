/**
 * TLS for the web-service tests: development certificates made with `itk-router certs`' own code
 * (the openssl binary) in a temp folder, a client that POSTs a SOAP call with a chosen client
 * certificate, and a test HTTPS server standing in for a web-service end point.
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { makeCerts } from '../../src/tools/sandbox/make-certs.js';
import { postAndRead } from '../../src/tools/sandbox/soap-client.js';

export interface CertDir {
  readonly dir: string;
  file(name: string, ext: 'crt' | 'key'): string;
  read(name: string, ext: 'crt' | 'key'): Buffer;
  remove(): void;
}

/** A temp folder with a CA, `router` and a certificate per name. */
export function makeTestCerts(names: readonly string[]): CertDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-ws-certs-'));
  makeCerts(dir, names);
  const file = (name: string, ext: 'crt' | 'key') => path.join(dir, `${name}.${ext}`);
  return {
    dir,
    file,
    read: (name, ext) => fs.readFileSync(file(name, ext)),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The body of an end point's 200 answer. */
export const OK_BODY =
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><itk:SimpleMessageResponse xmlns:itk="urn:nhs-itk:ns:201005">OK</itk:SimpleMessageResponse></soap:Body></soap:Envelope>';

/**
 * The `webServices` block of a test router's router.yaml: the gateway on loopback (`port` 0: a free
 * one) with these certificates; `more` are further keys of the block, e.g. `clockSkew: 5m`.
 */
export function webServicesYaml(certs: CertDir, more: readonly string[] = [], port = 0): string {
  return [
    'webServices:',
    `  port: ${port}`,
    '  host: 127.0.0.1',
    '  tls:',
    `    cert: ${certs.file('router', 'crt')}`,
    `    key: ${certs.file('router', 'key')}`,
    `    ca: ${certs.file('ca', 'crt')}`,
    ...more.map((line) => `  ${line}`),
  ].join('\n');
}

export interface Answer {
  readonly status: number;
  readonly body: string;
  /** Answer this long after the call arrived (a call in flight, for tests that reload meanwhile). */
  readonly delayMs?: number;
}

/** POSTs `body` to `url`, trusting `ca`, presenting `client` (cert and key) when given. */
export function post(
  url: string,
  body: string | Buffer,
  o: {
    readonly ca: Buffer;
    readonly client?: { readonly cert: Buffer; readonly key: Buffer };
    readonly soapAction?: string;
    readonly contentType?: string;
  },
): Promise<Answer> {
  return postAndRead(url, body, {
    agent: false,
    ca: o.ca,
    ...(o.client ?? {}),
    headers: {
      'Content-Type': o.contentType ?? 'text/xml; charset=utf-8',
      ...(o.soapAction !== undefined ? { SOAPAction: `"${o.soapAction}"` } : {}),
    },
  });
}

export interface ReceivedCall {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The client certificate's subject CN. */
  readonly clientCn: string | undefined;
}

/** A stand-in web-service end point: answers each call with the next scripted answer (then 200 OK). */
export interface TestEndpointServer {
  readonly url: string;
  readonly calls: ReceivedCall[];
  /** Answers for the next calls, in order; `'drop'` destroys the connection without answering. */
  script(...answers: (Answer | 'drop')[]): void;
  close(): Promise<void>;
}

export async function startTestEndpoint(certs: CertDir, name: string): Promise<TestEndpointServer> {
  const calls: ReceivedCall[] = [];
  let answers: (Answer | 'drop')[] = [];
  const server = https.createServer(
    {
      cert: certs.read(name, 'crt'),
      key: certs.read(name, 'key'),
      ca: certs.read('ca', 'crt'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        calls.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          clientCn: peer.subject?.CN as string | undefined,
        });
        const next = answers.shift() ?? {
          status: 200,
          body: OK_BODY,
        };
        if (next === 'drop') {
          req.socket.destroy();
          return;
        }
        const answer = () =>
          res.writeHead(next.status, { 'Content-Type': 'text/xml; charset=utf-8' }).end(next.body);
        if (next.delayMs) setTimeout(answer, next.delayMs);
        else answer();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/itk`,
    calls,
    script: (...next) => {
      answers = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
