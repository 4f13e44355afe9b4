/**
 * The harness on web services (docs/web-services.md): as a supplier it calls the router's
 * gateway over HTTPS with the client certificate a case chooses (its role's, one from the
 * router's CA that no end point lists, one from another CA, or none); as a web-service end point
 * (one with `delivery.url`) it listens on that URL with the end point's certificate, requiring
 * a client certificate from the router's CA, records each call in the mailroom (the DE as the
 * body, the SOAP and HTTP headers as headers) and answers as the case's `serve` step says.
 * Certificates come from a folder `itk-router certs` made (ca.crt, <end point id>.crt/.key);
 * the unlisted and the foreign ones are made here with the same tool, in a temporary folder.
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { DEFAULT_LIMITS } from '../../router/04-validation/safety.js';
import { readSoapCall } from '../../router/11-web-services/soap-call.js';
import { simpleMessageResponse, soapFault } from '../../router/11-web-services/soap-messages.js';
import type { FaultCode } from '../../router/11-web-services/soap-names.js';
import { certificateKey } from '../../router/01-config/routes-config.js';
import { makeCerts } from '../sandbox/make-certs.js';
import type { EndpointView } from './bindings.js';
import { HarnessError } from './harness-error.js';
import type { Mailroom } from './mailroom.js';
import type { CallCertificate, EndpointAnswer } from './model.js';
import type { Target } from './target.js';

/** The CN of the certificate no end point lists (made from the router's CA by the harness). */
export const UNLISTED_CN = 'harness-unlisted';

export interface CallOutcome {
  /** The HTTP answer, when there was one. */
  readonly status?: number;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** No HTTP answer: why (the TLS or connection error). */
  readonly error?: string;
  /** Whether a TCP connection to the gateway was made (so a missing answer is a refusal). */
  readonly connected: boolean;
}

interface KeyPair {
  readonly cert: Buffer;
  readonly key: Buffer;
}

const read = (file: string) => fs.readFileSync(file);

/** The answer a played end point gives: the HTTP status and body. */
export function answerOf(
  a: EndpointAnswer,
  call: { readonly service: string; readonly messageId: string },
  username: string,
  now: Date,
): { status: number; body: string; label: string } {
  if ('fault' in a) {
    return {
      status: a.status ?? 500,
      body: soapFault({
        code: a.fault as FaultCode,
        diagnostic: 'refused on demand by the harness (serve step)',
        relatesTo: call.messageId,
      }),
      label: `fault ${a.fault}`,
    };
  }
  if (a.status === 200)
    return {
      status: 200,
      body: simpleMessageResponse({
        service: call.service,
        relatesTo: call.messageId,
        username,
        now,
      }),
      label: '200',
    };
  return { status: a.status, body: '', label: String(a.status) };
}

/** The next answer of a script (the last one repeats); gives back the script left. */
export function nextAnswer(script: readonly EndpointAnswer[]): {
  answer: EndpointAnswer;
  rest: readonly EndpointAnswer[];
} {
  const answer = script[0] ?? { status: 200 };
  return { answer, rest: script.length > 1 ? script.slice(1) : script };
}

class PlayedEndpoint {
  script: readonly EndpointAnswer[] = [{ status: 200 }];
  private server?: https.Server;

  constructor(
    readonly view: EndpointView,
    readonly url: URL,
  ) {}

