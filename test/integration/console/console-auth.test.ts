/**
 * The console's HTTP server on a real SQLite store and real HTTP (no broker: the quarantine is
 * absent, so its routes answer 503 once past the role check): every route × role against the
 * table of docs/console.md, sessions, CSRF, tokens, throttling and the audit rows.
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../src/router/00-common/logger.js';
import type { MessageStore } from '../../../src/router/08-store/message-store.js';
import { openSqliteStore } from '../../../src/router/08-store/sqlite/open-sqlite-store.js';
import { buildHttpApp, declaredRoutes } from '../../../src/router/10-ops/console/http-app.js';
import { startHttpServer } from '../../../src/router/10-ops/http-server.js';
import type { HttpDeps } from '../../../src/router/10-ops/console/http-deps.js';
import { hashPassword } from '../../../src/router/10-ops/console/password-hash.js';
import { allows, ROLES, type Access, type Role } from '../../../src/router/10-ops/console/roles.js';
import { Sessions } from '../../../src/router/10-ops/console/sessions.js';
import {
  REFUSE_FROM,
  SignInThrottle,
} from '../../../src/router/10-ops/console/sign-in-throttle.js';
import {
  addUser,
  issueToken,
  readUsersFile,
  removeUser,
  writeUsersFile,
} from '../../../src/router/10-ops/console/users-file.js';
import { UsersSource } from '../../../src/router/10-ops/console/users-source.js';
import { incoming } from '../../contract/store-fixtures.js';
import { makeTestCerts } from '../../support/ws-tls.js';

/** docs/console.md's table, route by route (and the console's pages, which follow the API). */
const TABLE: Readonly<Record<string, Access>> = {
  'GET /healthz': 'open',
  'GET /readyz': 'open',
  'GET /metrics': 'open',
  'POST /api/v1/session': 'open',
  'GET /api/v1/session': 'viewer',
  'DELETE /api/v1/session': 'viewer',
  'GET /api/v1/messages': 'viewer',
  'GET /api/v1/messages/:trackingId': 'viewer',
  'GET /api/v1/messages/:trackingId/body': 'operator',
  'GET /api/v1/quarantine': 'viewer',
  'POST /api/v1/quarantine/:id/replay': 'operator',
  'DELETE /api/v1/quarantine/:id': 'operator',
  'GET /api/v1/overdue': 'viewer',
  'GET /api/v1/careplans': 'operator',
  'GET /api/v1/routes': 'viewer',
  'GET /routes': 'viewer',
  'GET /api/v1/stats': 'viewer',
  'GET /api/v1/audit': 'admin',
  'GET /api/v1/users': 'admin',
  'GET /console': 'open',
  'GET /console/assets/:file': 'open',
  'GET /console/sign-in': 'open',
  'GET /console/': 'viewer',
  'GET /console/messages': 'viewer',
  'GET /console/messages/:trackingId': 'viewer',
  'GET /console/messages/:trackingId/body': 'operator',
  'GET /console/quarantine': 'viewer',
  'GET /console/overdue': 'viewer',
  'GET /console/careplans': 'operator',
  'GET /console/routes': 'viewer',
  'GET /console/audit': 'admin',
};

const NHS_NUMBER = '9434765919';
const PASSWORD = 'correct horse battery staple';
const T0 = Date.parse('2026-12-08T09:00:00.000Z');

let dir: string;
let store: MessageStore;
let usersFile: string;
let clock = T0;
const now = () => new Date(clock);
const tokens = {} as Record<Role, string>;
let trackingId: string;

interface Server {
  app: FastifyInstance;
  url: string;
}
const servers: Server[] = [];

const depsFor = (file: string): HttpDeps => ({
  registry: new Registry(),
  ready: async () => undefined,
  routes: () => ({ endpoints: [], routes: [] }),
  store,
  users: new UsersSource(file),
  sessions: new Sessions(30 * 60_000, now),
  throttle: new SignInThrottle(now),
  live: { quarantineDepth: async () => 0, brokerConnected: () => true },
  log: silentLogger(),
  now,
});

