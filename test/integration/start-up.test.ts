/**
 * Starting and stopping the router as a user does (docs/contract.md, Operations): `npm start`
 * stops on SIGTERM and SIGINT (no `node` left behind by npm's shell); a broker that refuses the
 * router for a reason retrying cannot fix (login, vhost, permissions) stops start-up with exit
 * code 1, the reason in words at error level and the fix; a broker that is not there is named at
 * error level on every attempt, and SIGTERM while waiting for it exits 0.
 * Spawns bin/itk-router.js: `npm run build` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { amqpUrl } from '../support/broker-env.js';
import { createTestVhost, type TestVhost } from '../support/broker.js';
import {
  createRouterWorkspace,
  PACKAGE_ROOT,
  ROUTER_BIN,
  type LogLine,
  type RouterWorkspace,
} from '../support/router-process.js';
import { waitFor } from '../support/wait-for.js';

interface Spawned {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnRouter(
  workspace: RouterWorkspace,
  url: string,
  command: readonly string[] = [process.execPath, ROUTER_BIN, 'start', '-c', workspace.configFile],
): Spawned {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: command[0] === 'npm' ? PACKAGE_ROOT : workspace.dir,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      AMQP_URL: url,
      ITK_ROUTER_ROUTES: workspace.routesDir,
      ITK_ROUTER_STORE: `sqlite:${workspace.storePath}`,
      ITK_ROUTER_HTTP_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter((l) => l.startsWith('{'))) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ message: line });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs, stderr: () => stderr, exited };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('starting and stopping the router', () => {
  let vhost: TestVhost;
  let workspace: RouterWorkspace;
  const spawned: Spawned[] = [];
  const extraUsers: string[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost();
    workspace = createRouterWorkspace({
      retry: { attempts: 5, initialDelayMs: 100, maxDelayMs: 500 },
    });
  });
  afterAll(async () => {
    for (const s of spawned) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    for (const line of spawned.flatMap((s) => s.logs))
      if (typeof line.pid === 'number' && alive(line.pid)) process.kill(line.pid, 'SIGKILL');
    for (const name of extraUsers) await vhost.admin.deleteUser(name);
    await vhost?.deleteAll();
    workspace?.remove();
  });

  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to `npm start` stops the router itself, not just npm',
    async (signal) => {
      const run = spawnRouter(workspace, vhost.url, ['npm', 'start', '--silent']);
      spawned.push(run);
      await waitFor(
        () => run.logs.some((l) => l.message === 'itk-router started'),
        'the router to start',
        60_000,
      );
      const routerPid = Number(run.logs.find((l) => l.message === 'itk-router started')!.pid);
      expect(alive(routerPid)).toBe(true);
      run.child.kill(signal);
      await run.exited;
      await waitFor(() => !alive(routerPid), `the router (pid ${routerPid}) to exit`, 15_000);
      expect(run.logs.map((l) => l.message)).toContain('itk-router stopped');
    },
    90_000,
  );

  const refusals: [string, () => Promise<string>, RegExp][] = [
    [
      'a wrong password',
      async () => {
        const user = await vhost.createUser(vhost.uniqueName('itk-wrong-pw'));
        return amqpUrl(vhost.vhost, user.name, 'not-the-password');
      },
      /refused the login of user 'itk-wrong-pw-[0-9a-f]+' \(wrong user name or password\)/,
    ],
    [
      'an unknown user',
      async () => amqpUrl(vhost.vhost, `nobody-${randomUUID()}`, 'x'),
      /refused the login of user 'nobody-/,
    ],
    [
      'a vhost that does not exist',
      async () => amqpUrl(`no-such-vhost-${randomUUID()}`, 'guest', 'guest'),
      /has no vhost 'no-such-vhost-[^']+', or user 'guest' may not use it/,
    ],
    [
      'a user with no permissions on the vhost',
      async () => {
        const name = vhost.uniqueName('itk-no-perms');
        await vhost.admin.addUser(name, 'pw'); // no permissions anywhere
        extraUsers.push(name);
        return amqpUrl(vhost.vhost, name, 'pw');
      },
      /has no vhost 'itk-test-[^']+', or user 'itk-no-perms-[0-9a-f]+' may not use it/,
    ],
    [
      'a user who may not declare the topology',
      async () => {
        const user = await vhost.createUser(vhost.uniqueName('itk-read-only'), 'pw', {
          configure: '^$',
          write: '^$',
          read: '.*',
        });
        return user.url;
      },
      /lacks a permission on vhost 'itk-test-.*ACCESS_REFUSED/,
    ],
  ];
  test.each(refusals)(
    '%s: exit 1 at once, the reason in words at error level, and the fix',
    async (_, makeUrl, reason) => {
      const run = spawnRouter(workspace, await makeUrl());
      spawned.push(run);
      const exit = await run.exited;
      expect(exit.code).toBe(1);
      expect(run.stderr()).toMatch(reason);
      expect(run.stderr()).toMatch(/Fix: /);
      const errors = run.logs.filter((l) => l.level === 'error');
      expect(errors.some((l) => reason.test(String(l.message)))).toBe(true);
      expect(errors.some((l) => typeof l.fix === 'string' && l.fix.length > 0)).toBe(true);
    },
    60_000,
  );

  test('no broker there: the cause at error level on every attempt; SIGTERM while waiting exits 0', async () => {
    const port = await deadPort();
    const run = spawnRouter(workspace, `amqp://guest:guest@127.0.0.1:${port}/`);
    spawned.push(run);
    const attempts = () =>
      run.logs.filter(
        (l) =>
          l.level === 'error' &&
          String(l.message).includes(`cannot connect to the broker at 127.0.0.1:${port}`) &&
          String(l.message).includes('nothing accepts connections there'),
      );
    await waitFor(() => attempts().length >= 3, 'three failed attempts logged', 20_000);
    expect(run.child.exitCode).toBeNull(); // a network error may clear: it keeps trying
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(run.logs.map((l) => l.message)).toContain('itk-router stopped before it had started');
  }, 40_000);
});
