/**
 * Issue rule 2, CarePlanNotification (docs/contract.md "Care-plan messages"): only the owner may
 * notify, the version must increase, owner-changed hands the plan over, closed ends it, and the
 * router delivers to the address list, copy routes and subscribers of the plan type, exactly once
 * per end point.
 */
import {
  ADDR,
  EP,
  headersOf,
  locate,
  newPlan,
  nextVersion,
  notification,
  readLocateResponse,
} from '../../support/careplan-messages.js';
import { useCarePlanWorld } from '../../support/careplan-world.js';

const w = useCarePlanWorld();

/** A GP-owned plan, created (v1, to the community team) and the queues emptied. */
async function gpPlan(over: Parameters<typeof newPlan>[0] = { owner: ADDR.gp }) {
  const v1 = newPlan(over);
  await w.establish('gp', notification('created', v1, { from: ADDR.gp, to: [ADDR.community] }));
  return v1;
}

async function expectIndexUnchanged(planId: string, version: number, historyLength: number) {
  expect((await w.plan(planId))?.version).toBe(version);
  expect(await w.history(planId)).toHaveLength(historyLength);
}

describe('only the owner may notify', () => {
  test('another end point notifying a plan it does not own: 3000 nack, nothing delivered, index unchanged', async () => {
    const v1 = await gpPlan();
    // The community team (a legitimate member of the team) claims a version 2 of the GP's plan.
    const forged = notification('updated', nextVersion(v1), {
      from: ADDR.community,
      to: [ADDR.gp, ADDR.hospice],
    });
    await w.publish('community', forged);
    await w.expectNack(
      'community',
      forged,
      '3000',
      new RegExp(`only the owner may notify: plan ${v1.planId} is owned by ${EP.gp}`),
    );
    await w.expectQuiet();
    expect((await w.completed(forged.trackingId)).messages[0]!.record.outcome).toBe('nacked');
    await expectIndexUnchanged(v1.planId, 1, 1);
    expect((await w.plan(v1.planId))?.title).toBe(v1.title);
  });

  test('creating a plan that names another end point as owner: 3000, the plan is not indexed', async () => {
    const plan = newPlan({ owner: ADDR.gp });
    const created = notification('created', plan, { from: ADDR.hospice, to: [ADDR.gp] });
    await w.publish('hospice', created);
    await w.expectNack('hospice', created, '3000', /only the owner may notify/);
    await w.expectQuiet();
    expect(await w.plan(plan.planId)).toBeUndefined();
  });
});

describe('the version must increase', () => {
  test('the same version again (new tracking id): 2200 naming the current version, index unchanged', async () => {
    const v1 = await gpPlan();
    const v2 = nextVersion(v1);
    await w.establish('gp', notification('updated', v2, { from: ADDR.gp, to: [ADDR.community] }));

    const again = notification(
      'updated',
      { ...v2, title: 'Something else' },
      {
        from: ADDR.gp,
        to: [ADDR.community],
      },
    );
    await w.publish('gp', again);
    await w.expectNack(
      'gp',
      again,
      '2200',
      /version must increase: .* is at version 2, the notification has version 2/,
    );
    await w.expectQuiet();
    await expectIndexUnchanged(v1.planId, 2, 2);
    expect((await w.plan(v1.planId))?.title).toBe(v2.title);
  });

  test('a lower version: 2200 naming the current version, index unchanged', async () => {
    const v1 = await gpPlan();
    const v3 = nextVersion(nextVersion(v1));
    await w.establish('gp', notification('updated', v3, { from: ADDR.gp, to: [ADDR.community] }));

    const older = notification('updated', nextVersion(v1), { from: ADDR.gp, to: [ADDR.community] });
    await w.publish('gp', older);
    await w.expectNack('gp', older, '2200', /is at version 3, the notification has version 2/);
    await w.expectQuiet();
    await expectIndexUnchanged(v1.planId, 3, 2);
  });

  test('a version that skips ahead is accepted (it increases)', async () => {
    const v1 = await gpPlan();
    const v5 = { ...nextVersion(v1), version: 5 };
    const msg = notification('updated', v5, { from: ADDR.gp, to: [ADDR.community] });
    await w.publish('gp', msg);
    await w.expectDelivered('community', msg, 'gp');
    await w.expectQuiet();
    await w.completed(msg.trackingId);
    await expectIndexUnchanged(v1.planId, 5, 2);
  });
});

