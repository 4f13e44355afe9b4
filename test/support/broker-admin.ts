/**
 * Test-only broker administration: vhosts, users, permissions, queues, connections. Two backends
 * with one interface: the management HTTP API (fast, used when the plugin answers) and
 * `rabbitmqctl` (~0.3–1 s per call). `TEST_BROKER_ADMIN=http|rabbitmqctl` forces one; by default
 * HTTP when the plugin answers, except for closing connections (see `select`).
 */
import { brokerEnv } from './broker-env.js';
import { ctlAdmin } from './ctl-admin.js';
import { httpAdmin } from './http-admin.js';

/** AMQP permission regexes of a user in a vhost. */
export interface Permissions {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

export const FULL_PERMISSIONS: Permissions = { configure: '.*', write: '.*', read: '.*' };

/** A queue as the broker describes it. */
export interface QueueInfo {
  readonly name: string;
  /** `quorum`, `classic` or `stream`. */
  readonly type: string;
  readonly durable: boolean;
  readonly arguments: Readonly<Record<string, unknown>>;
}

/** What the tests need from the broker's administration interface. */
export interface BrokerAdmin {
  readonly kind: 'http' | 'rabbitmqctl';
  addVhost(vhost: string): Promise<void>;
  deleteVhost(vhost: string): Promise<void>;
  addUser(name: string, password: string): Promise<void>;
  deleteUser(name: string): Promise<void>;
  setPermissions(vhost: string, user: string, permissions: Permissions): Promise<void>;
  listQueues(vhost: string): Promise<QueueInfo[]>;
  /** Force-closes the vhost's connections (only those named `connectionName` if given); returns how many. */
  closeConnections(vhost: string, connectionName?: string): Promise<number>;
}

let selected: Promise<BrokerAdmin> | undefined;

/** The management API if it answers within a second (or as `TEST_BROKER_ADMIN` says), else rabbitmqctl. */
export function brokerAdmin(): Promise<BrokerAdmin> {
  selected ??= select();
  return selected;
}

async function select(): Promise<BrokerAdmin> {
  const env = brokerEnv();
  if (env.adminKind === 'rabbitmqctl') return ctlAdmin();
  const http = httpAdmin(env.managementUrl, env.adminUser, env.adminPassword);
  if (env.adminKind === 'http') return http;
  if (!(await http.reachable())) return ctlAdmin();
  // The HTTP API sees a new connection only up to 5 s late: close connections with
  // rabbitmqctl when it works here (checked on first use), else wait for the HTTP API.
  const ctl = ctlAdmin();
  let ctlWorks: Promise<boolean> | undefined;
  return {
    ...http,
    async closeConnections(vhost, name) {
      ctlWorks ??= ctl.listQueues('/').then(
        () => true,
        () => false,
      );
      return (await ctlWorks)
        ? ctl.closeConnections(vhost, name)
        : http.closeConnections(vhost, name);
    },
  };
}
