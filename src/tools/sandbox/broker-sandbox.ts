/**
 * Everything the demo makes and must leave nothing of: a vhost `itk-demo-<short uuid>`, a broker
 * user per end point (least privilege: publish to itk.inbound, read its own queue), a temporary
 * folder with the demo's routes and SQLite store. `dispose()` deletes all of it, and may be
 * called at any point (also when creation failed halfway, also twice); it retries while the
 * broker is unreachable, so a broker restart during the demo leaves nothing behind.
 */
import { openConnection } from '../../router/02-transport/open-connection.js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brokerAdmin, adminAccessFor, type BrokerAdmin } from './broker-admin.js';
import { writeDemoRoutes } from './demo-routes.js';

export interface DemoUser {
  readonly name: string;
  readonly password: string;
  /** Its AMQP URL on the demo vhost. */
  readonly url: string;
}

export interface Sandbox {
  readonly vhost: string;
  /** The configured user's AMQP URL on the demo vhost (the router connects with it). */
  readonly url: string;
  readonly admin: BrokerAdmin;
  readonly routesDir: string;
  readonly storePath: string;
  /** By end point id. */
  readonly users: ReadonlyMap<string, DemoUser>;
  dispose(): Promise<void>;
}

export interface SandboxOptions {
  /** The configured AMQP URL (its vhost is replaced by the demo's). */
  readonly amqpUrl: string;
  readonly prefix: string;
  readonly stockRoutes: string;
  readonly managementUrl?: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

function urlOn(
  amqpUrl: string,
  vhost: string,
  user?: DemoUser | { name: string; password: string },
) {
  const url = new URL(amqpUrl);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  if (user) {
    url.username = encodeURIComponent(user.name);
    url.password = encodeURIComponent(user.password);
  }
  return url.toString();
}

/**
 * Does the AMQP port answer, on the new vhost? Asked once, with a time limit, because the router
 * (startRouter) waits for its first connection for as long as it takes.
 */
async function probe(url: string): Promise<void> {
  try {
    const connection = await openConnection(url, { timeoutMs: 5000 });
    connection.on('error', () => undefined);
    await connection.close();
  } catch (err) {
    const where = new URL(url);
    throw new Error(
      `cannot connect to the broker at ${where.host} as ${decodeURIComponent(where.username)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** Tidying up outlives a broker restart: each step is tried for about 15 s. */
async function retried(action: () => Promise<void>, attempts = 15): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const access = adminAccessFor(options.amqpUrl, options.managementUrl);
  const admin = await brokerAdmin(access);
  const vhost = `itk-demo-${randomUUID().slice(0, 8)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-demo-'));
  const users = new Map<string, DemoUser>();
  const made: (() => Promise<void>)[] = [
    async () => fs.rmSync(dir, { recursive: true, force: true }),
  ];
  let disposed: Promise<void> | undefined;
  const dispose = () =>
    (disposed ??= (async () => {
      const problems: string[] = [];
      for (const undo of made.reverse())
        await retried(undo).catch((e: Error) => problems.push(e.message));
      if (problems.length > 0) throw new Error(`cleaning up the demo: ${problems.join('; ')}`);
    })());
  try {
    const routesDir = path.join(dir, 'routes');
    const ids = writeDemoRoutes(options.stockRoutes, routesDir, (id) => `${vhost}-${id}`);
    await admin.addVhost(vhost);
    made.push(() => admin.deleteVhost(vhost));
    await admin.setPermissions(vhost, access.user, { configure: '.*', write: '.*', read: '.*' });
    const p = escape(options.prefix);
    for (const id of ids) {
      const user = { name: `${vhost}-${id}`, password: randomUUID() };
      await admin.addUser(user.name, user.password);
      made.push(() => admin.deleteUser(user.name));
      await admin.setPermissions(vhost, user.name, {
        configure: '^$',
        write: `^${p}\\.inbound$`,
        read: `^${p}\\.endpoint\\.${escape(id)}$`,
      });
      users.set(id, { ...user, url: urlOn(options.amqpUrl, vhost, user) });
    }
    const url = urlOn(options.amqpUrl, vhost);
    await probe(url);
    return {
      vhost,
      url,
      admin,
      routesDir,
      storePath: path.join(dir, 'store.sqlite'),
      users,
      dispose,
    };
  } catch (err) {
    await dispose().catch(() => undefined);
    throw err;
  }
}
