/**
 * `npm run soak -- --minutes 30`: one router on SQLite (or `--store postgres`) fed 3 KB care-plan
 * notifications at half its maximum rate (measured first, or `--rate`) for the given time. Every
 * 10 s it samples the router's RSS (/proc), its event-loop lag (the router's own /metrics:
 * itk_nodejs_eventloop_lag_p99_seconds) and the store's size, and writes reports/soak/soak.csv
 * and reports/soak/soak.svg (RSS, lag and store size over time), plus a summary with the RSS trend after
 * warm-up (least-squares slope over the second half, and after the first sixth). Figures only;
 * asserts nothing. `--replot` draws soak.svg again from soak.csv.
 * Uses the shared broker on a throw-away vhost (rabbitmqctl), as `npm run bench` does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'amqplib';
import pg from 'pg';
import { packagePath } from '../../src/router/00-common/package-root.js';
import { topologyNames } from '../../src/router/02-transport/names.js';
import { declareTopology } from '../../src/router/02-transport/topology.js';
import { createBenchVhost } from '../router/bench-vhost.js';
import { runLoad } from '../router/load.js';
import { postgresSchema } from '../router/parts.js';
import {
  DESTINATION,
  NOTIFICATION_ROUTES,
  routerWorkspace,
  rssMb,
  SENDER,
  spawnRouter,
  stopProcess,
} from '../router-process.js';

const argOf = (name: string): string | undefined => {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const MINUTES = Number(argOf('minutes') ?? 30);
const FIXED_RATE = argOf('rate') === undefined ? undefined : Number(argOf('rate'));
const STORE = argOf('store') ?? 'sqlite';
const SAMPLE_S = Number(argOf('sample-seconds') ?? 10);
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const names = topologyNames('itk');

interface Sample {
  t: number;
  rssMb: number;
  lagP99Ms: number;
  storeMb: number;
  delivered: number;
  /** The machine's 1-minute load average: the soak shares the cores with whatever else runs. */
  load1: number;
}

async function lagP99Ms(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const v = /^itk_nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(text)?.[1];
    return v === undefined ? Number.NaN : Number(v) * 1000;
  } catch {
    return Number.NaN;
  }
}

function fileMb(file: string): number {
  let bytes = 0;
  for (const f of [file, `${file}-wal`]) if (fs.existsSync(f)) bytes += fs.statSync(f).size;
  return bytes / 1024 / 1024;
}

async function postgresMb(url: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ b: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS b FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [schema],
    );
    return Number(rows[0]!.b) / 1024 / 1024;
  } finally {
    await client.end();
  }
}

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

function svg(samples: readonly Sample[]): string {
  const W = 800;
  const H = 400;
  const pad = 50;
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const rssMax = Math.max(50, ...samples.map((s) => s.rssMb)) * 1.1;
  const lagMax =
    Math.max(10, ...samples.map((s) => (Number.isFinite(s.lagP99Ms) ? s.lagP99Ms : 0))) * 1.1;
  const storeMax =
    Math.max(1, ...samples.map((s) => (Number.isFinite(s.storeMb) ? s.storeMb : 0))) * 1.1;
  const x = (t: number) => pad + ((W - 2 * pad) * t) / tMax;
  const y = (v: number, max: number) => H - pad - ((H - 2 * pad) * v) / max;
  const line = (pick: (s: Sample) => number, max: number) =>
    samples
      .filter((s) => Number.isFinite(pick(s)))
      .map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.t).toFixed(1)},${y(pick(s), max).toFixed(1)}`)
      .join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad}" y="20">itk-router soak over ${(tMax / 60).toFixed(1)} min: RSS (MB, blue, left axis 0–${rssMax.toFixed(0)}), event-loop lag p99 (ms, red, right axis 0–${lagMax.toFixed(0)})</text>
<text x="${pad}" y="36">and store size (MB, green, scaled to 0–${storeMax.toFixed(0)}); the 1-minute load average of the machine is in soak.csv</text>
<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="black"/>
<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${H - pad}" stroke="black"/>
<line x1="${W - pad}" y1="${pad}" x2="${W - pad}" y2="${H - pad}" stroke="black"/>
<line x1="${pad}" y1="${y(250, rssMax)}" x2="${W - pad}" y2="${y(250, rssMax)}" stroke="#99c" stroke-dasharray="4"/>
<text x="${pad + 4}" y="${y(250, rssMax) - 4}" fill="#66a">250 MB</text>
<text x="${pad - 40}" y="${y(rssMax / 1.1, rssMax)}" fill="blue">${(rssMax / 1.1).toFixed(0)}</text>
<text x="${W - pad + 4}" y="${y(lagMax / 1.1, lagMax)}" fill="red">${(lagMax / 1.1).toFixed(0)}</text>
<text x="${W / 2}" y="${H - 15}">minutes (0–${(tMax / 60).toFixed(1)})</text>
<path d="${line((s) => s.rssMb, rssMax)}" fill="none" stroke="blue" stroke-width="2"/>
<path d="${line((s) => s.lagP99Ms, lagMax)}" fill="none" stroke="red" stroke-width="1.5"/>
<path d="${line((s) => s.storeMb, storeMax)}" fill="none" stroke="green" stroke-width="1.5" stroke-dasharray="6 3"/>
</svg>
`;
}

