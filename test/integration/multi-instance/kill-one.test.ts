/**
 * Nothing is lost when one of two router instances is killed mid-stream (docs/contract.md: "A crash
 * at any moment loses nothing"; "Several router instances may consume the same queues").
 * Two child-process routers share one vhost and one PostgreSQL schema; the GP streams 400
 * care-plan notifications in bursts; right after a burst is confirmed, once A has processed at
 * least 40, instance A gets SIGKILL.
 * The broker gives A's unacknowledged messages to B. Those A had begun carry A's processing claim:
 * B waits (in place) until the claim runs out (30 s), then takes them over as crash redeliveries,
 * skipping deliveries A had recorded. Every tracking id must reach the end point; an extra copy
 * may only come from a message A had begun and not finished. The facts are reported first.
 */
import { ADDR, EP, newPlan, notification } from '../../support/careplan-messages.js';
import {
  completedCount,
  countBy,
  createDeployment,
  drain,
  logFacts,
  report,
  until,
  type Deployment,
} from '../../support/multi-instance.js';
import {
  buildRouter,
  startChildInstance,
  type ChildInstance,
  type RouterBuild,
} from '../../support/multi-instance-process.js';

const TOTAL = 400;
const BATCH = 40;
/** A is killed once it has processed this many: working, warmed up, with more to come. */
const KILL_AFTER_PROCESSED_BY_A = 40;
const PREFETCH = 50;

let d: Deployment;
let build: RouterBuild;
const children: ChildInstance[] = [];

beforeAll(async () => {
  // Both halves at once; whichever succeeded is kept, so afterAll cleans it up if the other failed.
  const [deployment, built] = await Promise.allSettled([
    createDeployment({
      prefetch: PREFETCH,
      retry: { attempts: 5, initialDelayMs: 100, maxDelayMs: 2000 },
    }),
    buildRouter(),
  ]);
  if (deployment.status === 'fulfilled') d = deployment.value;
  if (built.status === 'fulfilled') build = built.value;
  for (const r of [deployment, built]) if (r.status === 'rejected') throw r.reason;
}, 60_000);

afterAll(async () => {
  await Promise.all(children.map((c) => c.kill9()));
  build?.remove();
  await d?.stop();
}, 30_000);

const instanceIdOf = (c: ChildInstance): string =>
  String(c.logs.find((l) => l.message === 'itk-router started')?.instanceId);

