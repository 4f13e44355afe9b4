/**
 * The little broker administration the demo needs: a vhost and a user per end point, made at the
 * start and deleted at the end. Through the management HTTP API when it answers, else
 * `rabbitmqctl` (which needs root or the rabbitmq user on the broker's machine).
 */
import { ctlAdmin } from './admin-ctl.js';
import { httpAdmin } from './admin-http.js';

/** AMQP permission regexes of a user in a vhost. */
export interface Permissions {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

export interface BrokerAdmin {
  /** How it talks to the broker, for the printed introduction. */
  readonly via: string;
  addVhost(vhost: string): Promise<void>;
  deleteVhost(vhost: string): Promise<void>;
  addUser(name: string, password: string): Promise<void>;
  deleteUser(name: string): Promise<void>;
  setPermissions(vhost: string, user: string, permissions: Permissions): Promise<void>;
}

export interface AdminAccess {
  /** e.g. http://127.0.0.1:15672 */
  readonly managementUrl: string;
  readonly user: string;
  readonly password: string;
}

/** The management API if it answers within a second, else rabbitmqctl. */
export async function brokerAdmin(access: AdminAccess): Promise<BrokerAdmin> {
  const http = httpAdmin(access.managementUrl, access.user, access.password);
  return (await http.reachable()) ? http : ctlAdmin();
}

/** The management API's usual address on the AMQP broker's host, with the AMQP URL's user. */
export function adminAccessFor(amqpUrl: string, managementUrl?: string): AdminAccess {
  const url = new URL(amqpUrl);
  return {
    managementUrl: managementUrl ?? `http://${url.hostname}:15672`,
    user: decodeURIComponent(url.username) || 'guest',
    password: decodeURIComponent(url.password) || 'guest',
  };
}
