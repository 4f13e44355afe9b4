/**
 * What the self-test makes on the broker and on disk, and leaves nothing of: a vhost
 * `itk-harness-<short uuid>`, one broker user per end point with the least privileges
 * `itk-router provision` plans (publish to the inbound exchange, read its own queue), a temporary
 * folder with the stock routes (identities replaced by those users) and the SQLite store.
 * `dispose()` deletes all of it and may be called at any point, also twice.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminAccessFor, brokerAdmin } from '../sandbox/broker-admin.js';
import { writeDemoRoutes } from '../sandbox/demo-routes.js';
import { endpointPermissions, generatePassword } from '../provision/index.js';
import { topologyNames } from '../../router/02-transport/names.js';

export interface HarnessSandbox {
  readonly vhost: string;
  /** The configured AMQP URL's user on the sandbox vhost (the router and the harness's `$ops`). */
  readonly url: string;
  readonly dir: string;
  readonly routesDir: string;
  readonly storePath: string;
  /** Broker user by end point id. */
  readonly users: ReadonlyMap<string, string>;
  /** Password by broker user. */
  readonly passwords: ReadonlyMap<string, string>;
  /** How the broker was administered (management API or rabbitmqctl). */
  readonly via: string;
  dispose(): Promise<void>;
}

export interface SandboxOptions {
  readonly amqpUrl: string;
  readonly prefix: string;
  readonly stockRoutes: string;
  readonly managementUrl?: string;
}

function urlOn(amqpUrl: string, vhost: string): string {
  const url = new URL(amqpUrl);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}

export async function createHarnessSandbox(options: SandboxOptions): Promise<HarnessSandbox> {
  const access = adminAccessFor(options.amqpUrl, options.managementUrl);
  const admin = await brokerAdmin(access);
  const vhost = `itk-harness-${randomUUID().slice(0, 8)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-harness-'));
  const undo: (() => Promise<void>)[] = [
    async () => fs.rmSync(dir, { recursive: true, force: true }),
  ];
  let disposed: Promise<void> | undefined;
  const dispose = () =>
    (disposed ??= (async () => {
      const problems: string[] = [];
      for (const step of undo.reverse()) await step().catch((e: Error) => problems.push(e.message));
      if (problems.length > 0) throw new Error(`cleaning up the self-test: ${problems.join('; ')}`);
    })());
  try {
    const routesDir = path.join(dir, 'routes');
    const ids = writeDemoRoutes(options.stockRoutes, routesDir, (id) => `${vhost}-${id}`);
    await admin.addVhost(vhost);
    undo.push(() => admin.deleteVhost(vhost));
    await admin.setPermissions(vhost, access.user, { configure: '.*', write: '.*', read: '.*' });
    const names = topologyNames(options.prefix);
    const users = new Map<string, string>();
    const passwords = new Map<string, string>();
    for (const id of ids) {
      const user = `${vhost}-${id}`;
      const password = generatePassword();
      await admin.addUser(user, password);
      undo.push(() => admin.deleteUser(user));
      await admin.setPermissions(vhost, user, endpointPermissions(names, id));
      users.set(id, user);
      passwords.set(user, password);
    }
    return {
      vhost,
      url: urlOn(options.amqpUrl, vhost),
      dir,
      routesDir,
      storePath: path.join(dir, 'store.sqlite'),
      users,
      passwords,
      via: admin.via,
      dispose,
    };
  } catch (err) {
    await dispose().catch(() => undefined);
    throw err;
  }
}