test('one instance killed with SIGKILL mid-stream: the other finishes, every notification delivered', async () => {
  const [a, b] = await Promise.all([
    startChildInstance(build, d, 'A'),
    startChildInstance(build, d, 'B'),
  ]);
  children.push(a, b);
  const messages = Array.from({ length: TOTAL }, () =>
    notification('created', newPlan({ owner: ADDR.gp }), { from: ADDR.gp, to: [ADDR.community] }),
  );
  const ids = messages.map((m) => m.trackingId);
  const community = d.queue(EP.community);

  let publishedAtKill = TOTAL;
  let deliveredAtKill = 0;
  let killedAt: Date | undefined;
  let killed: Promise<{ signal: NodeJS.Signals | null }> | undefined;
  for (let i = 0; i < TOTAL; i += BATCH) {
    await d.publish(
      'gp',
      messages.slice(i, i + BATCH).map((m) => m.bytes),
    );
    // Mid-stream on a loaded machine too: by half-way, wait (bounded) for A to have got going.
    const aGoing = () => logFacts.processed(a.logs).size >= KILL_AFTER_PROCESSED_BY_A;
    for (
      let waited = 0;
      !killed && !aGoing() && i + BATCH >= TOTAL / 2 && waited < 60_000;
      waited += 100
    )
      await new Promise((resolve) => setTimeout(resolve, 100));
    if (!killed && aGoing()) {
      publishedAtKill = i + BATCH;
      killedAt = new Date();
      killed = a.kill9();
      deliveredAtKill = (await d.client.channel.checkQueue(community)).messageCount;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  expect(killed).toBeDefined(); // else A never got going before the stream ended
  const exitA = await killed!;

  // A's unfinished claims, as it left them (its connections are gone by now).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const { rows: claimedRows } = await d.sql.query<{ tracking_id: string }>(
    `SELECT tracking_id FROM ${d.schema}.messages WHERE claimed_by = $1 AND completed_at IS NULL`,
    [instanceIdOf(a)],
  );
  const claimedByA = new Set(claimedRows.map((r) => r.tracking_id));

  await until(
    async () => (await completedCount(d, ids)) === TOTAL,
    `all ${TOTAL} completed`,
    60_000,
    200,
  );
  const finishedMs = Date.now() - killedAt!.getTime();
  await until(
    async () => (await d.client.channel.checkQueue(d.names.routerInboundQueue)).messageCount === 0,
    'inbound empty',
    10_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  const exitB = await b.terminate();
  const leftInbound = (await d.client.channel.checkQueue(d.names.routerInboundQueue)).messageCount;

  const copies = countBy((await drain(d, community)).map((m) => String(m.properties.messageId)));
  const toSender = await drain(d, d.queue(EP.gp));
  const quarantined = (await d.client.channel.checkQueue(d.names.quarantineQueue)).messageCount;
  const badRecords: string[] = [];
  const outcomes: string[] = [];
  for (const id of ids) {
    const records = await d.store.findByTrackingId(id);
    const { record, events } = records[0]!;
    outcomes.push(String(record.outcome));
    const deliveredTo = events.filter((e) => e.state === 'delivered' && e.endpointId);
    if (records.length !== 1 || record.outcome !== 'delivered' || deliveredTo.length !== 1)
      badRecords.push(
        `${id}: ${records.length} record(s), ${record.outcome}, ${deliveredTo.length} delivered event(s)`,
      );
  }
  const copiedTwice = [...copies].filter(([, n]) => n > 1).map(([id]) => id);
  const waited = new Set(logFacts.waitsForAnotherInstance(b.logs).map((l) => String(l.trackingId)));
  const processedByB = logFacts.processed(b.logs);
  report('one of two instances killed mid-stream', {
    notifications: TOTAL,
    publishedAtKill,
    deliveredAtKill,
    processedByA: logFacts.processed(a.logs).size,
    processedByB: processedByB.size,
    unfinishedClaimsOfA: claimedByA.size,
    takenOverByB: [...claimedByA].filter((id) => processedByB.has(id)).length,
    waitedForAsClaim: waited.size,
    duplicatesAbsorbedByB: logFacts.duplicates(b.logs).size,
    copiedTwice: copiedTwice.length,
    missing: ids.filter((id) => !copies.has(id)).length,
    toSender: toSender.length,
    quarantined,
    storeOutcomes: Object.fromEntries(countBy(outcomes)),
    msFromKillToAllCompleted: finishedMs,
    exitB,
    leftInbound,
  });

  expect(exitA.signal).toBe('SIGKILL');
  expect(publishedAtKill).toBeLessThan(TOTAL);
  expect(exitB.code).toBe(0);
  expect(leftInbound).toBe(0);
  // Nothing lost, nothing foreign, nothing refused.
  expect(new Set(copies.keys())).toEqual(new Set(ids));
  expect(toSender).toEqual([]);
  expect(quarantined).toBe(0);
  expect(badRecords).toEqual([]);
  // Extra copies, and waits for a claim, only for messages A had begun and not finished.
  expect(Math.max(...copies.values())).toBeLessThanOrEqual(2);
  for (const id of copiedTwice) expect(claimedByA).toContain(id);
  for (const id of waited) expect(claimedByA).toContain(id);
  expect(claimedByA.size).toBeLessThanOrEqual(PREFETCH);
  for (const id of claimedByA) expect(processedByB).toContain(id);
}, 85_000);