describe('owner-changed hands the plan to another registered end point', () => {
  test('the new owner receives it (even off the address list); then the old owner is refused 3000 and the new owner notifies the next version', async () => {
    const v1 = await gpPlan({ owner: ADDR.gp, planType: 'dementia' });
    // dementia: the community team also subscribes; hand over to the hospice instead, addressed to ooh-111 only.
    const handover = nextVersion(v1, { owner: ADDR.hospice });
    const changed = notification('owner-changed', handover, { from: ADDR.gp, to: [ADDR.ooh] });
    await w.publish('gp', changed);
    await w.expectDelivered('ooh', changed, 'gp', ADDR.ooh);
    await w.expectDelivered('hospice', changed, 'gp', ADDR.hospice);
    await w.expectDelivered('community', changed, 'gp', 'subscription:dementia');
    await w.expectQuiet();
    await w.completed(changed.trackingId);

    expect(await w.plan(v1.planId)).toEqual(
      expect.objectContaining({
        version: 2,
        ownerEndpointId: EP.hospice,
        ownerAddress: ADDR.hospice,
      }),
    );
    expect((await w.history(v1.planId)).map((v) => [v.version, v.event, v.endpointId])).toEqual([
      [1, 'created', EP.gp],
      [2, 'owner-changed', EP.gp],
    ]);

    // The old owner may no longer notify (even naming itself as owner again).
    const stale = notification('updated', nextVersion(handover, { owner: ADDR.gp }), {
      from: ADDR.gp,
      to: [ADDR.community],
    });
    await w.publish('gp', stale);
    await w.expectNack(
      'gp',
      stale,
      '3000',
      new RegExp(`owned by ${EP.hospice} \\(${ADDR.hospice}\\)`),
    );
    await w.expectQuiet();
    await expectIndexUnchanged(v1.planId, 2, 2);

    // The new owner's next version is accepted.
    const v3 = nextVersion(handover);
    const next = notification('updated', v3, { from: ADDR.hospice, to: [ADDR.gp] });
    await w.publish('hospice', next);
    await w.expectDelivered('gp', next, 'hospice', ADDR.gp);
    await w.expectDelivered('community', next, 'hospice', 'subscription:dementia');
    await w.expectQuiet();
    await w.completed(next.trackingId);
    expect(
      (await w.history(v1.planId)).map((v) => [v.version, v.endpointId, v.trackingId]),
    ).toEqual([
      [1, EP.gp, expect.any(String)],
      [2, EP.gp, changed.trackingId],
      [3, EP.hospice, next.trackingId],
    ]);
  });

  test('to an address no end point claims: 2200, the owner stays', async () => {
    const v1 = await gpPlan();
    const msg = notification('owner-changed', nextVersion(v1, { owner: ADDR.nowhere }), {
      from: ADDR.gp,
      to: [ADDR.community],
    });
    await w.publish('gp', msg);
    await w.expectNack(
      'gp',
      msg,
      '2200',
      /owner urn:nhs-uk:addressing:ods:Z99999 is not a registered end point/,
    );
    await w.expectQuiet();
    expect(await w.plan(v1.planId)).toEqual(
      expect.objectContaining({ version: 1, ownerEndpointId: EP.gp }),
    );
  });

  test('an ordinary update may not move the owner: 2200 (use owner-changed)', async () => {
    const v1 = await gpPlan();
    const msg = notification('updated', nextVersion(v1, { owner: ADDR.hospice }), {
      from: ADDR.gp,
      to: [ADDR.community],
    });
    await w.publish('gp', msg);
    await w.expectNack('gp', msg, '2200', /use the owner-changed event/);
    await w.expectQuiet();
    await expectIndexUnchanged(v1.planId, 1, 1);
  });
});

