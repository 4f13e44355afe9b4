/**
 * Signing in and out: `POST /api/v1/session` (JSON only, so a cross-site form cannot post it)
 * checks the password, throttled per client; the answer carries the CSRF token the browser must
 * send with every change. Wrong name and wrong password answer the same.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from './api-error.js';
import { schema, SESSION_ANSWER, SESSION_BODY } from './api-schemas.js';
import { audit } from './audit-trail.js';
import { NO_USERS, SESSION_COOKIE } from './auth.js';
import { cookieHeader } from './cookies.js';
import type { HttpDeps } from './http-deps.js';
import { verifyPassword } from './password-hash.js';

export function registerSession(app: FastifyInstance, deps: HttpDeps): void {
  const answer = (user: string, role: string, csrfToken: string | null) => ({
    user,
    role,
    csrfToken,
    idleSeconds: deps.sessions.idleSeconds,
  });

  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/session',
    { config: { access: 'open' }, schema: schema({ body: SESSION_BODY }, SESSION_ANSWER) },
    async (req, reply: FastifyReply) => {
      const { username, password } = req.body;
      const view = deps.users.current();
      if (view.users.length === 0) throw new ApiError('no-users', view.problem ?? NO_USERS);
      const verdict = deps.throttle.verdict(req.ip);
      if (!verdict.allowed)
        throw new ApiError(
          'too-many-attempts',
          `too many failed sign-ins from ${req.ip}: try again in ${verdict.retryAfterSeconds} s`,
          { 'retry-after': String(verdict.retryAfterSeconds) },
        );
      if (verdict.delayMs > 0) await sleep(verdict.delayMs);
      const user = view.users.find((u) => u.name === username);
      if (!(await verifyPassword(password, user?.password)) || !user) {
        deps.throttle.failed(req.ip);
        await audit(deps, req, { action: 'sign-in-refused', actor: username, outcome: 'refused' });
        throw new ApiError('not-signed-in', 'wrong user name or password');
      }
      deps.throttle.succeeded(req.ip);
      const session = deps.sessions.create(user.name);
      req.principal = { name: user.name, role: user.role, via: 'session', session };
      await audit(deps, req, { action: 'sign-in' });
      void reply.header(
        'set-cookie',
        cookieHeader(SESSION_COOKIE, session.id, { secure: req.protocol === 'https' }),
      );
      return answer(user.name, user.role, session.csrfToken);
    },
  );

  app.get(
    '/api/v1/session',
    { config: { access: 'viewer' }, schema: schema({}, SESSION_ANSWER) },
    async (req) => {
      const p = req.principal!;
      return answer(p.name, p.role, p.session?.csrfToken ?? null);
    },
  );

  app.delete('/api/v1/session', { config: { access: 'viewer' } }, async (req, reply) => {
    const p = req.principal!;
    if (p.session) deps.sessions.end(p.session.id);
    await audit(deps, req, { action: 'sign-out' });
    void reply.header(
      'set-cookie',
      cookieHeader(SESSION_COOKIE, '', { secure: req.protocol === 'https', maxAge: 0 }),
    );
    return reply.code(204).send();
  });
}
