/**
 * `npm run bench`: the router beside a bare amqplib forwarder, on the same broker in one run.
 * 3 KB care-plan notifications over persistent quorum queues; msg/s at full speed, then p50 / p99
 * end-to-end latency at half of each one's own maximum rate. Prints a table; asserts nothing.
 *
 *   npm run bench                       bare forwarder, router on SQLite
 *   npm run bench -- --store postgres   also the router on PostgreSQL, one and two instances
 *                                       sharing the queue (BENCH_POSTGRES_URL, default the local
 *                                       test database; a schema of its own per run, dropped after)
 *
 * Before the rounds, the parts alone in this process: the validator, and the store (SQLite and,
 * with --store postgres, PostgreSQL); with the forwarder's CPU per message from the rounds, the
 * router's CPU per message is printed over the sum of its parts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'amqplib';
import { packagePath } from '../../src/router/00-common/package-root.js';
import { topologyNames } from '../../src/router/02-transport/names.js';
import { declareTopology } from '../../src/router/02-transport/topology.js';
import { loadFixture } from '../fixtures.js';
import {
  cpuSeconds,
  DESTINATION,
  NOTIFICATION_ROUTES,
  routerWorkspace,
  SENDER,
  spawnRouter,
  stopProcess,
} from '../router-process.js';
import { createBenchVhost } from './bench-vhost.js';
import { runLoad, type LoadResult } from './load.js';
import { postgresSchema, postgresStoreCpuUs, sqliteStoreCpuUs, validatorCpuUs } from './parts.js';

const COUNT = Number(process.env.BENCH_COUNT ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HALF_RATE_SECONDS = 4;
const names = topologyNames('itk');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function storeOption(): 'sqlite' | 'postgres' {
  const args = process.argv.slice(2);
  const i = args.indexOf('--store');
  const value = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--store='))?.slice(8);
  if (value === undefined || value === 'sqlite') return 'sqlite';
  if (value === 'postgres') return 'postgres';
  throw new Error(`--store takes sqlite or postgres, not ${value}`);
}

function brokerPid(): number | undefined {
  try {
    const pid = Number(
      execFileSync('pgrep', ['-o', '-f', 'beam.smp'], { encoding: 'utf8' }).trim(),
    );
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Total CPU seconds of several processes; undefined if one cannot be read. */
function cpuSecondsOf(pids: readonly (number | undefined)[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const s = cpuSeconds(pid);
    if (s === undefined) return undefined;
    total += s;
  }
  return total;
}

/**
 * CPU µs per message of the forwarder (all its processes: two router instances are summed), the
 * broker and the load generator during one run.
 */
async function measuredCpu<T extends { received: number }>(
  forwarderPids: readonly (number | undefined)[],
  run: () => Promise<T>,
): Promise<{ result: T; cpu: Record<'forwarder' | 'broker' | 'load', number> }> {
  const broker = brokerPid();
  const before = { f: cpuSecondsOf(forwarderPids), b: cpuSeconds(broker), l: process.cpuUsage() };
  const result = await run();
  const perMessage = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? Number.NaN : ((b - a) * 1e6) / result.received;
  const load = process.cpuUsage(before.l);
  return {
    result,
    cpu: {
      forwarder: perMessage(before.f, cpuSecondsOf(forwarderPids)),
      broker: perMessage(before.b, cpuSeconds(broker)),
      load: (load.user + load.system) / result.received,
    },
  };
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`child exited (${code}) before it was ready:\n${seen}`)),
    );
  });
}

type Kind = 'bare' | 'sqlite' | 'postgres' | 'postgres×2';

const LABELS: Record<Kind, string> = {
  bare: 'bare amqplib forwarder',
  sqlite: 'itk-router, SQLite',
  postgres: 'itk-router, PostgreSQL',
  'postgres×2': '2 × itk-router, PG',
};

