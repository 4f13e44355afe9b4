/**
 * A fresh, uuid-named vhost on the real broker for one test file, with guest given full
 * permissions. Create it in `beforeAll`, call `deleteAll()` in `afterAll`: that deletes the vhost
 * (its queues with it) and every user made through it. Purge queues between tests rather than
 * deleting them (quorum queue deletions in quick succession have crashed the broker). A vhost
 * left behind by a killed test run is named `itk-test-<uuid>`: `rabbitmqctl delete_vhost` it.
 */
import { randomUUID } from 'node:crypto';
import {
  brokerAdmin,
  FULL_PERMISSIONS,
  type BrokerAdmin,
  type Permissions,
  type QueueInfo,
} from './broker-admin.js';
import { amqpUrl, brokerEnv } from './broker-env.js';

/** A broker user made for a test, with its AMQP URL on the test vhost. */
export interface TestUser {
  readonly name: string;
  readonly password: string;
  readonly url: string;
}

/** A test file's own vhost. */
export interface TestVhost {
  readonly vhost: string;
  /** AMQP URL of the admin user (guest) on this vhost. */
  readonly url: string;
  readonly admin: BrokerAdmin;
  /** `base` plus a short random suffix: user names are broker-wide, so make them unique. */
  uniqueName(base: string): string;
  /** Creates a user (random password by default) with `perms` (default full) on this vhost. */
  createUser(name: string, password?: string, perms?: Permissions): Promise<TestUser>;
  listQueues(): Promise<QueueInfo[]>;
  /** Force-closes this vhost's connections (only those named `connectionName` if given). */
  closeConnections(connectionName?: string): Promise<number>;
  /** Deletes the vhost and the users made through it. Safe to call twice. */
  deleteAll(): Promise<void>;
}

export async function createTestVhost(): Promise<TestVhost> {
  const admin = await brokerAdmin();
  const env = brokerEnv();
  const vhost = `itk-test-${randomUUID()}`;
  const users = new Set<string>();
  await admin.addVhost(vhost);
  await admin.setPermissions(vhost, env.adminUser, FULL_PERMISSIONS);
  return {
    vhost,
    url: amqpUrl(vhost, env.adminUser, env.adminPassword),
    admin,
    uniqueName: (base) => `${base}-${randomUUID().slice(0, 8)}`,
    async createUser(name, password = randomUUID(), perms = FULL_PERMISSIONS) {
      users.add(name);
      await admin.addUser(name, password);
      await admin.setPermissions(vhost, name, perms);
      return { name, password, url: amqpUrl(vhost, name, password) };
    },
    listQueues: () => admin.listQueues(vhost),
    closeConnections: (connectionName) => admin.closeConnections(vhost, connectionName),
    async deleteAll() {
      const names = [...users];
      users.clear();
      await Promise.all([
        retried(() => admin.deleteVhost(vhost)),
        ...names.map((name) => retried(() => admin.deleteUser(name))),
      ]);
    },
  };
}

/** Retries `action` for up to ~10 s: cleanup should survive a broker restarting meanwhile. */
async function retried(action: () => Promise<void>, attempts = 10): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