  async start(pair: KeyPair, ca: Buffer, mail: Mailroom): Promise<void> {
    const username = this.view.identity;
    const server = https.createServer(
      { ...pair, ca, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          const soapAction = req.headers['soapaction'];
          const contentType = req.headers['content-type'];
          const gate = readSoapCall(
            {
              body,
              contentType,
              soapAction: Array.isArray(soapAction) ? soapAction[0] : soapAction,
            },
            { limits: DEFAULT_LIMITS, clockSkewMs: 5 * 60_000, now: new Date() },
          );
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          const cn = (peer.subject as Record<string, unknown> | undefined)?.CN;
          const http = {
            'http-method': req.method ?? '',
            'http-path': req.url ?? '',
            // unquoted, as the gate reads it (quotes allowed)
            SOAPAction: String(soapAction ?? '').replace(/^\s*"(.*)"\s*$/, '$1'),
            'http-content-type': String(contentType ?? ''),
            'tls-client-cn': String(cn ?? ''),
          };
          if (!gate.ok) {
            // a request that breaks the contract: recorded as sent, answered with the fault
            const fault = soapFault(gate.refusal);
            mail.add({
              where: this.view.id,
              queue: `POST ${this.url.href}`,
              body,
              properties: { transport: 'https', answered: 500 },
              headers: { ...http, 'gate-refusal': gate.refusal.diagnostic },
            });
            res.writeHead(500, { 'Content-Type': 'text/xml; charset=utf-8' }).end(fault);
            return;
          }
          const call = gate.call;
          const { answer, rest } = nextAnswer(this.script);
          this.script = rest;
          const reply = answerOf(answer, call, username, new Date());
          mail.add({
            where: this.view.id,
            queue: `POST ${this.url.href}`,
            body: Buffer.from(call.de, 'utf8'),
            properties: { transport: 'https', answered: reply.status },
            headers: {
              ...http,
              'wsa:MessageID': call.messageId,
              'wsa:Action': call.action,
              'wsa:To': call.to,
              ...(call.from ? { 'wsa:From': call.from } : {}),
              'wsse:Username': call.username,
              'wsu:Created': call.created.toISOString(),
              'wsu:Expires': call.expires.toISOString(),
              answer: reply.label,
            },
          });
          res
            .writeHead(reply.status, {
              ...(reply.body ? { 'Content-Type': 'text/xml; charset=utf-8' } : {}),
              'Content-Length': Buffer.byteLength(reply.body),
            })
            .end(reply.body);
        });
      },
    );
    const port = Number(this.url.port || 443);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(
          new HarnessError(
            `cannot play web-service end point ${this.view.id} at ${this.url.href} (its delivery.url): ${err.message}`,
            { cause: err },
          ),
        ),
      );
      server.listen(port, this.url.hostname.replace(/^\[|\]$/g, ''), () => resolve());
    });
    this.server = server;
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

export class WebSession {
  private readonly played = new Map<string, PlayedEndpoint>();
  private readonly made = new Map<string, KeyPair>();
  private scratch?: string;

  private constructor(
    private readonly target: Target,
    private readonly mail: Mailroom,
  ) {}

  get gateway(): string | undefined {
    return this.target.gateway;
  }

  /** Starts the end point servers of the web-service end points the harness plays. */
  static async open(target: Target, endpoints: readonly EndpointView[], mail: Mailroom) {
    const session = new WebSession(target, mail);
    try {
      for (const view of endpoints) {
        if (!view.url) continue;
        const certs = target.certsDir;
        if (!certs)
          throw new HarnessError(
            `end point ${view.id} is called by web service (${view.url}): give --certs <dir> with ca.crt and ${view.id}.crt/.key`,
          );
        const played = new PlayedEndpoint(view, new URL(view.url));
        await played.start(session.ownPair(view.id), read(path.join(certs, 'ca.crt')), mail);
        session.played.set(view.id, played);
      }
      return session;
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  /** Whether the harness plays this end point on web services. */
  plays(endpointId: string): boolean {
    return this.played.has(endpointId);
  }

  /** Every played end point answers 200 again (a case starts). */
  reset(): void {
    for (const p of this.played.values()) p.script = [{ status: 200 }];
  }

  serve(endpointId: string, answers: readonly EndpointAnswer[]): void {
    const played = this.played.get(endpointId);
    if (!played) throw new HarnessError(`the harness does not play ${endpointId} on web services`);
    played.script = answers.length > 0 ? answers : [{ status: 200 }];
  }

  /**
   * Why a certificate cannot be had in this run, or undefined: the unlisted one needs the
   * router's CA key; another CA's is made with openssl when a call needs it.
   */
  certificateProblem(kind: CallCertificate): string | undefined {
    if (kind !== 'unlisted') return undefined;
    const dir = this.target.certsDir;
    if (!dir || !fs.existsSync(path.join(dir, 'ca.key')))
      return "a certificate no end point lists is made from the router's CA key: ca.key in --certs";
    if (this.target.table.certificates.has(certificateKey(UNLISTED_CN)))
      return `an end point lists ${UNLISTED_CN}: it is not unlisted`;
    return undefined;
  }

  private ownPair(id: string): KeyPair {
    const dir = this.target.certsDir;
    if (!dir) throw new HarnessError('no certificates folder (--certs)');
    const cert = path.join(dir, `${id}.crt`);
    const key = path.join(dir, `${id}.key`);
    if (!fs.existsSync(cert) || !fs.existsSync(key))
      throw new HarnessError(
        `no certificate for ${id} in ${dir} (itk-router certs --out ${dir} ${id})`,
      );
    return { cert: read(cert), key: read(key) };
  }

  private scratchDir(): string {
    this.scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'itk-harness-certs-'));
    return this.scratch;
  }

