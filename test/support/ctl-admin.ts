/** {@link BrokerAdmin} through `rabbitmqctl` (needs root or the rabbitmq user; ~0.3–1 s per call). */
import { ignoreMissing, rabbitmqctl } from '../../src/tools/sandbox/admin-ctl.js';
import type { BrokerAdmin, QueueInfo } from './broker-admin.js';

const ctl = (...args: string[]): Promise<string> => rabbitmqctl(args);

/** `rabbitmqctl --formatter json` tables: `[[key, type, value], …]` → `{ key: value }`. */
const table = (rows: [string, string, unknown][]): Record<string, unknown> =>
  Object.fromEntries(rows.map(([key, , value]) => [key, value]));

export function ctlAdmin(): BrokerAdmin {
  return {
    kind: 'rabbitmqctl',
    addVhost: async (vhost) => void (await ctl('add_vhost', vhost)),
    deleteVhost: async (vhost) => void (await ctl('delete_vhost', vhost).catch(ignoreMissing)),
    addUser: async (name, password) => void (await rabbitmqctl(['add_user', name], password)),
    deleteUser: async (name) => void (await ctl('delete_user', name).catch(ignoreMissing)),
    setPermissions: async (vhost, user, p) =>
      void (await ctl('set_permissions', '-p', vhost, user, p.configure, p.write, p.read)),
    async listQueues(vhost): Promise<QueueInfo[]> {
      const out = await ctl(
        'list_queues',
        '-p',
        vhost,
        'name',
        'type',
        'durable',
        'arguments',
        '--formatter',
        'json',
      );
      const rows = JSON.parse(out || '[]') as (Omit<QueueInfo, 'arguments'> & {
        arguments: [string, string, unknown][];
      })[];
      return rows.map((row) => ({ ...row, arguments: table(row.arguments) }));
    },
    async closeConnections(vhost, name) {
      // Text output: its pid column is in the form close_connection takes (JSON's is not).
      let pids: string[] = [];
      for (let i = 0; pids.length === 0 && i < 10; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        const out = await ctl(
          'list_connections',
          'pid',
          'vhost',
          'client_properties',
          '--no-table-headers',
        );
        pids = out
          .split('\n')
          .map((line) => line.split('\t'))
          .filter(
            ([, v, props]) =>
              v === vhost && (!name || props?.includes(`{"connection_name","${name}"}`)),
          )
          .map(([pid]) => pid!);
      }
      await Promise.all(pids.map((pid) => ctl('close_connection', pid, 'closed by test')));
      return pids.length;
    },
  };
}
