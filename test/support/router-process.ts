/**
 * The router as a real child process (`node bin/itk-router.js start --config <file>`), for tests
 * that crash, stop or restart things. Build first (`npm run build`): the bin runs dist/.
 *
 * `createRouterWorkspace` makes a tmp folder with a config file, a copy of the stock routes whose
 * `identities` are renamed to unique broker users (user names are broker-wide), and a path for the
 * SQLite store. `startRouterProcess` points the router at it with the environment overrides of the
 * product contract (AMQP_URL with the test vhost, ITK_ROUTER_ROUTES, ITK_ROUTER_STORE,
 * ITK_ROUTER_HTTP_PORT) and resolves once /readyz answers 200.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ROUTER_BIN = path.join(PACKAGE_ROOT, 'bin', 'itk-router.js');

/** Keys of config/router.yaml a test may set (everything else keeps its default). */
export interface RouterConfigOverrides {
  readonly prefetch?: number;
  readonly heartbeatSeconds?: number;
  readonly retry?: { attempts: number; initialDelayMs: number; maxDelayMs: number };
  readonly logLevel?: string;
}

export interface RouterWorkspace {
  readonly dir: string;
  readonly configFile: string;
  readonly routesDir: string;
  readonly storePath: string;
  /** End point id → the broker user named in its `identities` (unique to this workspace). */
  readonly users: Readonly<Record<string, string>>;
  /** Removes the folder. */
  remove(): void;
}

/**
 * A tmp folder: `router.yaml`, `routes/` (the stock routes, identities renamed to `<id>-<suffix>`)
 * and `store.sqlite` (created by the router).
 */
