/** {@link BrokerAdmin} over the RabbitMQ management HTTP API. */
import type { BrokerAdmin, Permissions, QueueInfo } from './broker-admin.js';

interface HttpAdmin extends BrokerAdmin {
  reachable(): Promise<boolean>;
}

interface ConnectionRow {
  readonly name: string;
  readonly client_properties?: { readonly connection_name?: string };
}

const seg = encodeURIComponent;

export function httpAdmin(baseUrl: string, user: string, password: string): HttpAdmin {
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${baseUrl}/api${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) {
      throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    }
    return res.status === 204 || method !== 'GET' ? undefined : ((await res.json()) as unknown);
  }

  async function namedConnections(vhost: string, name?: string): Promise<ConnectionRow[]> {
    const rows = (await call('GET', `/vhosts/${seg(vhost)}/connections`)) as ConnectionRow[];
    return rows.filter(
      (row) => name === undefined || row.client_properties?.connection_name === name,
    );
  }

  return {
    kind: 'http',
    async reachable() {
      try {
        const res = await fetch(`${baseUrl}/api/overview`, {
          headers: { authorization: auth },
          signal: AbortSignal.timeout(1000),
        });
        return res.ok;
      } catch {
        return false;
      }
    },
    addVhost: async (vhost) => void (await call('PUT', `/vhosts/${seg(vhost)}`, {})),
    deleteVhost: async (vhost) => void (await call('DELETE', `/vhosts/${seg(vhost)}`)),
    addUser: async (name, pw) =>
      void (await call('PUT', `/users/${seg(name)}`, { password: pw, tags: '' })),
    deleteUser: async (name) => void (await call('DELETE', `/users/${seg(name)}`)),
    setPermissions: async (vhost: string, user: string, perms: Permissions) =>
      void (await call('PUT', `/permissions/${seg(vhost)}/${seg(user)}`, perms)),
    async listQueues(vhost): Promise<QueueInfo[]> {
      const rows = (await call('GET', `/queues/${seg(vhost)}`)) as QueueInfo[];
      return rows.map(({ name, type, durable, arguments: args }) => ({
        name,
        type,
        durable,
        arguments: args,
      }));
    },
    async closeConnections(vhost, name) {
      // The management database lists a new connection only after its next statistics
      // collection (every 5 s by default), hence the wait.
      let rows = await namedConnections(vhost, name);
      for (let i = 0; rows.length === 0 && i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        rows = await namedConnections(vhost, name);
      }
      const reason = { 'x-reason': 'closed by test' };
      await Promise.all(
        rows.map((row) => call('DELETE', `/connections/${seg(row.name)}`, undefined, reason)),
      );
      return rows.length;
    },
  };
}
