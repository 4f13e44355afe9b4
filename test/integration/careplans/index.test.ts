/**
 * Issue rule 1, the care-plan index (docs/contract.md "Care-plan messages": the router updates the
 * index on every notification): what a created notification puts in it, the history per version,
 * and two notifications of one version racing (compare-and-set: exactly one wins).
 */
import {
  ADDR,
  EP,
  newPlan,
  nextVersion,
  notification,
  readInfAck,
} from '../../support/careplan-messages.js';
import { useCarePlanWorld } from '../../support/careplan-world.js';

const w = useCarePlanWorld();

describe('a created notification puts the plan in the index', () => {
  test('id, NHS number, type, status, owner end point and address, version, consent, title, last update; history of version 1', async () => {
    const plan = newPlan({
      owner: ADDR.gp,
      planType: 'long-term-condition',
      status: 'draft',
      title: 'COPD & diabetes <personalised> plan',
      lastUpdated: '2026-12-01T09:12:00Z',
    });
    const created = notification('created', plan, { from: ADDR.gp, to: [ADDR.community] });
    await w.publish('gp', created);

    await w.expectDelivered('community', created, 'gp', ADDR.community);
    await w.expectQuiet();
    const story = await w.completed(created.trackingId);
    expect(story.messages[0]!.record.outcome).toBe('delivered');

    expect(await w.plan(plan.planId)).toEqual({
      planId: plan.planId,
      nhsNumber: plan.nhsNumber,
      planType: 'long-term-condition',
      status: 'draft',
      title: 'COPD & diabetes <personalised> plan',
      ownerEndpointId: EP.gp,
      ownerAddress: ADDR.gp,
      version: 1,
      consentToShare: true,
      sharedWith: [ADDR.community],
      lastUpdated: '2026-12-01T09:12:00Z',
      closed: false,
    });
    expect(await w.h.store.carePlans.findPlans(plan.nhsNumber)).toEqual([
      expect.objectContaining({ planId: plan.planId, version: 1 }),
    ]);
    expect(await w.h.store.carePlans.findPlans(plan.nhsNumber, 'long-term-condition')).toHaveLength(
      1,
    );
    expect(await w.h.store.carePlans.findPlans(plan.nhsNumber, 'falls')).toEqual([]);
    expect(await w.history(plan.planId)).toEqual([
      {
        version: 1,
        event: 'created',
        endpointId: EP.gp,
        trackingId: created.trackingId,
        updateTrackingId: null,
        at: expect.any(Date),
      },
    ]);
  });

  test('each later version replaces the current one and adds a history entry (who, tracking id)', async () => {
    const v1 = newPlan({ owner: ADDR.hospice, planType: 'end-of-life', consent: false });
    const created = notification('created', v1, {
      from: ADDR.hospice,
      to: [ADDR.gp],
      generic: true,
    });
    await w.establish('hospice', created);

    const v2 = nextVersion(v1, { status: 'on-hold', consent: true });
    const updated = notification('updated', v2, {
      from: ADDR.hospice,
      to: [ADDR.gp, ADDR.community],
    });
    await w.publish('hospice', updated);
    await w.expectDelivered('gp', updated, 'hospice');
    await w.expectDelivered('community', updated, 'hospice');
    await w.expectDelivered('ooh', updated, 'hospice'); // consent now given: copy route + subscriber
    await w.completed(updated.trackingId);

    expect(await w.plan(v1.planId)).toEqual(
      expect.objectContaining({
        version: 2,
        status: 'on-hold',
        title: v2.title,
        consentToShare: true,
        ownerEndpointId: EP.hospice,
        lastUpdated: v2.lastUpdated,
        sharedWith: [ADDR.gp, ADDR.community],
        closed: false,
      }),
    );
    expect(
      (await w.history(v1.planId)).map((v) => [v.version, v.event, v.endpointId, v.trackingId]),
    ).toEqual([
      [1, 'created', EP.hospice, created.trackingId],
      [2, 'updated', EP.hospice, updated.trackingId],
    ]);
  });

  test('the same notification again (same tracking id) is a duplicate: not applied, not delivered twice', async () => {
    const v1 = newPlan({ owner: ADDR.gp });
    const created = notification('created', v1, { from: ADDR.gp, to: [ADDR.community] });
    await w.establish('gp', created);
    await w.publish('gp', created);
    await w.h.waitForStory(created.trackingId, (s) =>
      s.messages[0]!.events.some((e) => e.state === 'duplicate'),
    );
    await w.expectQuiet();
    expect(await w.history(v1.planId)).toHaveLength(1);
    expect((await w.plan(v1.planId))?.version).toBe(1);
  });
});

describe('two notifications of one plan at once', () => {
  test('the owner sends version 2 twice (different tracking ids) concurrently: exactly one wins, the other is nacked 2200, the index is consistent', async () => {
    // Several plans race at once, so that some pairs really are in flight together.
    const plans = Array.from({ length: 4 }, () => newPlan({ owner: ADDR.gp }));
    for (const p of plans) {
      await w.establish('gp', notification('created', p, { from: ADDR.gp, to: [ADDR.community] }));
    }
    const racers = plans.flatMap((p) =>
      (['A', 'B'] as const).map((side) => {
        const v2 = nextVersion(p, { title: `${p.title} racer ${side}` });
        return {
          plan: p,
          v2,
          msg: notification('updated', v2, { from: ADDR.gp, to: [ADDR.community] }),
        };
      }),
    );
    await Promise.all(racers.map((r) => w.publish('gp', r.msg)));

    const delivered = await Promise.all(
      Array.from({ length: plans.length }, () => w.h.takeOne(w.queue('community'))),
    );
    const nacks = (
      await Promise.all(Array.from({ length: plans.length }, () => w.h.takeOne(w.queue('gp'))))
    ).map((m) => readInfAck(m));
    await w.expectQuiet();

    for (const p of plans) {
      const [a, b] = racers.filter((r) => r.plan === p);
      const arrived = delivered.filter(
        (m) => m.content.equals(a!.msg.bytes) || m.content.equals(b!.msg.bytes),
      );
      expect(arrived).toHaveLength(1);
      const winner = arrived[0]!.content.equals(a!.msg.bytes) ? a! : b!;
      const loser = winner === a ? b! : a!;

      const nack = nacks.filter((n) => n.trackingIdRef === loser.msg.trackingId);
      expect(nack).toHaveLength(1);
      expect(nack[0]!.result).toBe('Failure');
      expect(nack[0]!.errors.map((e) => e.code)).toEqual(['DE0012']);
      expect(nack[0]!.errors[0]!.diagnostic).toMatch(/^2200 .*version 2\b/);
      expect(nacks.some((n) => n.trackingIdRef === winner.msg.trackingId)).toBe(false);

      const indexed = await w.plan(p.planId);
      expect(indexed).toEqual(expect.objectContaining({ version: 2, title: winner.v2.title }));
      expect((await w.history(p.planId)).map((v) => [v.version, v.trackingId])).toEqual([
        [1, expect.any(String)],
        [2, winner.msg.trackingId],
      ]);
      expect((await w.completed(winner.msg.trackingId)).messages[0]!.record.outcome).toBe(
        'delivered',
      );
      const lost = await w.completed(loser.msg.trackingId);
      expect(lost.messages[0]!.record.outcome).toBe('nacked');
      expect(lost.messages[0]!.events.some((e) => e.state === 'delivered')).toBe(false);
    }
  });
});