export function createRouterWorkspace(overrides: RouterConfigOverrides = {}): RouterWorkspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-router-disruptive-'));
  const routesDir = path.join(dir, 'routes');
  fs.mkdirSync(routesDir);
  const suffix = randomUUID().slice(0, 8);
  const users: Record<string, string> = {};
  const stock = path.join(PACKAGE_ROOT, 'routes');
  for (const file of fs.readdirSync(stock).filter((f) => f.endsWith('.yaml'))) {
    const text = fs
      .readFileSync(path.join(stock, file), 'utf8')
      .replace(/identities: \[([a-z0-9-]+)\]/g, (_, id: string) => {
        users[id] = `${id}-${suffix}`;
        return `identities: [${users[id]}]`;
      });
    fs.writeFileSync(path.join(routesDir, file), text);
  }
  const retry = overrides.retry ?? { attempts: 5, initialDelayMs: 500, maxDelayMs: 30000 };
  const configFile = path.join(dir, 'router.yaml');
  fs.writeFileSync(
    configFile,
    [
      '# written by test/support/router-process.ts; env overrides url, routes, store and port',
      'amqp:',
      `  prefetch: ${overrides.prefetch ?? 100}`,
      `  heartbeatSeconds: ${overrides.heartbeatSeconds ?? 10}`,
      'routes: ./routes',
      'store:',
      '  url: sqlite:store.sqlite',
      'http:',
      '  port: 0',
      '  host: 127.0.0.1',
      'log:',
      `  level: ${overrides.logLevel ?? 'info'}`,
      'retry:',
      `  attempts: ${retry.attempts}`,
      `  initialDelayMs: ${retry.initialDelayMs}`,
      `  maxDelayMs: ${retry.maxDelayMs}`,
      '',
    ].join('\n'),
  );
  return {
    dir,
    configFile,
    routesDir,
    storePath: path.join(dir, 'store.sqlite'),
    users,
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** One JSON log line of the router (winston), or `{ message: <raw line> }` if it was not JSON. */
export type LogLine = Record<string, unknown> & { message?: string };

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RouterProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The port of /healthz, /readyz, /metrics (from the "itk-router started" log line). */
  readonly httpPort: number;
  /** Every line written so far to stdout and stderr, parsed where it is JSON. */
  readonly logs: readonly LogLine[];
  /** Raw stderr (e.g. an uncaught exception). */
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  /** GET `path` on the router's HTTP server. */
  http(pathname: string): Promise<{ status: number; body: string }>;
  /** SIGKILL: no chance to finish anything. Resolves on exit. */
  kill9(): Promise<Exit>;
  /** Sends `signal` (default SIGTERM) and resolves on exit, with how long it took. */
  terminate(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit & { ms: number }>;
}

export interface StartOptions {
  readonly workspace: RouterWorkspace;
  /** AMQP URL including the vhost (guest on the test vhost will do). */
  readonly amqpUrl: string;
  readonly readyTimeoutMs?: number;
  /** Extra environment. */
  readonly env?: Record<string, string>;
}

/** Spawns `itk-router start` and resolves once /readyz says 200 (kills it if that never happens). */
export async function startRouterProcess(options: StartOptions): Promise<RouterProcess> {
  const { workspace, amqpUrl, readyTimeoutMs = 20_000 } = options;
  if (!fs.existsSync(path.join(PACKAGE_ROOT, 'dist', 'src', 'tools', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (the jest globalSetup does)');
  }
  const child = spawn(process.execPath, [ROUTER_BIN, 'start', '--config', workspace.configFile], {
    cwd: workspace.dir,
    env: {
      ...process.env,
      NODE_OPTIONS: '', // not jest's --experimental-vm-modules
      AMQP_URL: amqpUrl,
      ITK_ROUTER_ROUTES: workspace.routesDir,
      ITK_ROUTER_STORE: `sqlite:${workspace.storePath}`,
      ITK_ROUTER_HTTP_PORT: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter((l) => l.trim() !== '')) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ message: line });
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const deadline = Date.now() + readyTimeoutMs;
  let httpPort: number | undefined;
  while (httpPort === undefined) {
    const started = logs.find((l) => l.message === 'itk-router started');
    if (started) httpPort = Number(started.httpPort);
    else if (hasExited || Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(
        `router did not start (exit ${JSON.stringify(await exited)}):\n${stderr}\n` +
          logs.map((l) => JSON.stringify(l)).join('\n'),
      );
    } else await sleep(25);
  }
  const http = async (pathname: string) => {
    // A fresh connection each time (no keep-alive): a socket the server closed while idle
    // would otherwise fail the next request.
    const res = await fetch(`http://127.0.0.1:${httpPort}${pathname}`, {
      headers: { connection: 'close' },
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: await res.text() };
  };
  for (;;) {
    const ready = await http('/readyz').catch(() => undefined);
    if (ready?.status === 200) break;
    if (hasExited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`router never became ready: ${ready?.body ?? 'no answer'}\n${stderr}`);
    }
    await sleep(50);
  }
  return {
    child,
    pid: child.pid!,
    httpPort,
    logs,
    stderr: () => stderr,
    exited,
    http,
    async kill9() {
      if (!hasExited) child.kill('SIGKILL');
      return exited;
    },
    async terminate(signal = 'SIGTERM', timeoutMs = 15_000) {
      const t0 = Date.now();
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return { ...exit, ms: Date.now() - t0 };
    },
  };
}

/** `itk-router track <id> --json` against the workspace's store; the parsed story and exit code. */
export function trackCli(
  workspace: RouterWorkspace,
  trackingId: string,
): { status: number | null; story: unknown; stderr: string } {
  const result = spawnSync(process.execPath, [ROUTER_BIN, 'track', trackingId, '--json'], {
    cwd: workspace.dir,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      ITK_ROUTER_ROUTES: workspace.routesDir,
      ITK_ROUTER_STORE: `sqlite:${workspace.storePath}`,
    },
    encoding: 'utf8',
    timeout: 20_000,
  });
  let story: unknown;
  try {
    story = JSON.parse(result.stdout);
  } catch {
    story = undefined;
  }
  return { status: result.status, story, stderr: result.stderr };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
