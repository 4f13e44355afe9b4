/**
 * `itk-router demo`, the five-minute tour: a vhost of its own on the local broker, a broker user
 * per end point, the router in this process (stock routes, temporary SQLite store), four
 * simulated systems, and a day of care-plan messages told in plain English as they arrive.
 * Leaves nothing behind: vhost, users and files are deleted at the end, also when interrupted.
 */
import fs from 'node:fs';
import { loadRouterConfig, packageRoot } from '../../router/01-config/index.js';
import { loadRouteTable, startRouter, type RunningRouter } from '../../router/main.js';
import { createLogger, silentLogger } from '../../router/00-common/logger.js';
import { topologyNames } from '../../router/02-transport/names.js';
import { createSandbox, type Sandbox } from '../sandbox/broker-sandbox.js';
import type { CareSystem } from './care-system.js';
import type { Role } from './cast.js';
import { Journal } from './journal.js';
import { Narrator } from './narrator.js';
import { DayPlayer, type DayOutcome } from './play-day.js';
import { SceneClock } from './scene-clock.js';
import { checkCast, startSystems, stopSystems } from './start-systems.js';
import { tellOutcome, tellSetting } from './tell-day.js';
import { THE_DAY } from './day/the-day.js';

export interface DemoOptions {
  /** A router config file (for the broker URL, name prefix, log level); defaults otherwise. */
  readonly configPath?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly write: (text: string) => void;
  /** How long each scene may take for all its messages to arrive. */
  readonly sceneTimeoutMs?: number;
  /** A pause between scenes, to read along (default none). */
  readonly scenePauseMs?: number;
  /** Where the router's JSON log lines go; none by default. */
  readonly logFile?: string;
  /** The broker's management API; default http://<AMQP host>:15672. */
  readonly managementUrl?: string;
  /** Abort to stop early (Ctrl-C): the demo still cleans up. */
  readonly signal?: AbortSignal;
}

export interface DemoResult {
  readonly ok: boolean;
  readonly interrupted: boolean;
  readonly vhost: string;
  readonly brokerUsers: readonly string[];
  readonly problems: readonly string[];
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const say = new Narrator(o.write);
  const base = loadRouterConfig(o.configPath, o.env);
  const sandbox: Sandbox = await createSandbox({
    amqpUrl: base.amqp.url,
    prefix: base.amqp.prefix,
    stockRoutes: `${packageRoot()}/routes`,
    ...(o.managementUrl ? { managementUrl: o.managementUrl } : {}),
  });
  const brokerUsers = [...sandbox.users.values()].map((u) => u.name);
  const logStream = o.logFile ? fs.createWriteStream(o.logFile, { flags: 'a' }) : undefined;
  let router: RunningRouter | undefined;
  let systems: Partial<Record<Role, CareSystem>> = {};
  let outcome: DayOutcome = { scenesPlayed: 0, messages: 0, problems: [], interrupted: false };
  const problems: string[] = [];
  try {
    const config = loadRouterConfig(o.configPath, {
      ...o.env,
      AMQP_URL: sandbox.url,
      ITK_ROUTER_ROUTES: sandbox.routesDir,
      ITK_ROUTER_STORE: `sqlite:${sandbox.storePath}`,
      ITK_ROUTER_HTTP_PORT: '0',
    });
    const { table } = loadRouteTable(config);
    checkCast(table);
    const names = topologyNames(config.amqp.prefix);
    tellSetting(say, {
      vhost: sandbox.vhost,
      broker: new URL(base.amqp.url).host,
      via: sandbox.admin.via,
      table,
      prefix: names.prefix,
      ...(o.logFile ? { logFile: o.logFile } : {}),
    });
    o.signal?.throwIfAborted();

    router = await startRouter(
      config,
      logStream ? createLogger(config.log.level, logStream) : silentLogger(),
    );
    const clock = new SceneClock();
    const journal = new Journal();
    const systemsByRole = {} as Record<Role, CareSystem>;
    const day = { systems: systemsByRole, locator: table.locatorAddress!, clock, state: {} };
    const player = new DayPlayer(say, { table, journal }, journal, day);
    systems = await startSystems({
      table,
      names,
      users: sandbox.users,
      clock,
      journal,
      onArrival: player.arrived,
      onProblem: player.trouble,
    });
    Object.assign(systemsByRole, systems);
    o.signal?.throwIfAborted();
    outcome = await player.play(THE_DAY, o.sceneTimeoutMs ?? 10_000, o.scenePauseMs ?? 0, o.signal);
  } catch (err) {
    if (o.signal?.aborted) outcome = { ...outcome, interrupted: true };
    else problems.push((err as Error).message);
  } finally {
    await stopSystems(systems);
    await router?.stop().catch((e: Error) => problems.push(`stopping the router: ${e.message}`));
    await sandbox.dispose().catch((e: Error) => problems.push(e.message));
    logStream?.end();
  }
  problems.unshift(...outcome.problems);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const ok =
    problems.length === 0 && !outcome.interrupted && outcome.scenesPlayed === THE_DAY.length;
  tellOutcome(say, THE_DAY, { ok, outcome, problems, vhost: sandbox.vhost, seconds });
  return { ok, interrupted: outcome.interrupted, vhost: sandbox.vhost, brokerUsers, problems };
}
