/**
 * The router's HTTP server: `/healthz`, `/readyz`, `/metrics` open, the console and its API signed
 * in (console/http-app.ts). Plain HTTP on 127.0.0.1 by default; HTTPS with `http.tls`; behind a
 * TLS reverse proxy with `http.trustProxy` (docs/console.md, "Deployment behind TLS").
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { HttpConfig } from '../01-config/index.js';
import { buildHttpApp } from './console/http-app.js';
import type { HttpDeps } from './console/http-deps.js';

export { ANSWER_TIMEOUT_MS } from './console/http-app.js';

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Listening; `app.server.address()` says the port. */
export async function startHttpServer(http: HttpConfig, deps: HttpDeps): Promise<FastifyInstance> {
  const app = buildHttpApp(deps, {
    trustProxy: http.trustProxy,
    ...(http.tls && {
      https: {
        cert: readPem(http.tls.cert, 'http.tls.cert'),
        key: readPem(http.tls.key, 'http.tls.key'),
      },
    }),
  });
  try {
    await app.listen({ host: http.host, port: http.port });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}
