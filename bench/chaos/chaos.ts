/**
 * `npm run chaos`: a stream of mixed ITK messages from four end points through two router
 * instances on PostgreSQL, with faults injected during it: `kill -9` of a random instance
 * (restarted at once) `--kills` times at random moments, one broker restart (stop_app /
 * start_app) and one PostgreSQL restart (pg_ctl restart -m fast). It checks, per message, what
 * arrived where against what the contract says should, and writes reports/chaos/report.md and
 * report.json. Figures only: it asserts nothing, but exits 1 when a message was lost or had a
 * wrong outcome.
 *
 * Everything runs on a PRIVATE RabbitMQ node and a PRIVATE PostgreSQL cluster this script starts
 * and stops (private-services.ts): the shared ones are never restarted. Needs root (rabbitmqctl,
 * runuser postgres) and a built tree.
 *
 *   npm run chaos -- [--messages 20000] [--kills 10] [--rate 100] [--conversations 200] [--seed 1]
 *
 * The mix (mix.ts): care-plan conversations, one plan each, its messages sent one after another
 * as the end points would: notifications (created, updated, closed) and the team's inf acks,
 * requests through the locator forwarded to the owner and the owner's responses, updates with the
 * owner's business ack and the new version's notification, locates answered by the router,
 * requests for unknown plans (not-found), stale updates and notifications (2200), notifications
 * by someone not the owner (3000), invalid messages (1000) and exact re-sends (duplicates: no
 * second delivery, the router's earlier answer again). Up to `--conversations` plans are in
 * progress at once; `--rate` caps the publishing rate.
 *
 * The count: a delivery to an end point not expected, a nack or answer not expected (or with the
 * wrong code or content) is a wrong outcome; an expected delivery, nack or answer that never
 * came is lost. A second copy is a duplicate, explained by the fault nearest before it (a copy
 * the broker redelivered to this script's own consumer, flagged `redelivered`, is not one).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Channel, type ConfirmChannel, type ChannelModel } from 'amqplib';
import pg from 'pg';
import { packagePath } from '../../src/router/00-common/package-root.js';
import { topologyNames } from '../../src/router/02-transport/names.js';
import { declareTopology } from '../../src/router/02-transport/topology.js';
import {
  readCarePlanResponse,
  readInfAck,
  readLocateResponse,
} from '../../test/support/careplan-messages.js';
import { routerWorkspace, rssMb, spawnRouter } from '../router-process.js';
import {
  conversation,
  PARTIES,
  ROUTES,
  type Conversation,
  type Expectation,
  type Kind,
  type Party,
  type Step,
} from './mix.js';
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
const CONVERSATIONS = arg('conversations', 200);
const BROKER_RESTARTS = arg('broker-restarts', 1);
const PG_RESTARTS = arg('pg-restarts', 1);
/** No arrival and no publish for this long: the run stops waiting. */
const STALL_LIMIT_MS = arg('stall-limit-seconds', 120) * 1000;
let seed = arg('seed', Date.now() % 100_000);
const SEED = seed;
/** A small deterministic generator (mulberry32): --seed repeats the mix's shape and the faults. */
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const names = topologyNames('itk');
const VHOST = 'itk-chaos';
const userOf = (p: Party) => `chaos-${p}`;

/** Everything seen of one tracking id. */
interface Ledger {
  readonly trackingId: string;
  readonly kind: Kind;
  readonly sender: Party;
  readonly expect: Expectation;
  /** Steps that sent these bytes: the original and its exact duplicates. */
  sends: number;
  /** Publish attempts (a re-publish after an unconfirmed one is a genuine re-send). */
  publishes: number;
  firstAt: number;
  deliveries: Map<Party, { at: number; redelivered: boolean }[]>;
  /** Router answers: nacks (code) and locator answers, each where it arrived. */
  answers: { at: number; to: Party; what: string; redelivered: boolean }[];
  wrong: string[];
}

