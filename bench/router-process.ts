/**
 * What the router benchmarks share (`npm run bench`, `npm run soak`, `npm run chaos`): a
 * throw-away workspace (routes folder, router.yaml), a router process started from the built
 * tree with its broker, store and HTTP port in the environment, and readings of a process
 * (RSS, CPU) from /proc.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packagePath } from '../src/router/00-common/package-root.js';

/** The set-up of `npm run bench` and `npm run soak`: a GP notifies the community team. */
export const SENDER = 'riverside-gp';
export const DESTINATION = 'riverside-community';
export const NOTIFICATION_ROUTES = `endpoints:
  riverside-gp: { name: GP, addresses: [urn:nhs-uk:addressing:ods:A83001], identities: [riverside-gp] }
  riverside-community: { name: Community, addresses: ['urn:nhs-uk:addressing:ods:RDE01:*'], identities: [riverside-community] }
careplans:
  locatorAddress: urn:nhs-uk:addressing:ods:ITKROUTER:LOCATOR
  planTypes: [end-of-life]
`;

export interface RouterWorkspace {
  readonly dir: string;
  readonly routesDir: string;
  /** router.yaml: `log: { level: warn }` and the extra lines given. */
  readonly config: string;
  remove(): void;
}

/** A temporary folder with routes/locality.yaml and router.yaml. */
export function routerWorkspace(
  prefix: string,
  routesYaml: string,
  extraConfig = '',
): RouterWorkspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `itk-${prefix}-`));
  const routesDir = path.join(dir, 'routes');
  fs.mkdirSync(routesDir);
  fs.writeFileSync(path.join(routesDir, 'locality.yaml'), routesYaml);
  const config = path.join(dir, 'router.yaml');
  fs.writeFileSync(config, `log: { level: warn }\n${extraConfig}\n`);
  return { dir, routesDir, config, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface RouterStart {
  readonly amqpUrl: string;
  /** `sqlite:<file>` or `postgres://…`. */
  readonly store: string;
  /** 0 (the default): the router picks a free port. */
  readonly httpPort?: number;
  /** Extra node flags (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  readonly stdio?: StdioOptions;
}

/** `itk-router start` of the built tree, configured by the workspace and the environment. */
export function spawnRouter(ws: RouterWorkspace, o: RouterStart): ChildProcess {
  return spawn(
    process.execPath,
    [...(o.nodeArgs ?? []), packagePath('bin', 'itk-router.js'), 'start', '--config', ws.config],
    {
      env: {
        ...process.env,
        AMQP_URL: o.amqpUrl,
        ITK_ROUTER_ROUTES: ws.routesDir,
        ITK_ROUTER_STORE: o.store,
        ITK_ROUTER_HTTP_PORT: String(o.httpPort ?? 0),
      },
      stdio: o.stdio ?? ['ignore', 'ignore', 'inherit'],
    },
  );
}

/** SIGTERM, then wait for the exit (at most `timeoutMs`). */
export async function stopProcess(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(timeoutMs)]);
}

/** Resident set size of a process in MB (/proc); NaN when it cannot be read. */
export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined elsewhere. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ)
  } catch {
    return undefined;
  }
}
