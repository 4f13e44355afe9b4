/**
 * Several router instances sharing one broker vhost and one PostgreSQL schema (docs/contract.md,
 * "Operating it"), for test/integration/multi-instance. A Deployment is what the instances share:
 * a uuid vhost with one broker user per supplier role (`__USER_<role>__` tokens in the routes, as
 * in router-harness.ts), the routes copied to a tmp folder, a `router.yaml` (prefetch, retry, log
 * level) and a fresh schema of the test database, created before the routers start and dropped
 * by `stop()`. Instances run in-process here (`startInstance`, each with a logger that keeps its
 * lines) or as child processes (multi-instance-process.ts); the store URL names the schema through
 * `?options=-c search_path=…`, as an ops team would configure it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { connect } from 'amqplib';
import pg from 'pg';
import { loadRouterConfig } from '../../src/router/01-config/index.js';
import { loadRouteTable, startRouter, type RunningRouter } from '../../src/router/main.js';
import { createLogger } from '../../src/router/00-common/logger.js';
import type { MessageStore } from '../../src/router/08-store/message-store.js';
import { openPostgresStore } from '../../src/router/08-store/postgres/open-postgres-store.js';
import { topologyNames, type TopologyNames } from '../../src/router/02-transport/names.js';
import { createTestVhost, type TestUser, type TestVhost } from './broker.js';
import { FIXTURES } from './fixture-files.js';
import { checkIfFromRouter, openTestClient, type TestClient } from './messages.js';

export const POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const USER_TOKEN = /__USER_([a-z0-9-]+)__/g;
/** The care-plan integration tests' routes (test/fixtures/careplans/routes). */
export const CAREPLAN_ROUTES = path.join(FIXTURES, 'careplans', 'routes');

export interface DeploymentOptions {
  /** Route files with `__USER_<role>__` identities; default the care-plan test routes. */
  readonly routesDir?: string;
  readonly prefetch?: number;
  readonly retry?: { attempts: number; initialDelayMs: number; maxDelayMs: number };
  readonly logLevel?: string;
}

/** One JSON log line of an instance. */
export type LogLine = Record<string, unknown> & { message?: string };

export interface Deployment {
  readonly vhost: TestVhost;
  /** guest on the vhost: read and purge queues in assertions. */
  readonly client: TestClient;
  readonly names: TopologyNames;
  /** The PostgreSQL schema every instance shares. */
  readonly schema: string;
  /** ITK_ROUTER_STORE for the instances: the test database, search_path = the schema. */
  readonly storeUrl: string;
  /** A connection of the test's own to the shared store (read it; the routers write). */
  readonly store: MessageStore;
  /** An admin connection to the test database (counts over the schema's tables). */
  readonly sql: pg.Client;
  readonly configFile: string;
  readonly routesDir: string;
  readonly endpointIds: readonly string[];
  /** Every queue of the contract topology on the vhost. */
  readonly queues: readonly string[];
  user(role: string): TestUser;
  queue(endpointId: string): string;
  /** The environment that points a router at this deployment (the product's overrides). */
  env(): Record<string, string>;
  /** Publishes `bodies` in order, as the role's broker user, over one channel; resolves on confirms. */
  publish(role: string, bodies: readonly Buffer[]): Promise<void>;
  stop(): Promise<void>;
}