  /** The key pair a call presents (made once per run when it is not the role's own). */
  pair(kind: CallCertificate, endpointId: string): KeyPair | undefined {
    if (kind === 'none') return undefined;
    if (kind === 'own') return this.ownPair(endpointId);
    const cacheKey = kind === 'unlisted' ? kind : `${kind}:${endpointId}`;
    const cached = this.made.get(cacheKey);
    if (cached) return cached;
    let pair: KeyPair;
    if (kind === 'unlisted') {
      const problem = this.certificateProblem(kind);
      if (problem) throw new HarnessError(problem);
      const dir = this.target.certsDir!;
      const out = path.join(this.scratchDir(), 'unlisted');
      fs.mkdirSync(out, { recursive: true });
      for (const f of ['ca.crt', 'ca.key']) fs.copyFileSync(path.join(dir, f), path.join(out, f));
      makeCerts(out, [UNLISTED_CN]);
      pair = {
        cert: read(path.join(out, `${UNLISTED_CN}.crt`)),
        key: read(path.join(out, `${UNLISTED_CN}.key`)),
      };
    } else {
      // another CA, the role's own name: only the CA tells it from the real one
      const out = path.join(this.scratchDir(), `foreign-${endpointId}`);
      makeCerts(out, [endpointId]);
      pair = {
        cert: read(path.join(out, `${endpointId}.crt`)),
        key: read(path.join(out, `${endpointId}.key`)),
      };
    }
    this.made.set(cacheKey, pair);
    return pair;
  }

  /** POSTs a request to the gateway over a connection of its own, presenting `pair`. */
  call(
    body: Buffer,
    headers: Readonly<Record<string, string>>,
    pair: KeyPair | undefined,
    timeoutMs: number,
  ): Promise<CallOutcome> {
    const gateway = this.target.gateway;
    if (!gateway) throw new HarnessError("the router's gateway URL is not known (--gateway)");
    const dir = this.target.certsDir;
    if (!dir) throw new HarnessError('no certificates folder (--certs)');
    const ca = read(path.join(dir, 'ca.crt'));
    return new Promise((resolve) => {
      let connected = false;
      let done = false;
      const finish = (o: Omit<CallOutcome, 'connected'>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({ ...o, connected });
      };
      const req = https.request(gateway, {
        method: 'POST',
        agent: false,
        ca,
        ...(pair ?? {}),
        headers: { ...headers, 'Content-Length': String(body.length) },
      });
      const timer = setTimeout(
        () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.on('socket', (socket) => socket.once('connect', () => (connected = true)));
      req.on('error', (err: NodeJS.ErrnoException) =>
        finish({
          body: Buffer.alloc(0),
          headers: {},
          error: `${err.code ?? 'error'}: ${err.message}`,
        }),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) =>
          finish({ body: Buffer.concat(chunks), headers: {}, error: err.message }),
        );
        res.on('end', () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) h[`http-${k}`] = Array.isArray(v) ? v.join(', ') : v;
          finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: h });
        });
      });
      req.end(body);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.played.values()].map((p) => p.close()));
    this.played.clear();
    if (this.scratch) fs.rmSync(this.scratch, { recursive: true, force: true });
  }
}
