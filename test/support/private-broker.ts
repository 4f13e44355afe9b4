/**
 * A RabbitMQ node of a test's own, for tests that stop, restart or reconfigure the broker: the
 * shared node on 127.0.0.1:5672 is never touched. Started the way RabbitMQ's own multi-node test
 * set-ups start extra nodes on one machine: `rabbitmq-server -detached` with its own node name
 * (`RABBITMQ_NODENAME`), AMQP and distribution ports (`RABBITMQ_NODE_PORT`, `RABBITMQ_DIST_PORT`),
 * data and log folders (`RABBITMQ_MNESIA_BASE`, `RABBITMQ_LOG_BASE`), config file, plugins file,
 * Erlang cookie (in its own `HOME`) and an empty `rabbitmq-env.conf` (so the machine's does not
 * apply). It listens on 127.0.0.1 only. Start it once per test file (about 5 s) and `stop()` it in
 * `afterAll`: that stops this node (and only it) and removes its folder.
 *
 * The CLI tools reach another node's distribution port through epmd; they pick a port of their own
 * in `RABBITMQ_DIST_PORT + 10000 …`, so the ports are drawn from a range the shared node (5672,
 * 25672, 35672+) does not use.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivateBrokerOptions {
  /** Extra `rabbitmq.conf` lines (e.g. a TLS listener); `{port}` is replaced by a free port. */
  readonly configLines?: readonly string[];
}

export interface PrivateBroker {
  readonly nodeName: string;
  readonly dir: string;
  /** The AMQP port (plain TCP) on 127.0.0.1. */
  readonly port: number;
  /** The extra port given to `{port}` in `configLines` (e.g. the TLS listener's). */
  readonly extraPort: number;
  /** `amqp://guest:guest@127.0.0.1:<port>/<vhost>` (default vhost `/`). */
  url(vhost?: string): string;
  /** `rabbitmqctl -n <this node> …args`. */
  ctl(...args: string[]): Promise<string>;
  /** Whether the node's RabbitMQ application answers (`rabbitmq-diagnostics ping`). */
  answers(): Promise<boolean>;
  /** Stops this node and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** The rabbitmq-server and rabbitmqctl scripts themselves (Debian wraps them in `su rabbitmq`). */
function scriptPath(name: string): string {
  for (const dir of ['/usr/lib/rabbitmq/bin', '/usr/local/lib/rabbitmq/bin']) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  return name; // on PATH (a generic-unix install)
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port in [40000, 50000) free now, with its neighbours `+ offsets` free as well. */
async function freePorts(offsets: readonly number[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 40_000 + Math.floor(Math.random() * 4_000);
    const all = await Promise.all(offsets.map((o) => portIsFree(base + o)));
    if (all.every(Boolean)) return base;
  }
  throw new Error('no free ports for a private RabbitMQ node');
}

export async function startPrivateBroker(
  options: PrivateBrokerOptions = {},
): Promise<PrivateBroker> {
  // AMQP on base, the extra listener on base+1, distribution on base+2, CLI on base+10002…
  const base = await freePorts([0, 1, 2, 10_002, 10_003, 10_004]);
  const port = base;
  const extraPort = base + 1;
  const distPort = base + 2;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-rabbit-'));
  const nodeName = `itk-test-${randomUUID().slice(0, 8)}@localhost`;
  const conf = [
    `listeners.tcp.default = 127.0.0.1:${port}`,
    'loopback_users.guest = true',
    ...(options.configLines ?? []).map((line) => line.replaceAll('{port}', String(extraPort))),
  ];
  fs.writeFileSync(path.join(dir, 'rabbitmq.conf'), conf.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
  fs.writeFileSync(path.join(dir, 'rabbitmq-env.conf'), '');
  fs.writeFileSync(path.join(dir, '.erlang.cookie'), randomBytes(20).toString('hex'), {
    mode: 0o400,
  });
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_CONF_ENV_FILE: path.join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq'),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: path.join(dir, 'pid'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const ctl = async (...args: string[]) =>
    (await run(scriptPath('rabbitmqctl'), ['-n', nodeName, ...args], { env, timeout: 90_000 }))
      .stdout;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const pidFile = path.join(dir, 'pid');
    const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() : 'NaN');
    await ctl('stop').catch(() => undefined);
    // If the CLI could not reach it, end the node by its own pid (never by name).
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 0); // still there?
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(scriptPath('rabbitmq-server'), ['-detached'], { env, timeout: 30_000 });
    await ctl('wait', '--timeout', '60', path.join(dir, 'pid'));
  } catch (err) {
    const logs = fs.existsSync(path.join(dir, 'log'))
      ? fs
          .readdirSync(path.join(dir, 'log'))
          .map((f) => fs.readFileSync(path.join(dir, 'log', f), 'utf8').slice(-2000))
          .join('\n')
      : '';
    if (fs.existsSync(path.join(dir, 'pid'))) await stop();
    else fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `private RabbitMQ node ${nodeName} did not start: ${(err as Error).message}\n${logs}`,
      { cause: err },
    );
  }
  return {
    nodeName,
    dir,
    port,
    extraPort,
    url: (vhost = '/') => `amqp://guest:guest@127.0.0.1:${port}/${encodeURIComponent(vhost)}`,
    ctl,
    answers: () =>
      run(scriptPath('rabbitmq-diagnostics'), ['-n', nodeName, '-q', 'check_running'], {
        env,
        timeout: 20_000,
      }).then(
        () => true,
        () => false,
      ),
    stop,
  };
}
