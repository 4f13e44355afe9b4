/**
 * A private RabbitMQ node and a private PostgreSQL cluster for the chaos run, started and stopped
 * by it: own node name, ports, data and log folders, so restarting them touches no other user of
 * the machine's shared broker and database. Needs root (the cluster runs as the postgres user).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const run = (cmd: string, args: string[], env?: NodeJS.ProcessEnv): string =>
  execFileSync(cmd, args, {
    encoding: 'utf8',
    env: env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const runAsync = async (cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> => {
  await promisify(execFile)(cmd, args, { env: env ?? process.env });
};

/**
 * A port nothing listens on now, above the kernel's ephemeral range (32768–60999 by default,
 * where a client connection may hold a port at any moment): tried by binding it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 61000 + (randomBytes(2).readUInt16BE() % 4000);
    const ok = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

/** RabbitMQ's default password hash (rabbit_password_hashing_sha256): salt, then SHA-256(salt + password). */
function passwordHash(password: string): string {
  const salt = randomBytes(4);
  const digest = createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/** A vhost and users with full permissions on it, loaded by the node at boot (no rabbitmqctl call each). */
export interface BrokerDefinitions {
  readonly vhost: string;
  readonly users: readonly { readonly name: string; readonly password: string }[];
}

function definitionsJson(d: BrokerDefinitions): string {
  const users = [{ name: 'guest', password: 'guest' }, ...d.users];
  return JSON.stringify({
    users: users.map((u) => ({
      name: u.name,
      password_hash: passwordHash(u.password),
      hashing_algorithm: 'rabbit_password_hashing_sha256',
      tags: u.name === 'guest' ? ['administrator'] : [],
    })),
    vhosts: [{ name: '/' }, { name: d.vhost }],
    permissions: [
      { user: 'guest', vhost: '/', configure: '.*', write: '.*', read: '.*' },
      ...users.map((u) => ({
        user: u.name,
        vhost: d.vhost,
        configure: '.*',
        write: '.*',
        read: '.*',
      })),
    ],
  });
}

export interface PrivateBroker {
  readonly node: string;
  readonly port: number;
  ctl(...args: string[]): string;
  /** `rabbitmqctl stop_app`, then `start_app` once stopped (the event loop keeps running). */
  restartApp(): Promise<void>;
  stop(): void;
}

export async function startPrivateBroker(
  dir: string,
  definitions?: BrokerDefinitions,
): Promise<PrivateBroker> {
  const id = randomBytes(4).toString('hex');
  const node = `itkchaos${id}@localhost`;
  const port = await freePort();
  let distPort = await freePort();
  while (distPort === port) distPort = await freePort();
  fs.mkdirSync(path.join(dir, 'mnesia'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'log'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
  fs.writeFileSync(path.join(dir, 'rabbitmq-env.conf'), '');
  const defs = path.join(dir, 'definitions.json');
  if (definitions) fs.writeFileSync(defs, definitionsJson(definitions));
  fs.writeFileSync(
    path.join(dir, 'rabbitmq.conf'),
    `listeners.tcp.local = 127.0.0.1:${port}\nloopback_users.guest = true\n${
      definitions ? `load_definitions = ${defs}\n` : ''
    }`,
  );
  // rabbitmq-server runs as the rabbitmq user: it must own its folders and reach them.
  fs.chmodSync(path.dirname(dir), 0o755);
  run('chown', ['-R', 'rabbitmq:rabbitmq', dir]);
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_CONF_ENV_FILE: path.join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
    RABBITMQ_PID_FILE: path.join(dir, 'rabbit.pid'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const ctl = (...args: string[]) => run('rabbitmqctl', ['-q', '-n', node, ...args], env);
  run('rabbitmq-server', ['-detached'], env);
  // -detached returns before the node registers with epmd, and await_startup fails at once on a
  // node it cannot see yet: ask again until it answers.
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      ctl('await_startup', '--timeout', '120');
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      execFileSync('sleep', ['2']);
    }
  }
  return {
    node,
    port,
    ctl,
    restartApp: async () => {
      const ctlAsync = (...args: string[]) =>
        runAsync('rabbitmqctl', ['-q', '-n', node, ...args], env);
      await ctlAsync('stop_app');
      await ctlAsync('start_app');
      await ctlAsync('await_startup', '--timeout', '120');
    },
    stop: () => {
      try {
        ctl('stop');
      } catch {
        // already down
      }
    },
  };
}

export interface PrivatePostgres {
  readonly port: number;
  readonly url: string;
  /** `pg_ctl restart -m fast` (the event loop keeps running). */
  restart(): Promise<void>;
  stop(): void;
}

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort() : [];
  for (const v of versions.reverse()) {
    const bin = path.join(root, v, 'bin', name);
    if (fs.existsSync(bin)) return bin;
  }
  return name; // on the PATH
}

export async function startPrivatePostgres(dir: string): Promise<PrivatePostgres> {
  const port = await freePort();
  const data = path.join(dir, 'data');
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(path.dirname(dir), 0o755); // the postgres user must reach its folder
  run('chown', ['postgres:postgres', dir]);
  const asPostgres = (cmd: string, args: string[]) =>
    run('runuser', ['-u', 'postgres', '--', pgBin(cmd), ...args]);
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=60`;
  const ctlArgs = (...args: string[]) => [
    '-D',
    data,
    '-l',
    path.join(dir, 'postgres.log'),
    '-o',
    options,
    '-w',
    ...args,
  ];
  const ctl = (...args: string[]) => asPostgres('pg_ctl', ctlArgs(...args));
  ctl('start');
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () =>
      runAsync('runuser', [
        '-u',
        'postgres',
        '--',
        pgBin('pg_ctl'),
        ...ctlArgs('restart', '-m', 'fast'),
      ]),
    stop: () => {
      try {
        ctl('stop', '-m', 'fast');
      } catch {
        // already down
      }
    },
  };
}
