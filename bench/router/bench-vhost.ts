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
  const made: string[] = [];
  const remove = () => {
    ctl('delete_vhost', vhost);
    for (const user of made.splice(0)) ctl('delete_user', user);
  };
  try {
    for (const user of users) {
      // Never take over a user the bench did not make (a tour's, a deployment's): refuse instead.
      try {
        ctl('add_user', user, user);
      } catch (err) {
        throw new Error(
          `the bench needs broker user ${user} and it exists already (not the bench's): remove it or run the bench on another broker`,
          { cause: err },
        );
      }
      made.push(user);
      ctl('set_permissions', '-p', vhost, user, '.*', '.*', '.*');
    }
  } catch (err) {
    remove();
    throw err;
  }
  return {
    vhost,
    url: (user) => `amqp://${user}:${user}@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
    remove,
  };
}