async function main(): Promise<void> {
  const storeKind = storeOption();
  const kinds: Kind[] =
    storeKind === 'postgres' ? ['bare', 'sqlite', 'postgres', 'postgres×2'] : ['bare', 'sqlite'];
  const loadAtStart = os.loadavg();

  // The parts alone, before the broker is busy: validator, store (client CPU).
  const body = loadFixture('small').bytes;
  process.stderr.write('measuring the parts alone: validator, store …\n');
  const parts = {
    validator: await validatorCpuUs(body),
    sqlite: await sqliteStoreCpuUs(body),
    postgres: storeKind === 'postgres' ? await postgresStoreCpuUs(POSTGRES_URL, body) : Number.NaN,
  };

  const vhost = createBenchVhost([SENDER, DESTINATION]);
  // BENCH_ROUTER_CONFIG: extra router.yaml lines (e.g. 'amqp: { prefetch: 300 }').
  const ws = routerWorkspace('bench', NOTIFICATION_ROUTES, process.env.BENCH_ROUTER_CONFIG ?? '');
  const template = fs.readFileSync(
    packagePath('test', 'fixtures', 'bench', 'careplan-notification-3k.xml'),
    'utf8',
  );
  const guestUrl = vhost.url('guest');
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const setup = await connect(guestUrl, { noDelay: true });
    const channel = await setup.createChannel();
    await declareTopology(channel, names, [SENDER, DESTINATION]);
    await setup.close();

    const bare = async (): Promise<ChildProcess[]> => {
      const child = spawn(
        process.execPath,
        [
          packagePath('dist', 'bench', 'router', 'bare-forwarder.js'),
          guestUrl,
          names.routerInboundQueue,
          names.deliverExchange,
          DESTINATION,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await waitForLine(child, /ready/);
      return [child];
    };
    // BENCH_NODE_ARGS: extra node flags for the router process (e.g. --cpu-prof).
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const router = (store: string, n: number): ChildProcess[] =>
      Array.from({ length: n }, () =>
        spawnRouter(ws, {
          amqpUrl: guestUrl,
          store,
          nodeArgs,
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      );
    const pgRouter = async (n: number): Promise<ChildProcess[]> => {
      const schema = await postgresSchema(POSTGRES_URL);
      cleanups.push(schema.drop);
      const children = router(schema.storeUrl, n);
      await sleep(2000 + 500 * n); // the router logs nothing at warn level when it starts
      return children;
    };
    const starters: Record<Kind, () => Promise<ChildProcess[]>> = {
      bare,
      sqlite: async () => {
        const children = router(`sqlite:${path.join(ws.dir, `store-${Date.now()}.sqlite`)}`, 1);
        await sleep(1500); // the router logs nothing at warn level when it starts
        return children;
      },
      postgres: () => pgRouter(1),
      'postgres×2': () => pgRouter(2),
    };

    const load = (rate: number, count: number) =>
      runLoad({
        senderUrl: vhost.url(SENDER),
        senderUser: SENDER,
        receiverUrl: guestUrl,
        exchange: names.inboundExchange,
        destinationQueue: names.endpointQueue(DESTINATION),
        template,
        count,
        rate,
        timeoutMs: 60000,
      });

    type Cpu = Awaited<ReturnType<typeof measuredCpu>>['cpu'];
    const results = Object.fromEntries(
      kinds.map((k) => [
        k,
        { max: [] as LoadResult[], half: [] as LoadResult[], cpu: [] as Cpu[] },
      ]),
    ) as Record<Kind, { max: LoadResult[]; half: LoadResult[]; cpu: Cpu[] }>;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of kinds) {
        const children = await starters[kind]();
        try {
          await load(0, 300); // warm-up
          const { result: max, cpu } = await measuredCpu(
            children.map((c) => c.pid),
            () => load(0, COUNT),
          );
          results[kind].cpu.push(cpu);
          const rate = Math.max(50, Math.floor(max.msgPerSec / 2));
          const half = await load(rate, Math.floor(rate * HALF_RATE_SECONDS));
          results[kind].max.push(max);
          results[kind].half.push(half);
          process.stderr.write(
            `round ${round} ${kind}: ${max.msgPerSec.toFixed(0)} msg/s max (CPU µs/msg: ${kind} ${cpu.forwarder.toFixed(0)}, broker ${cpu.broker.toFixed(0)}, load ${cpu.load.toFixed(0)}); at ${rate}/s p50 ${half.p50Ms.toFixed(1)} ms p99 ${half.p99Ms.toFixed(1)} ms\n`,
          );
        } finally {
          await Promise.all(children.map((c) => stopProcess(c)));
        }
      }
    }
    const row = (kind: Kind) => {
      const r = results[kind];
      return {
        msgPerSec: median(r.max.map((x) => x.msgPerSec)),
        p50: median(r.half.map((x) => x.p50Ms)),
        p99: median(r.half.map((x) => x.p99Ms)),
        cpu: median(r.cpu.map((x) => x.forwarder)),
        brokerCpu: median(r.cpu.map((x) => x.broker)),
        loadCpu: median(r.cpu.map((x) => x.load)),
        lost: [...r.max, ...r.half].reduce((n, x) => n + x.sent - x.received, 0),
        duplicates: [...r.max, ...r.half].reduce((n, x) => n + x.duplicates, 0),
      };
    };
    const rows = Object.fromEntries(kinds.map((k) => [k, row(k)])) as Record<
      Kind,
      ReturnType<typeof row>
    >;
    const line = (name: string, x: ReturnType<typeof row>) =>
      `| ${name.padEnd(22)} | ${x.msgPerSec.toFixed(0).padStart(8)} | ${x.p50.toFixed(1).padStart(8)} | ${x.p99.toFixed(1).padStart(8)} | ${String(x.lost).padStart(7)} | ${String(x.duplicates).padStart(5)} | ${x.cpu.toFixed(0).padStart(8)} | ${x.brokerCpu.toFixed(0).padStart(11)} |`;
    const loadAtEnd = os.loadavg();
    console.log(
      `itk-router bench: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}, ${new Date().toISOString()}`,
    );
    console.log(
      `load average (1, 5, 15 min): at start ${loadAtStart.map((x) => x.toFixed(2)).join(', ')}; at end ${loadAtEnd.map((x) => x.toFixed(2)).join(', ')}`,
    );
    console.log(
      `${COUNT} × ${Buffer.byteLength(template)} B notifications per max-rate run, ${ROUNDS} rounds (medians), persistent, quorum queues`,
    );
    console.log(
      '| forwarder              |    msg/s | p50 ms ½ | p99 ms ½ | missing | dupes | CPU µs/m | broker µs/m |',
    );
    console.log(
      '|------------------------|----------|----------|----------|---------|-------|----------|-------------|',
    );
    for (const k of kinds) console.log(line(LABELS[k], rows[k]));
    const b = rows.bare;
    const sq = rows.sqlite;
    console.log(
      `router (SQLite) / bare throughput: ${((sq.msgPerSec / b.msgPerSec) * 100).toFixed(0)}%  (latency columns: at half of each one's own max rate)`,
    );
    // What 50% of bare would take: the CPU the cores have per message at that rate, less what the
    // broker and the load generator spent per message while the router ran.
    const halfBare = b.msgPerSec / 2;
    const perMessage = (os.cpus().length * 1e6) / halfBare;
    const others = sq.brokerCpu + sq.loadCpu;
    console.log(
      `CPU budget at 50% of bare (${halfBare.toFixed(0)} msg/s): ${os.cpus().length} cores give ${perMessage.toFixed(0)} µs per message; broker and load generator took ${others.toFixed(0)} → at most ${(perMessage - others).toFixed(0)} µs for the router, which used ${sq.cpu.toFixed(0)}`,
    );
    console.log();
    console.log('Sum of parts (CPU µs per message; parts measured alone in this run):');
    const sumLine = (name: string, store: number, routerCpu: number) => {
      const sum = b.cpu + parts.validator + store;
      console.log(
        `  ${name.padEnd(10)} forwarder ${b.cpu.toFixed(0)} + validator ${parts.validator.toFixed(0)} + store ${store.toFixed(0)} = ${sum.toFixed(0)}; router ${routerCpu.toFixed(0)} → ${(routerCpu / sum).toFixed(2)}× the sum (target ≤ 1.4×)`,
      );
    };
    sumLine('SQLite', parts.sqlite, sq.cpu);
    if (storeKind === 'postgres') {
      const p1 = rows.postgres;
      const p2 = rows['postgres×2'];
      sumLine('PostgreSQL', parts.postgres, p1.cpu);
      console.log();
      console.log(
        `router on PostgreSQL / on SQLite: ${((p1.msgPerSec / sq.msgPerSec) * 100).toFixed(0)}% in msg/s, ${((sq.cpu / p1.cpu) * 100).toFixed(0)}% in CPU accounting (1e6 / router CPU µs per message) (target ≥ 80%)`,
      );
      console.log(
        `two instances on PostgreSQL / one, CPU accounting (2 × CPU per message of one / summed CPU per message of two): ${((2 * p1.cpu) / p2.cpu).toFixed(2)}× (target ≥ 1.5×); wall clock ${(p2.msgPerSec / p1.msgPerSec).toFixed(2)}× (capped: the broker, PostgreSQL and the load generator share the ${os.cpus().length} cores)`,
      );
    }
    console.log(
      'missing: sent in a run but never arrived at the destination; dupes: second copies of one (the bare forwarder has no duplicate check)',
    );
    console.log(
      `CPU µs/m: CPU time per message of the forwarder process(es) and of the broker during the max-rate run (${os.cpus().length} cores shared by broker, load generator, PostgreSQL and forwarder)`,
    );
    console.log(
      'store part: the store calls of one notification, 100 in flight, CPU of the bench process only (PostgreSQL server work excluded, as it is from the router figure)',
    );
  } finally {
    vhost.remove();
    for (const drop of cleanups) await drop().catch(() => undefined);
    ws.remove();
  }
}

await main();