async function main(): Promise<void> {
  const vhost = createBenchVhost([SENDER, DESTINATION]);
  const ws = routerWorkspace('soak', NOTIFICATION_ROUTES);
  const template = fs.readFileSync(
    packagePath('test', 'fixtures', 'bench', 'careplan-notification-3k.xml'),
    'utf8',
  );
  const guestUrl = vhost.url('guest');
  const httpPort = 20000 + Math.floor(Math.random() * 20000);
  const sqliteFile = path.join(ws.dir, 'store.sqlite');
  let storeUrl = `sqlite:${sqliteFile}`;
  let storeSize = async () => fileMb(sqliteFile);
  let dropSchema = async () => {};
  if (STORE === 'postgres') {
    const s = await postgresSchema(POSTGRES_URL);
    storeUrl = s.storeUrl;
    dropSchema = s.drop;
    const schema = /search_path%3D(\w+)|search_path=(\w+)/.exec(decodeURIComponent(storeUrl));
    const name = schema?.[1] ?? schema?.[2] ?? '';
    storeSize = () => postgresMb(POSTGRES_URL, name);
  }
  const router = spawnRouter(ws, { amqpUrl: guestUrl, store: storeUrl, httpPort });
  try {
    const setup = await connect(guestUrl);
    await declareTopology(await setup.createChannel(), names, [SENDER, DESTINATION]);
    await setup.close();
    await sleep(2000);
    const load = (rate: number, count: number, timeoutMs = 60_000) =>
      runLoad({
        senderUrl: vhost.url(SENDER),
        senderUser: SENDER,
        receiverUrl: guestUrl,
        exchange: names.inboundExchange,
        destinationQueue: names.endpointQueue(DESTINATION),
        template,
        count,
        rate,
        timeoutMs,
      });
    let rate = FIXED_RATE;
    if (rate === undefined) {
      await load(0, 300);
      const max = await load(0, 2000);
      rate = Math.max(10, Math.floor(max.msgPerSec / 2));
      process.stderr.write(`max ${max.msgPerSec.toFixed(0)} msg/s → soak at ${rate} msg/s\n`);
    }
    const samples: Sample[] = [];
    const dir = packagePath('reports', 'soak');
    fs.mkdirSync(dir, { recursive: true });
    const csv = path.join(dir, 'soak.csv');
    // Written as it goes: a soak stopped early still leaves its samples.
    fs.writeFileSync(csv, 'seconds,rss_mb,eventloop_lag_p99_ms,store_mb,delivered,load1\n');
    const start = performance.now();
    let delivered = 0;
    let lost = 0;
    const sampler = setInterval(() => {
      void (async () => {
        samples.push({
          t: (performance.now() - start) / 1000,
          rssMb: rssMb(router.pid),
          lagP99Ms: await lagP99Ms(httpPort),
          storeMb: await storeSize().catch(() => Number.NaN),
          delivered,
          load1: os.loadavg()[0]!,
        });
        const s = samples.at(-1)!;
        fs.appendFileSync(
          csv,
          `${s.t.toFixed(0)},${s.rssMb.toFixed(1)},${s.lagP99Ms.toFixed(2)},${s.storeMb.toFixed(2)},${s.delivered},${s.load1.toFixed(2)}\n`,
        );
        process.stderr.write(
          `${(s.t / 60).toFixed(1)} min: RSS ${s.rssMb.toFixed(0)} MB, lag p99 ${s.lagP99Ms.toFixed(1)} ms, store ${s.storeMb.toFixed(1)} MB, ${s.delivered} delivered, load ${s.load1.toFixed(1)}\n`,
        );
      })();
    }, SAMPLE_S * 1000);
    // Load in chunks of ~30 s, so delivered counts and losses show as the soak goes.
    const end = start + MINUTES * 60_000;
    while (performance.now() < end) {
      const seconds = Math.min(30, Math.max(1, (end - performance.now()) / 1000));
      const r = await load(rate, Math.max(1, Math.floor(rate * seconds)), 120_000);
      delivered += r.received;
      lost += r.sent - r.received;
    }
    clearInterval(sampler);
    await sleep(200);

    fs.writeFileSync(path.join(dir, 'soak.svg'), svg(samples));
    const later = samples.filter((s) => s.t >= (MINUTES * 60) / 2);
    const trend = slope(later.map((s) => [s.t / 60, s.rssMb]));
    // Warm-up: the first sixth of the run (5 min of 30), at least 2 min.
    const warmupS = Math.max(120, (MINUTES * 60) / 6);
    const warm = samples.filter((s) => s.t >= warmupS && Number.isFinite(s.rssMb));
    const warmTrend = slope(warm.map((s) => [s.t / 600, s.rssMb]));
    const summary = {
      date: new Date().toISOString(),
      machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}`,
      loadAverageAtEnd: os.loadavg(),
      store: STORE,
      minutes: MINUTES,
      ratePerSecond: rate,
      delivered,
      missing: lost,
      rssMb: {
        first: samples[0]?.rssMb,
        max: Math.max(...samples.map((s) => s.rssMb)),
        last: samples.at(-1)?.rssMb,
        trendSecondHalfMbPerMin: trend,
        afterWarmup: {
          fromSeconds: warmupS,
          min: Math.min(...warm.map((s) => s.rssMb)),
          max: Math.max(...warm.map((s) => s.rssMb)),
          slopeMbPer10Min: warmTrend,
        },
      },
      lagP99MsMax: Math.max(...samples.map((s) => (Number.isFinite(s.lagP99Ms) ? s.lagP99Ms : 0))),
      storeMbLast: samples.at(-1)?.storeMb,
      loadAverage1Min: {
        min: Math.min(...samples.map((s) => s.load1)),
        median: [...samples.map((s) => s.load1)].sort((a, b) => a - b)[
          Math.floor(samples.length / 2)
        ],
        max: Math.max(...samples.map((s) => s.load1)),
      },
    };
    fs.writeFileSync(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    await stopProcess(router);
    vhost.remove();
    await dropSchema().catch(() => undefined);
    ws.remove();
  }
}

/** `--replot`: soak.svg again from reports/soak/soak.csv (a finished or stopped soak). */
function replot(): void {
  const dir = packagePath('reports', 'soak');
  const [, ...lines] = fs.readFileSync(path.join(dir, 'soak.csv'), 'utf8').trim().split('\n');
  const samples = lines.map((line): Sample => {
    const [t, rss, lag, store, delivered, load1] = line.split(',').map(Number);
    return {
      t: t!,
      rssMb: rss!,
      lagP99Ms: lag!,
      storeMb: store!,
      delivered: delivered!,
      load1: load1 ?? Number.NaN,
    };
  });
  fs.writeFileSync(path.join(dir, 'soak.svg'), svg(samples));
}

if (process.argv.includes('--replot')) replot();
else await main();
