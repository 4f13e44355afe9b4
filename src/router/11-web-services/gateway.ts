/**
 * The web-service gateway: an HTTPS listener of its own (not the ops HTTP server) that requires
 * a client certificate chaining to `webServices.tls.ca` (no certificate, or one from another CA,
 * fails the TLS handshake), takes SOAP calls on `webServices.path`, reads at most the message
 * size limit, and answers what accept-call.ts decides. Node's own `https`: one route, raw bytes.
 *
 * The client certificate is read once per TLS connection, when the handshake completes, not per
 * call (Node's getPeerCertificate builds a fresh object each time: ~50 µs a call over keep-alive);
 * renegotiation is refused on the connection, so its certificate cannot change afterwards. Which
 * end point that certificate proves is still decided per call, with the routes in force.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { PeerFacts } from './client-identity.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptCall, type GatewayDeps, type HttpReply } from './accept-call.js';
import { peerFacts } from './client-identity.js';
import { soapFault } from './soap-messages.js';

export interface GatewayOptions {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** PEM: the router's certificate and key, and the CA client certificates must chain to. */
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

export interface RunningGateway {
  readonly port: number;
  close(): Promise<void>;
}

const send = (res: ServerResponse, reply: HttpReply, close = false) => {
  res.writeHead(reply.status, {
    ...(reply.body ? { 'Content-Type': 'text/xml; charset=utf-8' } : {}),
    'Content-Length': Buffer.byteLength(reply.body),
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(reply.body);
};

export async function startGateway(
  options: GatewayOptions,
  deps: GatewayDeps,
): Promise<RunningGateway> {
  const max = deps.limits.maxMessageBytes;
  const tooBig = (size: string) =>
    soapFault({
      code: '1000',
      diagnostic: `the message is ${size} bytes, over the limit of ${max} bytes`,
    });
  /** The client certificate of each TLS connection, read once at its handshake. */
  const peers = new WeakMap<TLSSocket, PeerFacts>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'https://gateway').pathname;
    if (path !== options.path) {
      res
        .writeHead(404, { 'Content-Type': 'text/plain' })
        .end(`POST SOAP calls to ${options.path}\n`);
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' }).end('POST only\n');
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > max) {
      deps.metrics?.inbound('fault', '1000');
      send(res, { status: 500, body: tooBig(String(declared)) }, true);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > max) {
        deps.metrics?.inbound('fault', '1000');
        send(res, { status: 500, body: tooBig(`at least ${size}`) }, true);
        return;
      }
      const soapAction = req.headers['soapaction'];
      const socket = req.socket as TLSSocket;
      acceptCall(deps, {
        peer: peers.get(socket) ?? peerFacts(socket.getPeerCertificate()),
        body: Buffer.concat(chunks),
        contentType: req.headers['content-type'],
        soapAction: Array.isArray(soapAction) ? soapAction[0] : soapAction,
      }).then(
        (reply) => send(res, reply),
        (err: unknown) => {
          deps.log.error('web-service call failed', { error: (err as Error).message });
          send(res, {
            status: 500,
            body: soapFault({ code: '2200', diagnostic: 'the router failed to process the call' }),
          });
        },
      );
    });
  };
  const server = https.createServer(
    {
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      requestCert: true,
      rejectUnauthorized: true,
    },
    handle,
  );
  // Keep-alive connections stay open 65 s idle, not Node's 5 s: a supplier's connection pool that
  // reuses a connection the server is closing at that moment sees its call fail ("socket hang
  // up"); pools commonly keep idle connections up to a minute. Headers must come within 66 s.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('secureConnection', (socket: TLSSocket) => {
    // TLS 1.2 renegotiation could present another certificate on this connection: refused.
    socket.disableRenegotiation();
    peers.set(socket, peerFacts(socket.getPeerCertificate()));
  });
  server.on('tlsClientError', (err) => {
    deps.log.info('web-service TLS handshake refused', { error: err.message });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
