/** /healthz (alive), /readyz (broker + store reachable, config loaded), /metrics (Prometheus). */
import http from 'node:http';
import type { Registry } from 'prom-client';
import { withTimeout } from '../00-common/with-timeout.js';

/** The longest any endpoint takes to answer (503 past it). */
export const ANSWER_TIMEOUT_MS = 5000;

export interface HealthChecks {
  /** The routes in force, for `itk-router check --diff`. */
  routes(): unknown;
  /** Resolves when ready; rejects (or returns a reason) when not. */
  ready(): Promise<string | undefined>;
}

export function startHttpServer(
  host: string,
  port: number,
  checks: HealthChecks,
  registry: Registry,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const route = async () => {
      if (req.url === '/healthz') return send(200, 'ok\n');
      if (req.url === '/readyz') {
        const problem = await checks.ready().catch((err: Error) => err.message);
        return problem ? send(503, `not ready: ${problem}\n`) : send(200, 'ready\n');
      }
      if (req.url === '/metrics') return send(200, await registry.metrics(), registry.contentType);
      if (req.url === '/routes')
        return send(200, JSON.stringify(checks.routes()), 'application/json');
      return send(404, 'not found: try /healthz, /readyz, /metrics or /routes\n');
    };
    // Every endpoint answers within ANSWER_TIMEOUT_MS, whatever it waits for (the sources have
    // shorter timeouts of their own; this is the last guard).
    const answered = route().catch((err: Error) => send(500, `${err.message}\n`));
    withTimeout(answered, ANSWER_TIMEOUT_MS, req.url ?? 'request').catch((err: Error) => {
      if (!res.headersSent) send(503, `${err.message}\n`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