interface Fault {
  readonly kind: 'kill -9' | 'broker restart' | 'PostgreSQL restart';
  detail: string;
  readonly at: number;
  doneAt: number;
  /** The first arrival anywhere after the fault ended, ms after the fault began. */
  recoveredMs?: number;
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

/** A performance.now() time as a UTC clock time (HH:MM:SS.mmm), to set beside the store's. */
const clock = (t: number): string =>
  new Date(performance.timeOrigin + t).toISOString().slice(11, 23);

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** The Toolkit code a nack names (first word of its diagnostic), else its DE code. */
function nackCode(bytes: Buffer): { ref: string; code: string } | undefined {
  const ack = readInfAck(bytes);
  if (ack.result !== 'Failure') return { ref: ack.trackingIdRef, code: `OK (${ack.result})` };
  const e = ack.errors[0];
  const toolkit = /^(\d{4})\b/.exec(e?.diagnostic ?? '')?.[1];
  return { ref: ack.trackingIdRef, code: toolkit ?? e?.code ?? '?' };
}

async function main(): Promise<void> {
  const started = new Date();
  const loadAtStart = os.loadavg();
  const t0 = performance.now();
  const log = (text: string) =>
    process.stderr.write(`[chaos ${((performance.now() - t0) / 1000).toFixed(1)}s] ${text}\n`);

  // The plan first: conversations until MESSAGES messages, then the fault moments (by the index
  // of the publish they come before).
  const conversations: Conversation[] = [];
  let planned = 0;
  while (planned < MESSAGES) {
    const c = conversation(random, MESSAGES - planned);
    conversations.push(c);
    planned += c.steps.length;
  }
  const faultAt = new Map<number, Fault['kind']>();
  const moment = () => Math.floor(MESSAGES * (0.05 + 0.85 * random()));
  for (let k = 0; k < KILLS; k++) {
    let i = moment();
    while (faultAt.has(i)) i++;
    faultAt.set(i, 'kill -9');
  }
  const freeMoment = (i: number) => {
    while (faultAt.has(i)) i++;
    return i;
  };
  for (let k = 0; k < BROKER_RESTARTS; k++)
    faultAt.set(freeMoment(Math.floor(MESSAGES * (0.4 + 0.05 * k))), 'broker restart');
  for (let k = 0; k < PG_RESTARTS; k++)
    faultAt.set(freeMoment(Math.floor(MESSAGES * (0.65 + 0.05 * k))), 'PostgreSQL restart');

  const ledger = new Map<string, Ledger>();
  for (const c of conversations)
    for (const s of c.steps) {
      const l = ledger.get(s.trackingId);
      if (l) l.sends++;
      else
        ledger.set(s.trackingId, {
          trackingId: s.trackingId,
          kind: s.kind,
          sender: s.sender,
          expect: s.expect,
          sends: 1,
          publishes: 0,
          firstAt: 0,
          deliveries: new Map(),
          answers: [],
          wrong: [],
        });
    }
  const kindCounts: Record<string, number> = {};
  for (const c of conversations)
    for (const s of c.steps) kindCounts[s.kind] = (kindCounts[s.kind] ?? 0) + 1;

  log(
    `seed ${SEED}; ${planned} messages (${conversations.length} conversations) at up to ${RATE}/s, ${KILLS} kills, ${BROKER_RESTARTS} broker and ${PG_RESTARTS} PostgreSQL restart(s); starting private PostgreSQL and RabbitMQ`,
  );
  const ws = routerWorkspace('chaos', ROUTES(userOf));
  fs.chmodSync(ws.dir, 0o755);
  const postgres = await startPrivatePostgres(path.join(ws.dir, 'pg')).catch((err: unknown) => {
    ws.remove();
    throw err;
  });
  let broker: Awaited<ReturnType<typeof startPrivateBroker>>;
  try {
    broker = await startPrivateBroker(path.join(ws.dir, 'rabbit'), {
      vhost: VHOST,
      users: (PARTIES as Party[]).map((p) => ({ name: userOf(p), password: 'chaos' })),
    });
  } catch (err) {
    postgres.stop();
    ws.remove();
    throw err;
  }
  log(`private services up (PostgreSQL :${postgres.port}, RabbitMQ :${broker.port})`);
  const routers: (ChildProcess | undefined)[] = [undefined, undefined];
  const routerLog: string[][] = [[], []];
  const links: Link[] = [];
  let exitCode = 0;
  try {
    const vhost = VHOST; // and its users: loaded by the node at boot
    const url = (user: string, password: string) =>
      `amqp://${user}:${password}@127.0.0.1:${broker.port}/${vhost}`;
    const guestUrl = url('guest', 'guest');
    const setup = await connect(guestUrl);
    const ch: Channel = await setup.createChannel();
    await declareTopology(ch, names, PARTIES);
    await setup.close();

    const routerRss = [0, 0];
    const startRouter = (slot: number) => {
      const child = spawnRouter(ws, {
        amqpUrl: guestUrl,
        store: postgres.url,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // Keep each instance's last warnings and errors (JSON lines) as evidence.
      const keep = (chunk: Buffer) => {
        const lines = routerLog[slot]!;
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        if (lines.length > 200) lines.splice(0, lines.length - 200);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      routers[slot] = child;
    };
    startRouter(0);
    await sleep(3000); // the first one migrates the store alone
    startRouter(1);
    await sleep(3000);
    const rssTimer = setInterval(() => {
      routers.forEach((r, i) => {
        const v = rssMb(r?.pid);
        if (Number.isFinite(v)) routerRss[i] = Math.max(routerRss[i]!, v);
      });
    }, 500);

    // What arrives, at every end point's queue.
    let lastProgress = performance.now();
    const arrivalTimes: number[] = [];
    const faults: Fault[] = [];
    const unknownArrivals: { queue: Party; what: string }[] = [];
    let consumerRedeliveries = 0;
    const waiting = new Map<string, () => void>();
    const noteArrival = (now: number) => {
      arrivalTimes.push(now);
      lastProgress = now;
      for (const f of faults)
        if (f.recoveredMs === undefined && f.doneAt > 0 && now > f.doneAt)
          f.recoveredMs = now - f.at;
    };
    const onArrival = (queue: Party, content: Buffer, redelivered: boolean) => {
      const now = performance.now();
      const text = content.toString('utf8');
      const id = /trackingid="([^"]+)"/.exec(text)?.[1] ?? '';
      const own = ledger.get(id);
      if (own) {
        // A delivery: the router forwards the sender's bytes unchanged.
        const copies = own.deliveries.get(queue) ?? [];
        if (redelivered && copies.length > 0) {
          consumerRedeliveries++;
          return;
        }
        copies.push({ at: now, redelivered });
        own.deliveries.set(queue, copies);
        if (!own.expect.deliveredTo.includes(queue))
          own.wrong.push(
            `delivered to ${queue}, expected ${own.expect.deliveredTo.join(', ') || 'no delivery'}`,
          );
        noteArrival(now);
        waiting.get(id)?.();
        return;
      }
      // The router's own message: a nack, or a locator answer.
      let ref = '';
      let what = '';
      try {
        if (text.includes('InfrastructureResponse')) {
          const n = nackCode(content)!;
          ref = n.ref;
          what = `nack ${n.code}`;
        } else if (text.includes('LocateCarePlansResponse')) {
          const r = readLocateResponse(content);
          ref = r.inResponseTo;
          what = `locate ${r.entries
            .map((e) => `${e.planId}@${e.version}`)
            .sort()
            .join(' ')}`.trim();
        } else if (text.includes('CarePlanResponse')) {
          const r = readCarePlanResponse(content);
          ref = r.inResponseTo;
          what = r.outcome;
        }
      } catch (err) {
        what = `unreadable: ${(err as Error).message}`;
      }
      const m = ledger.get(ref);
      if (!m) {
        unknownArrivals.push({ queue, what: `${what || 'unknown message'} (ref ${ref || '–'})` });
        return;
      }
      if (redelivered && m.answers.some((a) => a.to === queue && a.what === what)) {
        consumerRedeliveries++;
        return;
      }
      m.answers.push({ at: now, to: queue, what, redelivered });
      const expected = expectedAnswer(m.expect);
      if (queue !== m.sender)
        m.wrong.push(`${what} sent to ${queue}, not to the sender ${m.sender}`);
      else if (expected === undefined) m.wrong.push(`${what}, expected ${describe(m.expect)}`);
      else if (what !== expected) m.wrong.push(`${what}, expected ${expected}`);
      noteArrival(now);
      waiting.get(ref)?.();
    };
    const consumer = (queue: Party) =>
      new Link(guestUrl, async (channel) => {
        await channel.prefetch(500);
        await channel.consume(names.endpointQueue(queue), (msg) => {
          if (!msg) return;
          try {
            onArrival(queue, msg.content, msg.fields.redelivered);
          } finally {
            channel.ack(msg);
          }
        });
      });
    for (const p of PARTIES as Party[]) {
      const l = consumer(p);
      links.push(l);
      l.keepOpen();
    }
    const publishers = new Map<Party, Link>(
      (PARTIES as Party[]).map((p) => [p, new Link(url(userOf(p), 'chaos'))]),
    );
    links.push(...publishers.values());

    const publish = async (s: Step): Promise<void> => {
      const m = ledger.get(s.trackingId)!;
      for (;;) {
        const channel = await publishers.get(s.sender)!.channel();
        m.publishes++;
        const ok = await new Promise<boolean>((resolve) => {
          try {
            channel.publish(
              names.inboundExchange,
              '',
              s.bytes,
              { persistent: true, userId: userOf(s.sender), contentType: 'application/xml' },
              (err) => resolve(!err),
            );
          } catch {
            resolve(false);
          }
          setTimeout(() => resolve(false), 15_000).unref();
        });
        if (ok) return;
        await sleep(300);
      }
    };

    const injectFault = async (kind: Fault['kind']): Promise<void> => {
      const f: Fault = { kind, detail: '', at: performance.now(), doneAt: 0 };
      faults.push(f);
      if (kind === 'kill -9') {
        const slot = Math.floor(random() * 2);
        const victim = routers[slot];
        f.detail = `instance ${slot + 1} (pid ${victim?.pid})`;
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

    // The conversations: each step is sent once the one before it had its outcome.
    const ready: Step[] = [];
    let nextConversation = 0;
    let active = 0;
    let finished = 0;
    let abandoned = 0;
    let notSent = 0;
    const sentOf = new Map<string, number>();
    const stepSentAt = new Map<Step, number>();
    const onConfirmedOf = new Map<Conversation, (s: Step, nth: number) => void>();
    const startConversation = (c: Conversation) => {
      active++;
      let i = 0;
      const advance = () => {
        i++;
        if (i < c.steps.length) ready.push(c.steps[i]!);
        else {
          active--;
          finished++;
        }
      };
      const stepDone = (s: Step, nth: number): boolean => {
        const m = ledger.get(s.trackingId)!;
        if (m.wrong.length > 0) return true;
        const answers = m.answers.length;
        if (expectedAnswer(m.expect) !== undefined) return answers >= nth;
        if (s.repeats) return true; // nothing comes back for a re-sent delivery: done when confirmed
        return m.expect.deliveredTo.every((p) => (m.deliveries.get(p)?.length ?? 0) > 0);
      };
      const onConfirmed = (s: Step, nth: number) => {
        const check = () => {
          const m = ledger.get(s.trackingId)!;
          if (!stepDone(s, nth)) return;
          waiting.delete(s.trackingId);
          if (m.wrong.length > 0) {
            // The rest of this conversation depended on this outcome: not sent.
            notSent += c.steps.length - i - 1;
            abandoned++;
            active--;
            return;
          }
          advance();
        };
        waiting.set(s.trackingId, check);
        check();
      };
      onConfirmedOf.set(c, onConfirmed);
      ready.push(c.steps[0]!);
    };
    const conversationOf = new Map<Step, Conversation>();
    for (const c of conversations) for (const s of c.steps) conversationOf.set(s, c);

    log('publishing');
    const faultsRunning: Promise<void>[] = [];
    const inFlight = new Set<Promise<void>>();
    const firstSent = performance.now();
    let published = 0;
    while (published < planned) {
      while (
        ready.length === 0 &&
        nextConversation < conversations.length &&
        active < CONVERSATIONS
      )
        startConversation(conversations[nextConversation++]!);
      if (ready.length === 0) {
        if (active === 0 && nextConversation >= conversations.length) break;
        if (performance.now() - lastProgress > STALL_LIMIT_MS) {
          log(
            `no progress for ${STALL_LIMIT_MS / 1000} s with ${active} conversations waiting: stop`,
          );
          break;
        }
        await sleep(20);
        continue;
      }
      const due = firstSent + (published * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const fault = faultAt.get(published);
      if (fault) faultsRunning.push(injectFault(fault));
      const s = ready.shift()!;
      const m = ledger.get(s.trackingId)!;
      if (m.firstAt === 0) m.firstAt = performance.now();
      stepSentAt.set(s, performance.now());
      const nth = (sentOf.get(s.trackingId) ?? 0) + 1;
      sentOf.set(s.trackingId, nth);
      const onConfirmed = onConfirmedOf.get(conversationOf.get(s)!)!;
      const p = publish(s).then(() => {
        lastProgress = performance.now();
        onConfirmed(s, nth);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 200) await Promise.race(inFlight);
      published++;
      if (published % 1000 === 0)
        log(
          `${published} published; ${arrivalTimes.length} arrivals; ${active} conversations in progress`,
        );
    }
    await Promise.all(inFlight);
    await Promise.all(faultsRunning);
    log(`${published} published; waiting for the last outcomes`);
    while (active > 0 && performance.now() - lastProgress < STALL_LIMIT_MS) await sleep(500);
    await sleep(5000); // late copies
    clearInterval(rssTimer);
    const endedAt = performance.now();

    // The store's story of what went wrong, before the cluster stops.
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    const storeStates = (
      await client.query<{ outcome: string | null; state: string; n: string }>(
        'SELECT outcome, state, count(*)::text AS n FROM messages GROUP BY 1, 2 ORDER BY 3 DESC',
      )
    ).rows.map((r) => ({ outcome: r.outcome, state: r.state, n: Number(r.n) }));
    const storyOf = async (trackingId: string) => {
      const { rows } = await client.query<{
        state: string;
        outcome: string | null;
        events: string | null;
      }>(
        `SELECT m.state, m.outcome,
                string_agg('[' || to_char(e.at AT TIME ZONE 'UTC', 'HH24:MI:SS.MS') || '] ' ||
                           e.state || coalesce(' ' || e.endpoint_id, '') || coalesce(' ' || e.code, '') ||
                           coalesce(': ' || e.detail, ''), ' → ' ORDER BY e.seq) AS events
           FROM messages m LEFT JOIN message_events e ON e.message_id = m.id
          WHERE m.tracking_id = $1 GROUP BY m.id, m.state, m.outcome`,
        [trackingId],
      );
      return rows.map((r) => `${r.state}/${r.outcome ?? '–'}: ${r.events ?? ''}`);
    };

    // The count.
    const all = [...ledger.values()].filter((m) => m.publishes > 0);
    const explain = (at: number, m: Ledger): string => {
      const before = faults.filter((f) => f.at <= at).at(-1);
      if (m.publishes > m.sends) return 'publisher re-send after an unconfirmed publish';
      return before ? `${before.kind} ${before.detail}`.trim() : 'no fault before it';
    };
    const lost: { trackingId: string; kind: Kind; missing: string; story?: string[] }[] = [];
    const wrong: { trackingId: string; kind: Kind; why: string; story?: string[] }[] = [];
    const duplicates: { trackingId: string; kind: Kind; copy: string; explainedBy: string }[] = [];
    let delivered = 0;
    let expectedDeliveries = 0;
    let answered = 0;
    let expectedAnswers = 0;
    const latencies: number[] = [];
    for (const m of all) {
      for (const w of m.wrong) wrong.push({ trackingId: m.trackingId, kind: m.kind, why: w });
      for (const p of m.expect.deliveredTo) {
        expectedDeliveries++;
        const copies = m.deliveries.get(p) ?? [];
        if (copies.length === 0)
          lost.push({ trackingId: m.trackingId, kind: m.kind, missing: `delivery to ${p}` });
        else delivered++;
      }
      for (const [p, copies] of m.deliveries)
        for (const c of copies.slice(1))
          duplicates.push({
            trackingId: m.trackingId,
            kind: m.kind,
            copy: `delivery to ${p}`,
            explainedBy: explain(c.at, m),
          });
      const expected = expectedAnswer(m.expect);
      const sends = sentOf.get(m.trackingId) ?? 0;
      if (expected !== undefined) {
        expectedAnswers += sends;
        answered += Math.min(sends, m.answers.length);
        if (m.answers.length < sends)
          lost.push({
            trackingId: m.trackingId,
            kind: m.kind,
            missing: `${sends - m.answers.length} of ${sends} × ${expected}`,
          });
        for (const a of m.answers.slice(sends))
          duplicates.push({
            trackingId: m.trackingId,
            kind: m.kind,
            copy: a.what,
            explainedBy: explain(a.at, m),
          });
      }
      const first = Math.min(
        ...[...m.deliveries.values()].flatMap((c) => c.map((x) => x.at)),
        ...m.answers.map((a) => a.at),
      );
      if (Number.isFinite(first)) latencies.push(first - m.firstAt);
    }
    for (const x of [...lost, ...wrong].slice(0, 40)) x.story = await storyOf(x.trackingId);
    // The whole conversation of a message that went wrong or was lost: what the script sent
    // when, what arrived when, and the store's story of each message (UTC clock times).
    const troubled = [
      ...new Set(
        [...wrong, ...lost].map(
          (x) => [...conversationOf].find(([st]) => st.trackingId === x.trackingId)?.[1],
        ),
      ),
    ]
      .filter((c): c is Conversation => c !== undefined)
      .slice(0, 8);
    const troubledConversations = [];
    for (const c of troubled) {
      const steps = [];
      for (const st of c.steps) {
        const m = ledger.get(st.trackingId)!;
        const at = stepSentAt.get(st);
        steps.push({
          kind: st.kind,
          trackingId: st.trackingId,
          sender: st.sender,
          sentAt: at === undefined ? 'not sent' : clock(at),
          expected: describe(st.expect),
          ...(st.repeats
            ? {}
            : {
                arrivals: [
                  ...[...m.deliveries].flatMap(([p, copies]) =>
                    copies.map((x) => `[${clock(x.at)}] delivered to ${p}`),
                  ),
                  ...m.answers.map((a) => `[${clock(a.at)}] ${a.what} at ${a.to}`),
                ].sort(),
                store: await storyOf(st.trackingId),
              }),
        });
      }
      troubledConversations.push({ planId: c.planId, owner: c.owner, steps });
    }
    await client.end();
    latencies.sort((a, b) => a - b);
    const times = [firstSent, ...arrivalTimes].sort((a, b) => a - b);
    let longestStall = { ms: 0, at: 0 };
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!;
      if (gap > longestStall.ms) longestStall = { ms: gap, at: times[i - 1]! };
    }
    const byKind: Record<string, { sent: number; lost: number; wrong: number }> = {};
    for (const [k, n] of Object.entries(kindCounts)) byKind[k] = { sent: n, lost: 0, wrong: 0 };
    for (const x of lost) byKind[x.kind]!.lost++;
    for (const x of wrong) byKind[x.kind]!.wrong++;
    const outcomes: Record<string, number> = {};
    for (const m of all)
      for (const a of m.answers) {
        const k = a.what.startsWith('locate') ? 'locate answer' : a.what;
        outcomes[k] = (outcomes[k] ?? 0) + 1;
      }

    const report = {
      started: started.toISOString(),
      machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}`,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg(),
      seed: SEED,
      settings: {
        messages: MESSAGES,
        maxRatePerSecond: RATE,
        conversationsAtOnce: CONVERSATIONS,
        kills: KILLS,
        brokerRestarts: BROKER_RESTARTS,
        postgresRestarts: PG_RESTARTS,
        instances: 2,
        lease: '30 s (default)',
      },
      sent: {
        total: published,
        planned,
        notSentAfterAWrongOutcome: notSent,
        conversations: conversations.length,
        conversationsFinished: finished,
        conversationsAbandoned: abandoned,
        byKind,
        republishedAfterUnconfirmed: all.reduce(
          (n, m) => n + Math.max(0, m.publishes - (sentOf.get(m.trackingId) ?? 0)),
          0,
        ),
      },
      delivered,
      expectedDeliveries,
      answered,
      expectedAnswers,
      routerAnswers: outcomes,
      lost: lost.length,
      lostItems: lost.slice(0, 50),
      duplicateCopies: duplicates.length,
      duplicates: duplicates.slice(0, 100),
      duplicatesExplainedBy: duplicates.reduce<Record<string, number>>((acc, d) => {
        acc[d.explainedBy] = (acc[d.explainedBy] ?? 0) + 1;
        return acc;
      }, {}),
      consumerRedeliveries,
      wrongOutcomes: wrong.length,
      wrong: wrong.slice(0, 50),
      unknownArrivals: unknownArrivals.slice(0, 20),
      unknownArrivalCount: unknownArrivals.length,
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
        clock: clock(f.at),
        atS: (f.at - firstSent) / 1000,
        tookS: (f.doneAt - f.at) / 1000,
        recoveredAfterS: f.recoveredMs === undefined ? null : f.recoveredMs / 1000,
      })),
      store: storeStates,
      troubledConversations,
      routerRssHighWaterMb: Math.max(...routerRss),
      routerRssHighWaterMbByInstance: routerRss,
      routerLastLogLines: routerLog.map((lines) => lines.slice(-15)),
      durationS: (endedAt - firstSent) / 1000,
      totalS: (endedAt - t0) / 1000,
    };
    if (report.lost > 0 || report.wrongOutcomes > 0 || report.unknownArrivalCount > 0) exitCode = 1;
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
    ws.remove();
  }
  process.exit(exitCode);
}

/** The router answer a message must get, as onArrival names it; undefined when none. */
function expectedAnswer(e: Expectation): string | undefined {
  if (e.nack) return `nack ${e.nack}`;
  if (e.answer?.kind === 'not-found') return 'not-found';
  if (e.answer?.kind === 'locate')
    return `locate ${e.answer.plans
      .map((p) => `${p.id}@${p.version}`)
      .sort()
      .join(' ')}`.trim();
  return undefined;
}

function describe(e: Expectation): string {
  return expectedAnswer(e) ?? `delivery to ${e.deliveredTo.join(', ') || 'nobody'}`;
}

type Report = {
  started: string;
  machine: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  seed: number;
  settings: Record<string, unknown>;
  sent: {
    total: number;
    planned: number;
    notSentAfterAWrongOutcome: number;
    conversations: number;
    byKind: Record<string, { sent: number; lost: number; wrong: number }>;
    republishedAfterUnconfirmed: number;
  };
  delivered: number;
  expectedDeliveries: number;
  answered: number;
  expectedAnswers: number;
  routerAnswers: Record<string, number>;
  lost: number;
  lostItems: { trackingId: string; kind: string; missing: string; story?: string[] }[];
  duplicateCopies: number;
  duplicatesExplainedBy: Record<string, number>;
  consumerRedeliveries: number;
  wrongOutcomes: number;
  wrong: { trackingId: string; kind: string; why: string; story?: string[] }[];
  unknownArrivals: { queue: string; what: string }[];
  unknownArrivalCount: number;
  latencyMs: { p50: number; p99: number; max: number };
  longestStallMs: number;
  longestStallAfterStartS: number;
  faults: {
    kind: string;
    detail: string;
    clock: string;
    atS: number;
    tookS: number;
    recoveredAfterS: number | null;
  }[];
  store: { outcome: string | null; state: string; n: number }[];
  routerRssHighWaterMb: number;
  routerRssHighWaterMbByInstance: number[];
  durationS: number;
  totalS: number;
};

function markdown(r: Report): string {
  const loads = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  return `# Chaos run (npm run chaos)

${r.started} · ${r.machine} · load average at start ${loads(r.loadAverageAtStart)}, at end ${loads(r.loadAverageAtEnd)} · seed ${r.seed}

Two router instances on a private PostgreSQL cluster and a private RabbitMQ node; ${r.sent.total} messages (${r.sent.conversations} care-plan conversations, at most ${String(r.settings.conversationsAtOnce)} at once, at most ${String(r.settings.maxRatePerSecond)}/s) from four end points; ${String(r.settings.kills)} × kill -9 of a random instance (restarted at once), ${String(r.settings.brokerRestarts)} broker restart (stop_app / start_app), ${String(r.settings.postgresRestarts)} PostgreSQL restart (pg_ctl restart -m fast).

| figure | value |
|---|---|
| sent | ${r.sent.total} of ${r.sent.planned} planned (${r.sent.notSentAfterAWrongOutcome} not sent: their conversation had a wrong outcome); ${r.sent.republishedAfterUnconfirmed} re-published after an unconfirmed publish |
| delivered (distinct message × end point) | ${r.delivered} of ${r.expectedDeliveries} |
| router answers (nacks, locator answers) | ${r.answered} of ${r.expectedAnswers}: ${Object.entries(
    r.routerAnswers,
  )
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')} |
| **lost** | **${r.lost}** |
| duplicate copies (router) | ${r.duplicateCopies}${
    Object.entries(r.duplicatesExplainedBy).length
      ? `: ${Object.entries(r.duplicatesExplainedBy)
          .map(([k, n]) => `${k} ${n}`)
          .join('; ')}`
      : ''
  } |
| copies the broker redelivered to this script's consumers | ${r.consumerRedeliveries} (not counted as duplicates) |
| **wrong outcomes** | **${r.wrongOutcomes}** (and ${r.unknownArrivalCount} arrivals matching no message sent) |
| latency p50 / p99 / max (publish → first delivery or answer) | ${r.latencyMs.p50.toFixed(0)} / ${r.latencyMs.p99.toFixed(0)} / ${r.latencyMs.max.toFixed(0)} ms |
| longest stall (no arrival anywhere) | ${(r.longestStallMs / 1000).toFixed(1)} s, from ${r.longestStallAfterStartS.toFixed(1)} s |
| router RSS high-water mark | ${r.routerRssHighWaterMb.toFixed(0)} MB (instances: ${r.routerRssHighWaterMbByInstance.map((x) => x.toFixed(0)).join(', ')}) |
| duration | ${r.durationS.toFixed(0)} s publishing and waiting; ${r.totalS.toFixed(0)} s with the private services' start |

## By kind

| kind | sent | lost | wrong |
|---|---:|---:|---:|
${Object.entries(r.sent.byKind)
  .map(([k, v]) => `| ${k} | ${v.sent} | ${v.lost} | ${v.wrong} |`)
  .join('\n')}

## Faults

| at (s) | UTC | fault | took (s) | first arrival after it ended (s after the fault began) |
|---|---|---|---:|---:|
${r.faults.map((f) => `| ${f.atS.toFixed(1)} | ${f.clock} | ${f.kind} ${f.detail} | ${f.tookS.toFixed(1)} | ${f.recoveredAfterS === null ? '–' : f.recoveredAfterS.toFixed(1)} |`).join('\n')}

## The store at the end (messages by outcome and state)

${r.store.map((s) => `- ${s.outcome ?? '(none)'} / ${s.state}: ${s.n}`).join('\n')}
${r.lostItems.length > 0 ? `\n## Lost\n\n${r.lostItems.map((l) => `- ${l.trackingId} (${l.kind}): ${l.missing}${l.story ? `; store: ${l.story.join(' | ') || 'no record'}` : ''}`).join('\n')}\n` : ''}${r.wrong.length > 0 ? `\n## Wrong outcomes\n\n${r.wrong.map((w) => `- ${w.trackingId} (${w.kind}): ${w.why}${w.story ? `; store: ${w.story.join(' | ') || 'no record'}` : ''}`).join('\n')}\n\nThe whole conversation of each (what was sent when, what arrived when, the store's story of every message): report.json, \`troubledConversations\`.\n` : ''}${r.unknownArrivals.length > 0 ? `\n## Arrivals matching no message sent\n\n${r.unknownArrivals.map((u) => `- at ${u.queue}: ${u.what}`).join('\n')}\n` : ''}`;
}

await main();
