/**
 * The router's HTTP surface on Fastify: `/healthz`, `/readyz`, `/metrics` open as before; the
 * JSON API under `/api/v1/` and the console under `/console/`, signed in. Every route declares
 * what it needs (`config.access`): a route without it stops the server from starting, so none
 * can be added unchecked. The API's answers have JSON Schemas (api-schemas.ts).
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { withTimeout } from '../../00-common/with-timeout.js';
import { ApiError, errorBody } from './api-error.js';
import { registerApi } from './api-routes.js';
import { authorise, type Principal } from './auth.js';
import type { HttpDeps } from './http-deps.js';
import { errorPage, registerPages } from './pages/page-routes.js';
import type { Access } from './roles.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs: a role, or `open`. */
    access?: Access;
    /** A page: when not signed in, send the browser to the sign-in page instead of a 401. */
    page?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The longest any endpoint takes to answer (503 past it). */
export const ANSWER_TIMEOUT_MS = 5000;

export interface DeclaredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route the server has, with what it needs (the route × role test walks them). */
export const declaredRoutes = (app: FastifyInstance): readonly DeclaredRoute[] =>
  declared.get(app) ?? [];

export interface HttpOptions {
  /** TLS key and certificate (PEM): the server speaks HTTPS. */
  readonly https?: { readonly key: Buffer; readonly cert: Buffer };
  /** Believe X-Forwarded-For / -Proto from these proxies (Fastify's trustProxy). */
  readonly trustProxy?: boolean | string | readonly string[];
}

export function buildHttpApp(deps: HttpDeps, options: HttpOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
    ...(options.https && { https: options.https }),
    logger: false,
    exposeHeadRoutes: false,
    bodyLimit: 64 * 1024,
    // Every endpoint answers within ANSWER_TIMEOUT_MS; requestTimeout guards slow clients.
    requestTimeout: 30_000,
  } as FastifyServerOptions) as unknown as FastifyInstance;
  app.decorateRequest('principal', null);
  const routes: DeclaredRoute[] = [];
  declared.set(app, routes);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined)
      throw new Error(
        `route ${String(route.method)} ${route.url} declares no access (config.access)`,
      );
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, access });
  });
  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config.access;
    if (access === undefined) return; // not found: the not-found handler decides
    try {
      req.principal = authorise(req, access, deps.users, deps.sessions, deps.now()) ?? null;
    } catch (err) {
      if (req.routeOptions.config.page && err instanceof ApiError && err.status === 401) {
        const next = encodeURIComponent(req.url);
        return reply.redirect(`/console/sign-in?next=${next}`, 303);
      }
      throw err;
    }
  });
  // nothing the server answers is kept by a browser or a proxy (stories, bodies, care plans)
  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });
  app.setErrorHandler((err: Error & { validation?: unknown; statusCode?: number }, req, reply) => {
    if (err instanceof ApiError && req.routeOptions.config.page)
      return reply
        .code(err.status)
        .type('text/html; charset=utf-8')
        .send(errorPage({ title: 'Not available', principal: req.principal }, err.message).text);
    if (err instanceof ApiError)
      return reply.code(err.status).headers(err.headers).send(errorBody(err.code, err.message));
    if (err.validation) return reply.code(400).send(errorBody('invalid-request', err.message));
    if (err.statusCode && err.statusCode < 500)
      return reply.code(err.statusCode).send(errorBody('invalid-request', err.message));
    deps.log.error('HTTP request failed', { url: req.url, error: err.message });
    return reply.code(500).send(errorBody('failed', err.message));
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    if (path.startsWith('/api/') || path.startsWith('/console')) {
      // unknown paths there are not found for a signed-in caller, unauthorised for anyone else
      authorise(req, 'viewer', deps.users, deps.sessions, deps.now());
      return reply.code(404).send(errorBody('not-found', `no such path: ${path}`));
    }
    return reply
      .code(404)
      .type('text/plain; charset=utf-8')
      .send('not found: try /healthz, /readyz, /metrics, /api/v1/ or /console/\n');
  });
  registerOpen(app, deps);
  registerApi(app, deps);
  registerPages(app, deps);
  return app;
}

const guarded = <T>(work: Promise<T>, what: string): Promise<T> =>
  withTimeout(work, ANSWER_TIMEOUT_MS, what);

function registerOpen(app: FastifyInstance, deps: HttpDeps): void {
  const open = { config: { access: 'open' as const } };
  const text = 'text/plain; charset=utf-8';
  app.get('/healthz', open, async (_req, reply) => reply.type(text).send('ok\n'));
  app.get('/readyz', open, async (_req, reply) => {
    const problem = await guarded(deps.ready(), '/readyz').catch((err: Error) => err.message);
    return problem
      ? reply.code(503).type(text).send(`not ready: ${problem}\n`)
      : reply.type(text).send('ready\n');
  });
  app.get('/metrics', open, async (_req, reply) => {
    const body = await guarded(deps.registry.metrics(), '/metrics').catch((err: Error) => {
      throw new ApiError('unavailable', err.message);
    });
    return reply.type(deps.registry.contentType).send(body);
  });
}