async function serve(file = usersFile, trustProxy = false): Promise<Server> {
  const app = buildHttpApp(depsFor(file), { trustProxy });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const server = { app, url };
  servers.push(server);
  return server;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-console-'));
  store = await openSqliteStore(path.join(dir, 'store.sqlite'));
  await store.migrate();
  const m = incoming();
  trackingId = m.trackingId;
  await store.begin(m);
  usersFile = path.join(dir, 'users.yaml');
  let users = readUsersFile(usersFile);
  const hash = await hashPassword(PASSWORD);
  for (const role of ROLES) users = addUser(users, role, role, hash);
  for (const role of ROLES) {
    const issued = issueToken(users, role, 30 * 86_400, now());
    users = issued.users;
    tokens[role] = issued.token;
  }
  writeUsersFile(usersFile, users);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.app.close()));
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Call = { method?: string; token?: string; cookie?: string; csrf?: string; body?: unknown };
async function call(s: Server, pathAndQuery: string, c: Call = {}) {
  const headers: Record<string, string> = {};
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  if (c.cookie) headers.cookie = c.cookie;
  if (c.csrf) headers['x-csrf-token'] = c.csrf;
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${s.url}${pathAndQuery}`, {
    method: c.method ?? 'GET',
    headers,
    redirect: 'manual',
    ...(c.body !== undefined && { body: JSON.stringify(c.body) }),
  });
}

async function signIn(s: Server, username: string, password = PASSWORD) {
  const r = await call(s, '/api/v1/session', { method: 'POST', body: { username, password } });
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  const body = (await r.json()) as { csrfToken?: string; error?: { message: string } };
  return {
    status: r.status,
    cookie,
    csrf: body.csrfToken ?? '',
    body,
    setCookie: r.headers.get('set-cookie') ?? '',
  };
}

/** A request for a route, with sample values in its parameters and a body where it takes one. */
function sample(route: string): { path: string; method: string; body?: unknown } {
  const [method, url] = route.split(' ') as [string, string];
  const p = url
    .replace(':trackingId', encodeURIComponent(trackingId))
    .replace(':id', 'abcdef012345')
    .replace(':file', 'console.css');
  const query =
    url === '/api/v1/careplans' || url === '/console/careplans' ? `?nhsNumber=${NHS_NUMBER}` : '';
  const body =
    url === '/api/v1/session' && method === 'POST'
      ? { username: 'viewer', password: PASSWORD }
      : method === 'POST' || method === 'DELETE'
        ? { reason: 'route × role test' }
        : undefined;
  return { path: p + query, method, ...(body !== undefined && { body }) };
}

describe('the console server', () => {
  let s: Server;
  beforeAll(async () => {
    s = await serve();
  });

  it('declares every route in the table of docs/console.md, and nothing else', () => {
    const declared = Object.fromEntries(
      declaredRoutes(s.app).map((r) => [`${r.method} ${r.url}`, r.access]),
    );
    expect(declared).toEqual(TABLE);
  });

  it('answers every route × role as the table says: refused (403) exactly where the role is too low', async () => {
    const seen: string[] = [];
    for (const [route, access] of Object.entries(TABLE)) {
      for (const role of ROLES) {
        const r = sample(route);
        const res = await call(s, r.path, { method: r.method, token: tokens[role], body: r.body });
        const allowed = allows(role, access);
        seen.push(`${route} ${role} ${res.status}`);
        if (allowed) expect([route, role, res.status]).not.toEqual([route, role, 403]);
        else expect([route, role, res.status]).toEqual([route, role, 403]);
        expect([route, role, res.status]).not.toEqual([route, role, 401]);
      }
    }
    expect(seen).toHaveLength(Object.keys(TABLE).length * ROLES.length);
  });

  it('answers 401 to every signed-in route without a session or token, and sends pages to sign in', async () => {
    for (const [route, access] of Object.entries(TABLE)) {
      if (access === 'open') continue;
      const r = sample(route);
      const res = await call(s, r.path, { method: r.method, body: r.body });
      if (route.includes(' /console')) {
        expect([route, res.status]).toEqual([route, 303]);
        expect(res.headers.get('location')).toMatch(/^\/console\/sign-in\?next=/);
      } else {
        expect([route, res.status]).toEqual([route, 401]);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
          'not-signed-in',
        );
      }
    }
    const page = await call(s, '/console/audit', { token: tokens.operator });
    expect([page.status, page.headers.get('content-type')]).toEqual([
      403,
      'text/html; charset=utf-8',
    ]);
    expect(await page.text()).toContain('operator may not do this: it needs admin');
    expect((await call(s, '/api/v1/nothing-here')).status).toBe(401);
    expect((await call(s, '/api/v1/nothing-here', { token: tokens.viewer })).status).toBe(404);
  });

  it('keeps /healthz, /readyz and /metrics open, with their old answers', async () => {
    const health = await call(s, '/healthz');
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const ready = await call(s, '/readyz');
    expect([ready.status, await ready.text()]).toEqual([200, 'ready\n']);
    const metrics = await call(s, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
  });

  it('signs in with a session cookie (HttpOnly, SameSite=Strict) that ends after 30 idle minutes', async () => {
    const session = await signIn(s, 'operator');
    expect(session.status).toBe(200);
    expect(session.setCookie).toMatch(/HttpOnly/i);
    expect(session.setCookie).toMatch(/SameSite=Strict/i);
    expect((await call(s, '/api/v1/overdue', { cookie: session.cookie })).status).toBe(200);
    clock += 29 * 60_000;
    expect((await call(s, '/api/v1/overdue', { cookie: session.cookie })).status).toBe(200);
    clock += 31 * 60_000;
    expect((await call(s, '/api/v1/overdue', { cookie: session.cookie })).status).toBe(401);
  });

  it('refuses a change made with the cookie and without the CSRF token (403); takes it with the token', async () => {
    const session = await signIn(s, 'viewer');
    const without = await call(s, '/api/v1/session', { method: 'DELETE', cookie: session.cookie });
    expect(without.status).toBe(403);
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe('csrf-missing');
    const wrong = await call(s, '/api/v1/session', {
      method: 'DELETE',
      cookie: session.cookie,
      csrf: 'x'.repeat(43),
    });
    expect(wrong.status).toBe(403);
    const right = await call(s, '/api/v1/session', {
      method: 'DELETE',
      cookie: session.cookie,
      csrf: session.csrf,
    });
    expect(right.status).toBe(204);
    expect((await call(s, '/api/v1/session', { cookie: session.cookie })).status).toBe(401);
  });

  it('takes a bearer token without a CSRF token, and refuses an expired one', async () => {
    const res = await call(s, '/api/v1/session', { method: 'DELETE', token: tokens.viewer });
    expect(res.status).toBe(204);
    const users = readUsersFile(usersFile);
    const short = issueToken(users, 'viewer', 60, now());
    writeUsersFile(usersFile, short.users);
    expect((await call(s, '/api/v1/stats', { token: short.token })).status).toBe(200);
    clock += 61_000;
    const expired = await call(s, '/api/v1/stats', { token: short.token });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(
      /expired/,
    );
  });

  it("refuses a removed user's token and session at the next request", async () => {
    let users = readUsersFile(usersFile);
    users = addUser(users, 'leaver', 'operator', await hashPassword(PASSWORD));
    const issued = issueToken(users, 'leaver', 3600, now());
    writeUsersFile(usersFile, issued.users);
    const session = await signIn(s, 'leaver');
    expect((await call(s, '/api/v1/overdue', { token: issued.token })).status).toBe(200);
    expect((await call(s, '/api/v1/overdue', { cookie: session.cookie })).status).toBe(200);
    writeUsersFile(usersFile, removeUser(readUsersFile(usersFile), 'leaver'));
    expect((await call(s, '/api/v1/overdue', { token: issued.token })).status).toBe(401);
    expect((await call(s, '/api/v1/overdue', { cookie: session.cookie })).status).toBe(401);
  });

  it('writes an audit row for each sign-in, refused sign-in, body view, care-plan lookup and sign-out', async () => {
    clock += 1000;
    const from = now();
    const refused = await signIn(s, 'admin', 'not the password at all');
    expect([refused.status, refused.body.error?.message]).toEqual([
      401,
      'wrong user name or password',
    ]);
    const nobody = await signIn(s, 'nobody-here', 'not the password at all');
    expect([nobody.status, nobody.body.error?.message]).toEqual([
      401,
      'wrong user name or password',
    ]);
    const session = await signIn(s, 'operator');
    const body = await call(s, `/api/v1/messages/${trackingId}/body`, { cookie: session.cookie });
    expect([body.status, body.headers.get('content-type')]).toEqual([200, 'application/xml']);
    expect(await body.text()).toContain(trackingId);
    const plans = await call(s, `/api/v1/careplans?nhsNumber=${NHS_NUMBER}`, {
      cookie: session.cookie,
    });
    expect(plans.status).toBe(200);
    const bad = await call(s, '/api/v1/careplans?nhsNumber=9434765918', { cookie: session.cookie });
    expect(bad.status).toBe(400);
    await call(s, '/api/v1/session', {
      method: 'DELETE',
      cookie: session.cookie,
      csrf: session.csrf,
    });
    const rows = await store.audit.list({ since: from, limit: 50 });
    expect(
      rows.map((r) => [r.actor, r.action, r.target ?? null, r.outcome, r.client]).reverse(),
    ).toEqual([
      ['admin', 'sign-in-refused', null, 'refused', '127.0.0.1'],
      ['nobody-here', 'sign-in-refused', null, 'refused', '127.0.0.1'],
      ['operator', 'sign-in', null, 'ok', '127.0.0.1'],
      ['operator', 'body-view', trackingId, 'ok', '127.0.0.1'],
      ['operator', 'careplan-lookup', NHS_NUMBER, 'ok', '127.0.0.1'],
      ['operator', 'sign-out', null, 'ok', '127.0.0.1'],
    ]);
    const asAdmin = await call(s, '/api/v1/audit?user=operator&action=careplan-lookup', {
      token: tokens.admin,
    });
    const page = (await asAdmin.json()) as { entries: { target: string }[] };
    expect(page.entries[0]!.target).toBe(NHS_NUMBER);
  });
});

describe('the console server, sign-in throttling', () => {
  it('slows repeated failures from one client, then answers 429 with Retry-After, even to the right password', async () => {
    const s = await serve();
    const statuses: number[] = [];
    for (let i = 0; i < REFUSE_FROM; i++)
      statuses.push((await signIn(s, 'viewer', 'wrong password!!')).status);
    expect(statuses).toEqual(Array(REFUSE_FROM).fill(401));
    const r = await call(s, '/api/v1/session', {
      method: 'POST',
      body: { username: 'viewer', password: PASSWORD },
    });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('the console server with no users', () => {
  it('answers 401 to everything signed-in and says how to add a user', async () => {
    const s = await serve(path.join(dir, 'no-users.yaml'));
    for (const p of ['/api/v1/messages', '/routes', '/api/v1/audit']) {
      const res = await call(s, p);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /itk-router users add/,
      );
    }
    const signIn = await call(s, '/api/v1/session', {
      method: 'POST',
      body: { username: 'a', password: 'b' },
    });
    expect(signIn.status).toBe(401);
    expect((await call(s, '/healthz')).status).toBe(200);
  });
});

describe('the console server behind TLS', () => {
  it('speaks HTTPS with http.tls, and its session cookie is Secure', async () => {
    // The router's development certificate (`itk-router certs`): CN itk-router, DNS:localhost.
    const certs = makeTestCerts([]);
    const cert = certs.file('router', 'crt');
    const ca = certs.read('ca', 'crt');
    const app = await startHttpServer(
      {
        host: '127.0.0.1',
        port: 0,
        trustProxy: false,
        tls: { cert, key: certs.file('router', 'key') },
      },
      depsFor(usersFile),
    );
    servers.push({ app, url: '' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const body = JSON.stringify({ username: 'viewer', password: PASSWORD });
    const answer = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          ca,
          method: 'POST',
          path: '/api/v1/session',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie'] ?? '') });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(200);
    expect(answer.cookie).toMatch(/; Secure/);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    certs.remove();
  });

  it('behind a trusted proxy, takes the client address and https from X-Forwarded-*', async () => {
    const s = await serve(usersFile, true);
    clock += 1000;
    const from = now();
    const r = await fetch(`${s.url}/api/v1/session`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-proto': 'https',
      },
      body: JSON.stringify({ username: 'viewer', password: PASSWORD }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toMatch(/; Secure/);
    const rows = await store.audit.list({ since: from, actor: 'viewer', limit: 5 });
    expect(rows.map((x) => [x.action, x.client])).toEqual([['sign-in', '203.0.113.9']]);
    const direct = await signIn(await serve(), 'viewer');
    expect(direct.setCookie).not.toMatch(/Secure/);
  });
});
