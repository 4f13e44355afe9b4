/** {@link BrokerAdmin} over the RabbitMQ management HTTP API. */
import type { BrokerAdmin, Permissions } from './broker-admin-api.js';

const seg = encodeURIComponent;

export function httpAdmin(
  baseUrl: string,
  user: string,
  password: string,
): BrokerAdmin & { reachable(): Promise<boolean> } {
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  async function call(method: string, path: string, body?: unknown): Promise<void> {
    const res = await fetch(`${baseUrl}/api${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok && !(method === 'DELETE' && res.status === 404))
      throw new Error(
        `broker management API: ${method} ${path}: HTTP ${res.status} ${await res.text()}`,
      );
  }
  return {
    via: `the management API at ${baseUrl}`,
    async reachable() {
      try {
        const res = await fetch(`${baseUrl}/api/whoami`, {
          headers: { authorization: auth },
          signal: AbortSignal.timeout(1000),
        });
        return res.ok;
      } catch {
        return false;
      }
    },
    addVhost: (vhost) => call('PUT', `/vhosts/${seg(vhost)}`, {}),
    deleteVhost: (vhost) => call('DELETE', `/vhosts/${seg(vhost)}`),
    addUser: (name, pw) => call('PUT', `/users/${seg(name)}`, { password: pw, tags: '' }),
    deleteUser: (name) => call('DELETE', `/users/${seg(name)}`),
    setPermissions: (vhost: string, name: string, p: Permissions) =>
      call('PUT', `/permissions/${seg(vhost)}/${seg(name)}`, p),
  };
}
