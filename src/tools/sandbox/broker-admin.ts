/**
 * The little broker administration the demo needs: a vhost and a user per end point, made at the
 * start and deleted at the end. Through the management HTTP API when it answers, else
 * `rabbitmqctl` (which needs root or the rabbitmq user on the broker's machine).
 */
import { ctlAdmin } from './admin-ctl.js';
import { httpAdmin } from './admin-http.js';

export type { BrokerAdmin, Permissions } from './broker-admin-api.js';
import type { BrokerAdmin } from './broker-admin-api.js';

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
