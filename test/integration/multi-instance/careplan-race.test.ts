/**
 * The care-plan index stays consistent when two router instances race on the same plan
 * (docs/contract.md "Manage change": stale or conflicting updates are refused, never silently
 * lost). Two instances share one vhost and one PostgreSQL schema. For each of many plans the owner
 * publishes two `updated` notifications of version 2, back to back (two tracking ids, two titles):
 * one wins, and is delivered; the other is nacked 2200; the index holds the winner's version 2,
 * and the history names the winner as version 2.
 */
import {
  ADDR,
  EP,
  newPlan,
  nextVersion,
  notification,
  readInfAck,
  type TestMessage,
} from '../../support/careplan-messages.js';
import { purgeQueues } from '../../support/messages.js';
import {
  completedCount,
  createDeployment,
  drain,
  logFacts,
  report,
  startInstance,
  until,
  type Deployment,
  type Instance,
} from '../../support/multi-instance.js';

const PLANS = 40;

let d: Deployment;
const instances: Instance[] = [];

beforeAll(async () => {
  d = await createDeployment({ prefetch: 10 });
  instances.push(...(await Promise.all([startInstance(d, 'A'), startInstance(d, 'B')])));
}, 30_000);

afterAll(async () => {
  await Promise.all(instances.map((i) => i.router.stop()));
  await d?.stop();
}, 30_000);

const settle = async (messages: readonly TestMessage[]) => {
  const ids = messages.map((m) => m.trackingId);
  await until(async () => (await completedCount(d, ids)) === ids.length, 'all completed', 30_000);
};

test('of two `updated` notifications with the same next version, one wins and the other is nacked 2200; index and history agree', async () => {
  const v1s = Array.from({ length: PLANS }, () => newPlan({ owner: ADDR.gp }));
  const created = v1s.map((p) =>
    notification('created', p, { from: ADDR.gp, to: [ADDR.community] }),
  );
  await d.publish(
    'gp',
    created.map((m) => m.bytes),
  );
  await settle(created);
  await purgeQueues(d.client.channel, d.queues);

  const rivals = v1s.map((p) =>
    (['first', 'second'] as const).map((which) => {
      const v2 = nextVersion(p, { title: `${p.title} (${which} v2)` });
      return { v2, msg: notification('updated', v2, { from: ADDR.gp, to: [ADDR.community] }) };
    }),
  );
  await d.publish(
    'gp',
    rivals.flatMap((pair) => pair.map((r) => r.msg.bytes)),
  );
  await settle(rivals.flatMap((pair) => pair.map((r) => r.msg)));
  await until(
    async () => (await d.client.channel.checkQueue(d.names.routerInboundQueue)).messageCount === 0,
    'inbound empty',
    10_000,
  );

  const delivered = (await drain(d, d.queue(EP.community))).map((m) =>
    String(m.properties.messageId),
  );
  const nacks = (await drain(d, d.queue(EP.gp))).map(readInfAck);
  const quarantined = (await d.client.channel.checkQueue(d.names.quarantineQueue)).messageCount;
  const [a, b] = instances as [Instance, Instance];
  const processedByA = logFacts.processed(a.logs);

  const problems: string[] = [];
  const reasons = new Map<string, number>();
  let split = 0;
  for (const [i, pair] of rivals.entries()) {
    const planId = v1s[i]!.planId;
    const outcomes = await Promise.all(
      pair.map(async (r) => (await d.store.findByTrackingId(r.msg.trackingId))[0]!.record.outcome),
    );
    const winners = pair.filter((_, k) => outcomes[k] === 'delivered');
    const losers = pair.filter((_, k) => outcomes[k] === 'nacked');
    if (winners.length !== 1 || losers.length !== 1) {
      problems.push(`${planId}: outcomes ${outcomes.join(', ')}`);
      continue;
    }
    const [winner, loser] = [winners[0]!, losers[0]!];
    if (processedByA.has(winner.msg.trackingId) !== processedByA.has(loser.msg.trackingId)) split++;
    const plan = await d.store.carePlans.getPlan(planId);
    const history = await d.store.carePlans.history(planId);
    if (plan?.version !== 2 || plan.title !== winner.v2.title)
      problems.push(`${planId}: index holds v${plan?.version} "${plan?.title}"`);
    if (
      JSON.stringify(history.map((h) => [h.version, h.trackingId])) !==
      JSON.stringify([
        [1, created[i]!.trackingId],
        [2, winner.msg.trackingId],
      ])
    )
      problems.push(
        `${planId}: history ${JSON.stringify(history.map((h) => [h.version, h.trackingId]))}`,
      );
    if (delivered.filter((t) => t === winner.msg.trackingId).length !== 1)
      problems.push(`${planId}: the winner was not delivered exactly once`);
    if (delivered.includes(loser.msg.trackingId))
      problems.push(`${planId}: the loser was delivered`);
    const nack = nacks.filter((n) => n.trackingIdRef === loser.msg.trackingId);
    if (
      nack.length !== 1 ||
      nack[0]!.errors[0]?.code !== 'DE0012' ||
      !nack[0]!.errors[0]?.diagnostic?.startsWith('2200 ')
    )
      problems.push(`${planId}: the loser's nack: ${JSON.stringify(nack.map((n) => n.errors))}`);
    const reason = (nack[0]?.errors[0]?.diagnostic ?? '').replace(/[0-9A-F-]{36}/g, '<plan>');
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  report('care-plan race', {
    plans: PLANS,
    rivalsOnDifferentInstances: split,
    processedBy: { A: processedByA.size, B: logFacts.processed(b.logs).size },
    deliveredToCommunity: delivered.length,
    nacksToOwner: nacks.length,
    nackReasons: Object.fromEntries(reasons),
    quarantined,
  });

  expect(problems).toEqual([]);
  expect(delivered).toHaveLength(PLANS);
  expect(nacks).toHaveLength(PLANS);
  expect(quarantined).toBe(0);
  // The rivals really did race on different instances.
  expect(split).toBeGreaterThan(0);
}, 80_000);
