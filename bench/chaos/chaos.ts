/**
 * `npm run chaos`: a stream of care-plan messages from several suppliers through two router
 * instances on PostgreSQL, with faults injected during it: `kill -9` of a random instance
 * (restarted at once) `--kills` times at random moments, one broker restart (stop_app /
 * start_app) and one PostgreSQL restart (pg_ctl restart -m fast). It then counts, per message,
 * what arrived where against what the contract says should, and writes reports/chaos/report.md
 * and report.json. Figures only: it asserts nothing, but exits 1 when a message was lost or had
 * a wrong outcome.
 *
 * Everything runs on a PRIVATE RabbitMQ node and a PRIVATE PostgreSQL cluster this script starts
 * and stops (private-services.ts): the shared ones are never restarted. Needs root (rabbitmqctl,
 * runuser postgres) and a built tree.
 *
 *   npm run chaos -- [--messages 20000] [--kills 10] [--rate 100] [--seed 1]
 *
 * The mix (per supplier, three suppliers): care-plan notifications (`created`, a plan each) that
 * must reach the community team's queue exactly once; exact re-sends of earlier ones (duplicates:
 * no second delivery); notifications with an invalid payload (a nack to the supplier naming the
 * tracking id, never a delivery). A second copy of a delivered message is counted as a duplicate
 * delivery and explained by the fault nearest before it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Channel, type ConfirmChannel, type ChannelModel } from 'amqplib';
import { packagePath } from '../../src/router/00-common/package-root.js';
import { topologyNames } from '../../src/router/02-transport/names.js';
import { declareTopology } from '../../src/router/02-transport/topology.js';
import { startPrivateBroker, startPrivatePostgres } from './private-services.js';

const arg = (name: string, fallback: number): number => {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} takes a number ≥ 0`);
  return v;
};

const MESSAGES = arg('messages', 20_000);
const KILLS = arg('kills', 10);
const RATE = arg('rate', 100);
const BROKER_RESTARTS = arg('broker-restarts', 1);
const PG_RESTARTS = arg('pg-restarts', 1);
let seed = arg('seed', Date.now() % 100_000);
const SEED = seed;
/** A small deterministic generator (mulberry32), so a run can be repeated with --seed. */
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const SUPPLIERS = [
  { endpoint: 'riverside-gp', ods: 'A83001' },
  { endpoint: 'st-marys-hospice', ods: 'HOSP01' },
  { endpoint: 'ooh-111', ods: 'NWAS111' },
] as const;
const RECIPIENT = 'riverside-community';
const names = topologyNames('itk');

const ROUTES = `endpoints:
${SUPPLIERS.map((s) => `  ${s.endpoint}: { name: ${s.endpoint}, addresses: [urn:nhs-uk:addressing:ods:${s.ods}], identities: [chaos-${s.endpoint}] }`).join('\n')}
  ${RECIPIENT}: { name: Community, addresses: ['urn:nhs-uk:addressing:ods:RDE01:*'], identities: [chaos-${RECIPIENT}] }
careplans:
  locatorAddress: urn:nhs-uk:addressing:ods:ITKROUTER:LOCATOR
  planTypes: [end-of-life]
`;

type Kind = 'notification' | 'duplicate' | 'invalid';

interface Sent {
  readonly trackingId: string;
  readonly kind: Kind;
  readonly supplier: string;
  readonly bytes: Buffer;
  /** When it was first published (ms, performance.now()). */
  firstAt: number;
  /** Publishes that the broker confirmed (a retry after a failed confirm is a genuine re-send). */
  confirmed: number;
  deliveries: number[];
  nackCodes: string[];
}

interface Fault {
  readonly kind: 'kill -9' | 'broker restart' | 'PostgreSQL restart';
  readonly detail: string;
  readonly at: number;
  doneAt: number;
  /** The first delivery after the fault ended, ms after the fault began. */
  recoveredMs?: number;
}