describe('closed ends the plan', () => {
  test('closed is delivered and indexed; later notifications get 2200; locate no longer lists it', async () => {
    const v1 = await gpPlan({ owner: ADDR.gp, planType: 'falls' });
    const done = nextVersion(v1, { status: 'completed' });
    const closed = notification('closed', done, { from: ADDR.gp, to: [ADDR.community] });
    await w.publish('gp', closed);
    await w.expectDelivered('community', closed, 'gp');
    await w.expectQuiet();
    await w.completed(closed.trackingId);
    expect(await w.plan(v1.planId)).toEqual(
      expect.objectContaining({ version: 2, status: 'completed', closed: true }),
    );

    const after = notification('updated', nextVersion(done, { status: 'active' }), {
      from: ADDR.gp,
      to: [ADDR.community],
    });
    await w.publish('gp', after);
    await w.expectNack(
      'gp',
      after,
      '2200',
      new RegExp(`plan ${v1.planId} was closed at version 2`),
    );
    await w.expectQuiet();
    expect(await w.plan(v1.planId)).toEqual(expect.objectContaining({ version: 2, closed: true }));

    const ask = locate({ nhsNumber: v1.nhsNumber }, { from: ADDR.gp });
    await w.publish('gp', ask);
    const answer = readLocateResponse(await w.h.takeOne(w.queue('gp')));
    expect(answer.inResponseTo).toBe(ask.trackingId);
    expect(answer.entries).toEqual([]);
    await w.expectQuiet();
  });
});

describe('delivery: the address list, copy routes and subscribers, exactly once each', () => {
  test('end-of-life with consent: each addressee once, ooh-111 (copy route AND subscriber) ONE copy, never back to the sender', async () => {
    const plan = newPlan({ owner: ADDR.gp, planType: 'end-of-life' });
    const created = notification('created', plan, {
      from: ADDR.gp,
      to: [ADDR.community, ADDR.hospice, ADDR.gp, 'urn:nhs-uk:addressing:ods:RDE01:NURSING'],
    });
    await w.publish('gp', created);
    await w.expectDelivered('community', created, 'gp', ADDR.community);
    await w.expectDelivered('hospice', created, 'gp', ADDR.hospice);
    const ooh = await w.expectDelivered('ooh', created, 'gp');
    expect(headersOf(ooh)['itk-recipient']).toBe('copy:eolc-copies-to-out-of-hours');
    await w.expectQuiet(); // one copy each: no second to ooh-111 nor to the community (two of its addresses), none to the GP
    const story = await w.completed(created.trackingId);
    expect(
      story.messages[0]!.events.filter((e) => e.state === 'delivered' && e.endpointId !== null)
        .map((e) => e.endpointId)
        .sort(),
    ).toEqual([EP.community, EP.hospice, EP.ooh].sort());
  });

  test('ooh-111 also on the address list: still ONE copy, as an addressee', async () => {
    const plan = newPlan({ owner: ADDR.hospice, planType: 'end-of-life' });
    const created = notification('created', plan, { from: ADDR.hospice, to: [ADDR.ooh, ADDR.gp] });
    await w.publish('hospice', created);
    await w.expectDelivered('ooh', created, 'hospice', ADDR.ooh);
    await w.expectDelivered('gp', created, 'hospice', ADDR.gp);
    await w.expectQuiet();
  });

  test('a subscriber with no copy route (community subscribes to dementia) gets every notification of the type once', async () => {
    const plan = newPlan({ owner: ADDR.gp, planType: 'dementia' });
    const created = notification('created', plan, { from: ADDR.gp, to: [ADDR.hospice] });
    await w.publish('gp', created);
    await w.expectDelivered('hospice', created, 'gp', ADDR.hospice);
    await w.expectDelivered('community', created, 'gp', 'subscription:dementia');
    await w.expectQuiet();

    // Addressed to the subscriber as well: one copy.
    const updated = notification('updated', nextVersion(plan), {
      from: ADDR.gp,
      to: [ADDR.community],
    });
    await w.publish('gp', updated);
    await w.expectDelivered('community', updated, 'gp', ADDR.community);
    await w.expectQuiet();
  });

  test('another plan type: no copy to ooh-111, only the addressees', async () => {
    const plan = newPlan({ owner: ADDR.gp, planType: 'falls' });
    const created = notification('created', plan, { from: ADDR.gp, to: [ADDR.community] });
    await w.publish('gp', created);
    await w.expectDelivered('community', created, 'gp');
    await w.expectQuiet();
  });

  test('the generic service form (sendDistEnvelope + interaction) is routed the same way', async () => {
    const plan = newPlan({ owner: ADDR.gp, planType: 'end-of-life' });
    const created = notification('created', plan, {
      from: ADDR.gp,
      to: [ADDR.community],
      generic: true,
    });
    await w.publish('gp', created);
    await w.expectDelivered('community', created, 'gp');
    await w.expectDelivered('ooh', created, 'gp');
    await w.expectQuiet();
    expect((await w.plan(plan.planId))?.version).toBe(1);
  });
});
