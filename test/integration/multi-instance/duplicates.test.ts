/**
 * A duplicate is delivered once even when its copies reach different router instances at once
 * (docs/contract.md: "A repeated tracking id from the same sender is a duplicate: recorded, never
 * delivered again"; "Several router instances may consume the same queues"). Two instances share
 * one vhost and one PostgreSQL schema, each with a prefetch window of 20; the GP publishes every
 * notification twice, back to back, so the two copies are usually in flight on both instances at
 * the same time. The processing lease makes the instance that meets the other's unfinished record
 * wait (in place) until it is completed, then absorb its copy as a duplicate.
 */
import { ADDR, EP, newPlan, notification } from '../../support/careplan-messages.js';
import {
  completedCount,
  countBy,
  createDeployment,
  drain,
  logFacts,
  report,
  startInstance,
  until,
  type Deployment,
  type Instance,
} from '../../support/multi-instance.js';

const PAIRS = 150;

let d: Deployment;
const instances: Instance[] = [];

beforeAll(async () => {
  d = await createDeployment({ prefetch: 20 });
  instances.push(...(await Promise.all([startInstance(d, 'A'), startInstance(d, 'B')])));
}, 30_000);

afterAll(async () => {
  await Promise.all(instances.map((i) => i.router.stop()));
  await d?.stop();
}, 30_000);

test('each notification published twice is delivered once and its second copy recorded as a duplicate', async () => {
  const messages = Array.from({ length: PAIRS }, () =>
    notification('created', newPlan({ owner: ADDR.gp }), { from: ADDR.gp, to: [ADDR.community] }),
  );
  const ids = messages.map((m) => m.trackingId);
  const started = Date.now();
  await d.publish(
    'gp',
    messages.flatMap((m) => [m.bytes, m.bytes]),
  );

  // Done when every message is completed and its second copy recorded as a duplicate.
  const duplicateEvents = async () =>
    (
      await d.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${d.schema}.message_events e JOIN ${d.schema}.messages m
         ON m.id = e.message_id WHERE e.state = 'duplicate' AND m.tracking_id = ANY($1)`,
        [ids],
      )
    ).rows[0]!.n;
  await until(
    async () => (await completedCount(d, ids)) === PAIRS && (await duplicateEvents()) >= PAIRS,
    `${PAIRS} completed with a duplicate each`,
    60_000,
  );
  await until(
    async () => (await d.client.channel.checkQueue(d.names.routerInboundQueue)).messageCount === 0,
    'inbound empty',
    10_000,
  );
  const elapsedMs = Date.now() - started;

  const delivered = countBy(
    (await drain(d, d.queue(EP.community))).map((m) => String(m.properties.messageId)),
  );
  const toSender = await drain(d, d.queue(EP.gp));
  const quarantined = (await d.client.channel.checkQueue(d.names.quarantineQueue)).messageCount;
  const stories = await Promise.all(ids.map((id) => d.store.findByTrackingId(id)));

  const [a, b] = instances as [Instance, Instance];
  const byA = { processed: logFacts.processed(a.logs), duplicates: logFacts.duplicates(a.logs) };
  const byB = { processed: logFacts.processed(b.logs), duplicates: logFacts.duplicates(b.logs) };
  const split = ids.filter(
    (id) =>
      (byA.processed.has(id) && byB.duplicates.has(id)) ||
      (byB.processed.has(id) && byA.duplicates.has(id)),
  );
  const waits = [
    ...logFacts.waitsForAnotherInstance(a.logs),
    ...logFacts.waitsForAnotherInstance(b.logs),
  ];
  report('duplicates across instances', {
    pairs: PAIRS,
    elapsedMs,
    processedBy: { A: byA.processed.size, B: byB.processed.size },
    pairsSplitAcrossInstances: split.length,
    waitsForTheOtherInstance: waits.length,
    idsThatWaited: new Set(waits.map((l) => String(l.trackingId))).size,
    copiesAtCommunity: [...delivered.values()].reduce((x, y) => x + y, 0),
    deliveredTwice: [...delivered.values()].filter((n) => n > 1).length,
    toSender: toSender.length,
    quarantined,
  });

  // Exactly one copy of each at the end point, none foreign; nothing back to the sender.
  expect(new Set(delivered.keys())).toEqual(new Set(ids));
  expect([...delivered.values()].every((n) => n === 1)).toBe(true);
  expect(toSender).toEqual([]);
  expect(quarantined).toBe(0);
  // One record each, delivered, its second copy recorded once as a duplicate.
  for (const [i, story] of stories.entries()) {
    expect([ids[i], story.length]).toEqual([ids[i], 1]);
    const { record, events } = story[0]!;
    expect(record.outcome).toBe('delivered');
    expect(events.filter((e) => e.state === 'duplicate')).toHaveLength(1);
    expect(events.filter((e) => e.state === 'delivered' && e.endpointId)).toHaveLength(1);
  }
  // The copies really did meet on different instances.
  expect(split.length).toBeGreaterThan(0);
  expect(byA.processed.size + byB.processed.size).toBe(PAIRS);
}, 80_000);