function makeBytes(template: string, supplier: string, ods: string, kind: Kind): Buffer {
  const trackingId = randomUUID().toUpperCase();
  let xml = template
    .replace(/trackingid="[^"]+"/, `trackingid="${trackingId}"`)
    .replace(/<planId>[^<]+<\/planId>/, `<planId>${randomUUID().toUpperCase()}</planId>`)
    .replace(/<event>[^<]+<\/event>/, '<event>created</event>')
    .replaceAll('A83001', ods)
    .replace(
      'key="urn:nhs-itk:ns:201005:infackrequested" value="true"',
      'key="urn:nhs-itk:ns:201005:infackrequested" value="false"',
    );
  if (kind === 'invalid')
    xml = xml.replace(/<version>[^<]+<\/version>/, '<version>three</version>');
  void supplier;
  return Buffer.from(xml);
}

/** An AMQP link that reconnects (the broker restarts mid-run). */
class Link {
  #model: ChannelModel | undefined;
  #channel: ConfirmChannel | undefined;
  #closed = false;
  constructor(
    private readonly url: string,
    private readonly onOpen: (channel: ConfirmChannel) => Promise<void> = async () => {},
  ) {}

  async channel(): Promise<ConfirmChannel> {
    while (!this.#channel) {
      if (this.#closed) throw new Error('link closed');
      try {
        const model = await connect(this.url, { noDelay: true });
        model.on('error', () => undefined);
        const channel = await model.createConfirmChannel();
        channel.on('error', () => undefined);
        const lost = () => {
          if (this.#channel === channel) this.#channel = undefined;
        };
        model.on('close', lost);
        channel.on('close', lost);
        this.#model = model;
        await this.onOpen(channel);
        this.#channel = channel;
      } catch {
        await sleep(500);
      }
    }
    return this.#channel;
  }

  /** Reconnects in the background whenever the link is lost. */
  keepOpen(): void {
    void (async () => {
      while (!this.#closed) {
        await this.channel().catch(() => undefined);
        await sleep(250);
      }
    })();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#model?.close().catch(() => undefined);
  }
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const started = new Date();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-chaos-'));
  fs.chmodSync(work, 0o755);
  const log = (text: string) =>
    process.stderr.write(`[chaos ${((performance.now() - t0) / 1000).toFixed(1)}s] ${text}\n`);
  const t0 = performance.now();
  log(
    `seed ${SEED}; ${MESSAGES} messages at ${RATE}/s, ${KILLS} kills, ${BROKER_RESTARTS} broker and ${PG_RESTARTS} PostgreSQL restart(s); starting private PostgreSQL and RabbitMQ`,
  );
  const postgres = startPrivatePostgres(path.join(work, 'pg'));
  let broker: ReturnType<typeof startPrivateBroker>;
  try {
    broker = startPrivateBroker(path.join(work, 'rabbit'));
  } catch (err) {
    postgres.stop();
    throw err;
  }
  const routers: (ChildProcess | undefined)[] = [undefined, undefined];
  const links: Link[] = [];
  let exitCode = 0;
  try {
    const vhost = 'itk-chaos';
    broker.ctl('add_vhost', vhost);
    broker.ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
    for (const user of [...SUPPLIERS.map((s) => s.endpoint), RECIPIENT]) {
      broker.ctl('add_user', `chaos-${user}`, 'chaos');
      broker.ctl('set_permissions', '-p', vhost, `chaos-${user}`, '.*', '.*', '.*');
    }
    const url = (user: string, password: string) =>
      `amqp://${user}:${password}@127.0.0.1:${broker.port}/${vhost}`;
    const guestUrl = url('guest', 'guest');
    const setup = await connect(guestUrl);
    const ch: Channel = await setup.createChannel();
    await declareTopology(ch, names, [...SUPPLIERS.map((s) => s.endpoint), RECIPIENT]);
    await setup.close();

    fs.mkdirSync(path.join(work, 'routes'));
    fs.writeFileSync(path.join(work, 'routes', 'locality.yaml'), ROUTES);
    const config = path.join(work, 'router.yaml');
    fs.writeFileSync(config, 'log: { level: warn }\n');
    let rssHigh = 0;
    const startRouter = (slot: number) => {
      const child = spawn(
        process.execPath,
        [packagePath('bin', 'itk-router.js'), 'start', '--config', config],
        {
          env: {
            ...process.env,
            AMQP_URL: guestUrl,
            ITK_ROUTER_ROUTES: path.join(work, 'routes'),
            ITK_ROUTER_STORE: postgres.url,
            ITK_ROUTER_HTTP_PORT: '0',
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      child.stderr!.on('data', () => undefined);
      routers[slot] = child;
    };
    startRouter(0);
    await sleep(3000); // the first one migrates the store alone
    startRouter(1);
    await sleep(3000);
    const rssTimer = setInterval(() => {
      for (const r of routers) rssHigh = Math.max(rssHigh, rssMb(r?.pid));
    }, 500);

    const template = fs.readFileSync(
      packagePath('test', 'fixtures', 'bench', 'careplan-notification-3k.xml'),
      'utf8',
    );
    // The plan: kinds, then fault moments (by message index).
    const sent = new Map<string, Sent>();
    const order: Sent[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const r = random();
      const supplier = SUPPLIERS[Math.floor(random() * SUPPLIERS.length)]!;
      const earlier = order.filter((m) => m.kind === 'notification');
      const kind: Kind =
        r < 0.08 && earlier.length > 0 ? 'duplicate' : r < 0.13 ? 'invalid' : 'notification';
      if (kind === 'duplicate') {
        const original =
          earlier[
            Math.floor(random() * Math.min(earlier.length, 200)) + Math.max(0, earlier.length - 200)
          ] ?? earlier.at(-1)!;
        order.push({
          ...original,
          kind: 'duplicate',
          deliveries: [],
          nackCodes: [],
          confirmed: 0,
          firstAt: 0,
        });
        continue;
      }
      const bytes = makeBytes(template, supplier.endpoint, supplier.ods, kind);
      const trackingId = /trackingid="([^"]+)"/.exec(bytes.toString('latin1'))![1]!;
      const m: Sent = {
        trackingId,
        kind,
        supplier: supplier.endpoint,
        bytes,
        firstAt: 0,
        confirmed: 0,
        deliveries: [],
        nackCodes: [],
      };
      sent.set(trackingId, m);
      order.push(m);
    }
    const faultAt = new Map<number, Fault['kind']>();
    const moment = () => Math.floor(MESSAGES * (0.05 + 0.85 * random()));
    for (let k = 0; k < KILLS; k++) {
      let i = moment();
      while (faultAt.has(i)) i++;
      faultAt.set(i, 'kill -9');
    }
    for (let k = 0; k < BROKER_RESTARTS; k++)
      faultAt.set(Math.floor(MESSAGES * (0.4 + 0.05 * k)) + 1, 'broker restart');
    for (let k = 0; k < PG_RESTARTS; k++)
      faultAt.set(Math.floor(MESSAGES * (0.65 + 0.05 * k)) + 2, 'PostgreSQL restart');

    // What arrives: deliveries at the recipient, nacks at the suppliers.
    let lastDelivery = performance.now();
    const deliveryTimes: number[] = [];
    const faults: Fault[] = [];
    const unknownArrivals = { recipient: 0, suppliers: 0 };
    const onRecipient = (content: Buffer) => {
      const text = content.toString('latin1');
      const id = /trackingid="([^"]+)"/.exec(text)?.[1] ?? '';
      const m = sent.get(id);
      const now = performance.now();
      if (!m) {
        unknownArrivals.recipient++;
        return;
      }
      m.deliveries.push(now);
      deliveryTimes.push(now);
      lastDelivery = now;
      for (const f of faults)
        if (f.recoveredMs === undefined && f.doneAt > 0 && now > f.doneAt)
          f.recoveredMs = now - f.at;
    };
    const onSupplier = (content: Buffer) => {
      const text = content.toString('latin1');
      const ids = text.match(/[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/g) ?? [];
      const m = ids.map((id) => sent.get(id)).find((x) => x !== undefined);
      if (!m) {
        unknownArrivals.suppliers++;
        return;
      }
      const code =
        /<(?:[a-z]+:)?(?:ErrorCode|code)[^>]*>([^<]+)</i.exec(text)?.[1] ??
        /code="([^"]+)"/.exec(text)?.[1] ??
        '?';
      m.nackCodes.push(code.trim());
    };
    const consumer = (queue: string, handle: (content: Buffer) => void) =>
      new Link(guestUrl, async (channel) => {
        await channel.prefetch(500);
        await channel.consume(queue, (msg) => {
          if (!msg) return;
          handle(msg.content);
          channel.ack(msg);
        });
      });
    const recipient = consumer(names.endpointQueue(RECIPIENT), onRecipient);
    links.push(recipient);
    recipient.keepOpen();
    for (const s of SUPPLIERS) {
      const l = consumer(names.endpointQueue(s.endpoint), onSupplier);
      links.push(l);
      l.keepOpen();
    }
    const publishers = new Map<string, Link>(
      SUPPLIERS.map((s) => [s.endpoint, new Link(url(`chaos-${s.endpoint}`, 'chaos'))]),
    );
    links.push(...publishers.values());

    const publish = async (m: Sent): Promise<void> => {
      for (;;) {
        const channel = await publishers.get(m.supplier)!.channel();
        const ok = await new Promise<boolean>((resolve) => {
          try {
            channel.publish(
              names.inboundExchange,
              '',
              m.bytes,
              { persistent: true, userId: `chaos-${m.supplier}`, contentType: 'application/xml' },
              (err) => resolve(!err),
            );
          } catch {
            resolve(false);
          }
          setTimeout(() => resolve(false), 15_000).unref();
        });
        if (ok) {
          m.confirmed++;
          return;
        }
        await sleep(300);
      }
    };

    const injectFault = async (kind: Fault['kind']): Promise<void> => {
      const f: Fault = { kind, detail: '', at: performance.now(), doneAt: 0 };
      faults.push(f);
      if (kind === 'kill -9') {
        const slot = Math.floor(random() * 2);
        const victim = routers[slot];
        (f as { detail: string }).detail = `instance ${slot + 1} (pid ${victim?.pid})`;
        victim?.kill('SIGKILL');
        await sleep(500);
        startRouter(slot);
      } else if (kind === 'broker restart') {
        await broker.restartApp();
      } else {
        await postgres.restart();
      }
      f.doneAt = performance.now();
      log(`${kind} ${f.detail} done in ${((f.doneAt - f.at) / 1000).toFixed(1)} s`);
    };

    log('publishing');
    const pending: Promise<void>[] = [];
    const faultsRunning: Promise<void>[] = [];
    const firstSent = performance.now();
    for (let i = 0; i < order.length; i++) {
      const due = firstSent + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const fault = faultAt.get(i);
      if (fault) faultsRunning.push(injectFault(fault));
      const m = order[i]!;
      const record = m.kind === 'duplicate' ? sent.get(m.trackingId)! : m;
      if (record.firstAt === 0) record.firstAt = performance.now();
      pending.push(
        publish(m).then(() => {
          if (m.kind === 'duplicate') record.confirmed++;
        }),
      );
      if (pending.length >= 100) await Promise.all(pending.splice(0));
      if (i % 1000 === 999) log(`${i + 1} published; ${deliveryTimes.length} delivered`);
    }
    await Promise.all(pending);
    await Promise.all(faultsRunning);
    const publishedAt = performance.now();
    log('all published; waiting for outcomes');
    const settled = () =>
      [...sent.values()].every((m) =>
        m.kind === 'invalid' ? m.nackCodes.length > 0 : m.deliveries.length > 0,
      );
    // The lease (30 s) holds a killed instance's messages back: wait well past it.
    while (!settled() && performance.now() - lastDelivery < 90_000) await sleep(1000);
    await sleep(5000); // late copies
    clearInterval(rssTimer);
    const endedAt = performance.now();

    // The count.
    const all = [...sent.values()];
    const valid = all.filter((m) => m.kind !== 'invalid');
    const invalid = all.filter((m) => m.kind === 'invalid');
    const lost = valid.filter((m) => m.deliveries.length === 0);
    const wrong = [
      ...invalid
        .filter((m) => m.deliveries.length > 0 || m.nackCodes.length === 0)
        .map((m) => ({
          trackingId: m.trackingId,
          kind: m.kind,
          why:
            m.deliveries.length > 0
              ? 'invalid message delivered'
              : 'no nack for an invalid message',
        })),
      ...valid
        .filter((m) => m.nackCodes.length > 0)
        .map((m) => ({
          trackingId: m.trackingId,
          kind: m.kind,
          why: `valid message nacked (${m.nackCodes.join(', ')})`,
        })),
    ];
    const explain = (at: number): string => {
      const before = faults.filter((f) => f.at <= at).at(-1);
      return before ? `${before.kind} ${before.detail}`.trim() : 'no fault before it';
    };
    const duplicates = valid
      .filter((m) => m.deliveries.length > 1)
      .map((m) => ({
        trackingId: m.trackingId,
        copies: m.deliveries.length,
        explainedBy: explain(m.deliveries[1]!),
      }));
    const latencies = valid
      .filter((m) => m.deliveries.length > 0)
      .map((m) => m.deliveries[0]! - m.firstAt)
      .sort((a, b) => a - b);
    // From the first publish to the last delivery: the longest time with no delivery at all.
    const sortedTimes = [firstSent, ...deliveryTimes].sort((a, b) => a - b);
    let longestStall = { ms: 0, at: 0 };
    for (let i = 1; i < sortedTimes.length; i++) {
      const gap = sortedTimes[i]! - sortedTimes[i - 1]!;
      if (gap > longestStall.ms) longestStall = { ms: gap, at: sortedTimes[i - 1]! };
    }
    void publishedAt;
    const nackCodes: Record<string, number> = {};
    for (const m of invalid)
      for (const c of new Set(m.nackCodes)) nackCodes[c] = (nackCodes[c] ?? 0) + 1;
    const report = {
      started: started.toISOString(),
      machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}`,
      loadAverageAtEnd: os.loadavg(),
      seed: SEED,
      settings: {
        messages: MESSAGES,
        ratePerSecond: RATE,
        kills: KILLS,
        brokerRestarts: BROKER_RESTARTS,
        postgresRestarts: PG_RESTARTS,
        instances: 2,
        lease: '30 s (default)',
      },
      sent: {
        total: order.length,
        notifications: all.filter((m) => m.kind === 'notification').length,
        duplicates: order.filter((m) => m.kind === 'duplicate').length,
        invalid: invalid.length,
        republishedAfterUnconfirmed: order.reduce(
          (n, m) => n + Math.max(0, (m.kind === 'duplicate' ? 0 : m.confirmed) - 1),
          0,
        ),
      },
      delivered: valid.filter((m) => m.deliveries.length > 0).length,
      expectedDeliveries: valid.length,
      lost: lost.length,
      lostTrackingIds: lost.slice(0, 50).map((m) => m.trackingId),
      duplicateDeliveries: duplicates.length,
      duplicates: duplicates.slice(0, 100),
      nacked: {
        expected: invalid.length,
        received: invalid.filter((m) => m.nackCodes.length > 0).length,
        codes: nackCodes,
      },
      wrongOutcomes: wrong.length,
      wrong: wrong.slice(0, 50),
      unknownArrivals,
      latencyMs: {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? Number.NaN,
      },
      longestStallMs: longestStall.ms,
      longestStallAfterStartS: (longestStall.at - firstSent) / 1000,
      faults: faults.map((f) => ({
        kind: f.kind,
        detail: f.detail,
        atS: (f.at - firstSent) / 1000,
        tookS: (f.doneAt - f.at) / 1000,
        recoveredAfterS: f.recoveredMs === undefined ? null : f.recoveredMs / 1000,
      })),
      routerRssHighWaterMb: rssHigh,
      durationS: (endedAt - firstSent) / 1000,
    };
    if (report.lost > 0 || report.wrongOutcomes > 0) exitCode = 1;
    const dir = packagePath('reports', 'chaos');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(path.join(dir, 'report.md'), markdown(report));
    process.stdout.write(markdown(report));
  } finally {
    for (const l of links) await l.close();
    for (const r of routers) r?.kill('SIGKILL');
    broker.stop();
    postgres.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

type Report = {
  started: string;
  machine: string;
  loadAverageAtEnd: number[];
  seed: number;
  settings: Record<string, unknown>;
  sent: Record<string, number>;
  delivered: number;
  expectedDeliveries: number;
  lost: number;
  duplicateDeliveries: number;
  duplicates: { trackingId: string; copies: number; explainedBy: string }[];
  nacked: { expected: number; received: number; codes: Record<string, number> };
  wrongOutcomes: number;
  wrong: { trackingId: string; why: string }[];
  unknownArrivals: { recipient: number; suppliers: number };
  latencyMs: { p50: number; p99: number; max: number };
  longestStallMs: number;
  longestStallAfterStartS: number;
  faults: {
    kind: string;
    detail: string;
    atS: number;
    tookS: number;
    recoveredAfterS: number | null;
  }[];
  routerRssHighWaterMb: number;
  durationS: number;
};

function markdown(r: Report): string {
  const explained = new Map<string, number>();
  for (const d of r.duplicates)
    explained.set(d.explainedBy, (explained.get(d.explainedBy) ?? 0) + 1);
  return `# Chaos run (npm run chaos)

${r.started} · ${r.machine} · load average at end ${r.loadAverageAtEnd.map((x) => x.toFixed(2)).join(', ')} · seed ${r.seed}

Two router instances on a private PostgreSQL cluster and a private RabbitMQ node; ${r.settings.messages} messages at ${r.settings.ratePerSecond}/s from three suppliers; ${r.settings.kills} × kill -9 of a random instance (restarted at once), ${r.settings.brokerRestarts} broker restart (stop_app / start_app), ${r.settings.postgresRestarts} PostgreSQL restart (pg_ctl restart -m fast).

| figure | value |
|---|---|
| sent | ${r.sent.total} (${r.sent.notifications} notifications, ${r.sent.duplicates} exact re-sends, ${r.sent.invalid} invalid) |
| delivered (distinct) | ${r.delivered} of ${r.expectedDeliveries} |
| **lost** | **${r.lost}** |
| duplicate deliveries | ${r.duplicateDeliveries} |
| nacked (invalid) | ${r.nacked.received} of ${r.nacked.expected}; codes ${JSON.stringify(r.nacked.codes)} |
| **wrong outcomes** | **${r.wrongOutcomes}** |
| latency p50 / p99 / max | ${r.latencyMs.p50.toFixed(0)} / ${r.latencyMs.p99.toFixed(0)} / ${r.latencyMs.max.toFixed(0)} ms |
| longest stall (no delivery) | ${(r.longestStallMs / 1000).toFixed(1)} s, at ${r.longestStallAfterStartS.toFixed(1)} s |
| router RSS high-water mark | ${r.routerRssHighWaterMb.toFixed(0)} MB |
| duration | ${r.durationS.toFixed(0)} s |

## Faults

| at (s) | fault | took (s) | first delivery after it ended (s after the fault began) |
|---|---|---|---|
${r.faults.map((f) => `| ${f.atS.toFixed(1)} | ${f.kind} ${f.detail} | ${f.tookS.toFixed(1)} | ${f.recoveredAfterS === null ? '–' : f.recoveredAfterS.toFixed(1)} |`).join('\n')}

## Duplicate deliveries, by the fault before the second copy

${[...explained].map(([k, n]) => `- ${k}: ${n}`).join('\n') || '- none'}

${r.wrong.length > 0 ? `## Wrong outcomes\n\n${r.wrong.map((w) => `- ${w.trackingId}: ${w.why}`).join('\n')}\n` : ''}
Unrecognised arrivals: ${r.unknownArrivals.recipient} at the recipient, ${r.unknownArrivals.suppliers} at the suppliers (acks and answers this run does not count).
`;
}

await main();