export async function createDeployment(options: DeploymentOptions = {}): Promise<Deployment> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    const vhost = await createTestVhost();
    cleanups.push(() => vhost.deleteAll());
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-router-multi-'));
    cleanups.push(async () => fs.rmSync(tmpDir, { recursive: true, force: true }));

    const users = new Map<string, TestUser>();
    const sourceDir = options.routesDir ?? CAREPLAN_ROUTES;
    const routesDir = path.join(tmpDir, 'routes');
    fs.mkdirSync(routesDir);
    for (const file of fs.readdirSync(sourceDir).filter((f) => f.endsWith('.yaml'))) {
      const text = fs.readFileSync(path.join(sourceDir, file), 'utf8');
      for (const role of new Set([...text.matchAll(USER_TOKEN)].map((m) => m[1]!))) {
        if (!users.has(role))
          users.set(role, await vhost.createUser(vhost.uniqueName(`mi-${role}`)));
      }
      const written = text.replace(USER_TOKEN, (_, role: string) => users.get(role)!.name);
      fs.writeFileSync(path.join(routesDir, file), written);
    }

    const sql = new pg.Client({ connectionString: POSTGRES_URL });
    await sql.connect();
    cleanups.push(() => sql.end());
    const schema = `itk_multi_${randomUUID().replace(/-/g, '')}`;
    await sql.query(`CREATE SCHEMA ${schema}`);
    cleanups.push(() => sql.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    const storeUrl = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;

    const retry = options.retry ?? { attempts: 5, initialDelayMs: 100, maxDelayMs: 2000 };
    const configFile = path.join(tmpDir, 'router.yaml');
    fs.writeFileSync(
      configFile,
      [
        '# written by test/support/multi-instance.ts; env overrides url, routes, store and port',
        'amqp:',
        `  prefetch: ${options.prefetch ?? 20}`,
        'routes: ./routes',
        'http:',
        '  port: 0',
        '  host: 127.0.0.1',
        'log:',
        `  level: ${options.logLevel ?? 'info'}`,
        'retry:',
        `  attempts: ${retry.attempts}`,
        `  initialDelayMs: ${retry.initialDelayMs}`,
        `  maxDelayMs: ${retry.maxDelayMs}`,
        '',
      ].join('\n'),
    );
    const env = () => ({
      AMQP_URL: vhost.url,
      ITK_ROUTER_ROUTES: routesDir,
      ITK_ROUTER_STORE: storeUrl,
      ITK_ROUTER_HTTP_PORT: '0',
    });
    const config = loadRouterConfig(configFile, env());
    const endpointIds = [...loadRouteTable(config).table.endpoints.keys()];
    const names = topologyNames(config.amqp.prefix);

    const store = await openPostgresStore(POSTGRES_URL, { schema, poolSize: 4 });
    cleanups.push(() => store.close());
    await store.migrate();
    const client = await openTestClient(vhost.url);
    cleanups.push(() => client.close());

    const user = (role: string): TestUser => {
      const found = users.get(role);
      if (!found) throw new Error(`multi-instance deployment: no broker user for role ${role}`);
      return found;
    };
    return {
      vhost,
      client,
      names,
      schema,
      storeUrl,
      store,
      sql,
      configFile,
      routesDir,
      endpointIds,
      queues: [
        names.routerInboundQueue,
        names.quarantineQueue,
        ...endpointIds.map((id) => names.endpointQueue(id)),
      ],
      user,
      queue: (id) => names.endpointQueue(id),
      env,
      publish: (role, bodies) => publishAll(user(role), names.inboundExchange, bodies),
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function publishAll(user: TestUser, exchange: string, bodies: readonly Buffer[]) {
  const model = await connect(user.url, { noDelay: true });
  model.on('error', () => undefined);
  try {
    const channel = await model.createConfirmChannel();
    channel.on('error', () => undefined);
    for (const body of bodies) {
      channel.publish(exchange, '', body, {
        persistent: true,
        contentType: 'application/xml',
        userId: user.name,
      });
    }
    await channel.waitForConfirms();
  } finally {
    await model.close().catch(() => undefined);
  }
}

/** A router instance started in-process by `startInstance`. */
export interface Instance {
  readonly name: string;
  readonly router: RunningRouter;
  /** Every line it has logged so far. */
  readonly logs: readonly LogLine[];
}

/** Starts a router on the deployment in this process (its config, its env), keeping its log. */
export async function startInstance(d: Deployment, name: string): Promise<Instance> {
  const logs: LogLine[] = [];
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim() !== ''))
        logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const config = loadRouterConfig(d.configFile, d.env());
  const router = await startRouter(config, createLogger(config.log.level, sink), {
    watchRoutes: false,
  });
  return { name, router, logs };
}

/** What the instances' logs say about the messages they handled. */
export const logFacts = {
  /** Tracking ids an instance processed to an outcome (not a duplicate). */
  processed: (logs: readonly LogLine[]): Set<string> =>
    new Set(logs.filter((l) => l.message === 'message processed').map((l) => String(l.trackingId))),
  /** Tracking ids an instance absorbed as a duplicate. */
  duplicates: (logs: readonly LogLine[]): Set<string> =>
    new Set(logs.filter((l) => l.outcome === 'duplicate').map((l) => String(l.trackingId))),
  /** Retries in place because another instance held the message (the processing lease). */
  waitsForAnotherInstance: (logs: readonly LogLine[]): LogLine[] =>
    logs.filter(
      (l) =>
        l.message === 'store or broker unavailable, retrying in place' &&
        /being processed by router instance/.test(String(l.error)),
    ),
};

/** How often each value occurs. */
export function countBy<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** Takes (auto-ack) every message now in `queue`. */
export async function drain(d: Deployment, queue: string) {
  const messages = [];
  for (;;) {
    const msg = await d.client.channel.get(queue, { noAck: true });
    if (!msg) return messages;
    checkIfFromRouter(msg, queue);
    messages.push(msg);
  }
}

/** Resolves once `condition()` holds; fails after `timeoutMs` naming `what`. */
export async function until(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** How many of `trackingIds` have a completed record in the deployment's store. */
export async function completedCount(
  d: Deployment,
  trackingIds: readonly string[],
): Promise<number> {
  const { rows } = await d.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${d.schema}.messages WHERE tracking_id = ANY($1) AND completed_at IS NOT NULL`,
    [trackingIds],
  );
  return rows[0]!.n;
}

/** One line for the report, easy to grep out of jest's output. */
export function report(test: string, facts: Record<string, unknown>): void {
  console.log(`[multi-instance] ${test}: ${JSON.stringify(facts)}`);
}
