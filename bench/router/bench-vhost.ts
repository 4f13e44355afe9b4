/** A throw-away vhost and supplier users for the router benchmark (rabbitmqctl; the bench runs as root here). */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';

const ctl = (...args: string[]) =>
  execFileSync('rabbitmqctl', ['-q', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

export interface BenchVhost {
  readonly vhost: string;
  url(user: string): string;
  remove(): void;
}

export function createBenchVhost(users: readonly string[]): BenchVhost {
  const vhost = `itk-bench-${randomUUID().slice(0, 8)}`;
  ctl('add_vhost', vhost);
  ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
  for (const user of users) {
    try {
      ctl('add_user', user, user);
    } catch {
      ctl('change_password', user, user);
    }
    ctl('set_permissions', '-p', vhost, user, '.*', '.*', '.*');
  }
  return {
    vhost,
    url: (user) => `amqp://${user}:${user}@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
    remove: () => {
      ctl('delete_vhost', vhost);
    },
  };
}
