/** {@link BrokerAdmin} through `rabbitmqctl` (root or the rabbitmq user, on the broker's machine). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BrokerAdmin } from './broker-admin.js';

const run = promisify(execFile);

async function ctl(...args: string[]): Promise<void> {
  try {
    await run('rabbitmqctl', ['-q', ...args], { timeout: 30_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`rabbitmqctl ${args[0]}: ${(e.stderr || e.message).trim()}`, { cause: err });
  }
}

const ignoreMissing = (err: Error): void => {
  if (!/does not exist|no_such|not found/i.test(err.message)) throw err;
};

export function ctlAdmin(): BrokerAdmin {
  return {
    via: 'rabbitmqctl',
    addVhost: (vhost) => ctl('add_vhost', vhost),
    deleteVhost: (vhost) => ctl('delete_vhost', vhost).catch(ignoreMissing),
    addUser: (name, password) => ctl('add_user', name, password),
    deleteUser: (name) => ctl('delete_user', name).catch(ignoreMissing),
    setPermissions: (vhost, user, p) =>
      ctl('set_permissions', '-p', vhost, user, p.configure, p.write, p.read),
  };
}
