/**
 * The router's HTTPS client for one web-service end point: POSTs a SOAP request over a keep-alive
 * connection, presenting the router's certificate and trusting the configured CA, and returns
 * the status and at most {@link MAX_ANSWER_BYTES} + 1 bytes of the answer. Rejects on a
 * connection error, a TLS failure or the timeout (the whole call, connecting included).
 */
import https from 'node:https';
import { MAX_ANSWER_BYTES } from './delivery-outcome.js';

export interface CallerOptions {
  readonly url: string;
  readonly timeoutMs: number;
  /** Calls in flight at once (sockets kept open). */
  readonly concurrency: number;
  /** PEM: the CA to trust the end point's server by, and the router's certificate and key. */
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

export interface HttpsCaller {
  post(body: Buffer, soapAction: string): Promise<HttpAnswer>;
  close(): void;
}

export function createHttpsCaller(o: CallerOptions): HttpsCaller {
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: o.concurrency,
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.cert ? { cert: o.cert } : {}),
    ...(o.key ? { key: o.key } : {}),
  });
  const url = new URL(o.url);
  return {
    post: (body, soapAction) =>
      new Promise<HttpAnswer>((resolve, reject) => {
        const req = https.request(url, {
          method: 'POST',
          agent,
          headers: {
            'Content-Type': 'text/xml; charset=utf-8',
            SOAPAction: `"${soapAction}"`,
            'Content-Length': body.length,
          },
        });
        const timer = setTimeout(
          () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)),
          o.timeoutMs,
        );
        req.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size > MAX_ANSWER_BYTES) return; // read on, keep nothing more
            size += chunk.length;
            chunks.push(chunk);
          });
          res.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
          });
        });
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
