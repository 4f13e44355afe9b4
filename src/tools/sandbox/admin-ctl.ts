/** {@link BrokerAdmin} through `rabbitmqctl` (root or the rabbitmq user, on the broker's machine). */
import { spawn } from 'node:child_process';
import type { BrokerAdmin } from './broker-admin-api.js';

/**
 * Runs `rabbitmqctl -q <args…>` and resolves with its standard output. `input` goes to its
 * standard input: how a password is passed, never as an argument, where one starting with `-`
 * would be read as options (and anyone could read it in the process list).
 */
export function rabbitmqctl(args: readonly string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('rabbitmqctl', ['-q', ...args], { timeout: 30_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (cause) =>
      reject(new Error(`rabbitmqctl ${args[0]}: ${cause.message}`, { cause })),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString());
      const why = Buffer.concat(err).toString().trim() || `exit ${code ?? signal}`;
      reject(new Error(`rabbitmqctl ${args[0]}: ${why}`));
    });
    child.stdin.on('error', () => {}); // a child that exits without reading: its exit code says why
    child.stdin.end(input);
  });
}

const ctl = async (...args: string[]): Promise<void> => void (await rabbitmqctl(args));

/** For `.catch`: a vhost or user that is already gone is what a delete wanted. */
export const ignoreMissing = (err: Error): void => {
  if (!/does not exist|no_such|not found/i.test(err.message)) throw err;
};

export function ctlAdmin(): BrokerAdmin {
  return {
    via: 'rabbitmqctl',
    addVhost: (vhost) => ctl('add_vhost', vhost),
    deleteVhost: (vhost) => ctl('delete_vhost', vhost).catch(ignoreMissing),
    addUser: async (name, password) => void (await rabbitmqctl(['add_user', name], password)),
    deleteUser: (name) => ctl('delete_user', name).catch(ignoreMissing),
    setPermissions: (vhost, user, p) =>
      ctl('set_permissions', '-p', vhost, user, p.configure, p.write, p.read),
  };
}
