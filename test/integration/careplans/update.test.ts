/**
 * Issue rule 5, CarePlanUpdate (docs/contract.md "Care-plan messages"): an update based on the
 * current version reaches the owner; a stale one is nacked 2200 "version conflict" naming the
 * current version; the owner accepts by notifying the next version (the index's history names the
 * update) or rejects with a business ack AR, routed back to the proposer and correlated.
 */
import { buildBusinessAck } from '../../../src/router/07-delivery/business-ack.js';
import {
  ADDR,
  EP,
  newPlan,
  nextVersion,
  notification,
  update,
  type PlanSpec,
  type TestMessage,
} from '../../support/careplan-messages.js';
import { useCarePlanWorld } from '../../support/careplan-world.js';

const w = useCarePlanWorld();

/** A GP-owned end-of-life plan with consent, v1 notified to the community team and the hospice. */
async function gpPlan(over: Partial<PlanSpec> = {}) {
  const v1 = newPlan({ owner: ADDR.gp, planType: 'end-of-life', ...over });
  await w.establish(
    'gp',
    notification('created', v1, { from: ADDR.gp, to: [ADDR.community, ADDR.hospice] }),
  );
  return v1;
}

/** The GP's business ack of an update, addressed to the proposer. */
function busAck(of: TestMessage, typeCode: 'AA' | 'AR', to: string, text?: string): TestMessage {
  const payloadId = /manifestitem id="([^"]+)"/.exec(of.xml)![1]!;
  const ack = buildBusinessAck({
    original: { trackingId: of.trackingId, payloadId },
    typeCode,
    to: { uri: to },
    from: { address: ADDR.gp, identity: 'urn:nhs-uk:identity:ods:A83001' },
    ...(text ? { text } : {}),
  });
  return { trackingId: ack.trackingId, xml: ack.xml, bytes: Buffer.from(ack.xml, 'utf8') };
}

describe('an update based on the current version reaches the owner', () => {
  test('addressed to the owner: delivered to the owner unchanged, no nack, no copies', async () => {
    const v1 = await gpPlan();
    const proposal = update(
      { baseVersion: 1, proposed: nextVersion(v1) },
      { from: ADDR.hospice, to: [ADDR.gp] },
    );
    await w.publish('hospice', proposal);
    await w.expectDelivered('gp', proposal, 'hospice', ADDR.gp);
    await w.expectQuiet();
    expect((await w.completed(proposal.trackingId)).messages[0]!.record.outcome).toBe('delivered');
    expect((await w.plan(v1.planId))?.version).toBe(1); // a proposal does not change the index
  });

  test('addressed to the locator: forwarded to the owner the index names', async () => {
    const v1 = await gpPlan();
    const proposal = update(
      { baseVersion: 1, proposed: nextVersion(v1) },
      { from: ADDR.community, to: [ADDR.locator], generic: true },
    );
    await w.publish('community', proposal);
    await w.expectDelivered('gp', proposal, 'community', ADDR.locator);
    await w.expectQuiet();
  });

  test('addressed to a team member instead of the owner: 2200, not delivered', async () => {
    const v1 = await gpPlan();
    const proposal = update(
      { baseVersion: 1, proposed: nextVersion(v1) },
      { from: ADDR.hospice, to: [ADDR.community] },
    );
    await w.publish('hospice', proposal);
    await w.expectNack('hospice', proposal, '2200', /an update goes to the plan's owner/);
    await w.expectQuiet();
  });

  test('from an end point that may not see the plan (no consent, not notified to it): 2200, as for an unknown plan', async () => {
    const v1 = await gpPlan({ consent: false });
    const proposal = update(
      { baseVersion: 1, proposed: nextVersion(v1) },
      { from: ADDR.ooh, to: [ADDR.gp] },
    );
    await w.publish('ooh', proposal);
    await w.expectNack(
      'ooh',
      proposal,
      '2200',
      new RegExp(`^2200 plan ${v1.planId} is not in the index$`),
    );
    await w.expectQuiet();
  });
});

describe('the owner accepts by notifying the next version', () => {
  test('the history records the update against that version; a later update on the old version is stale: 2200 naming the current version', async () => {
    const v1 = await gpPlan();
    const v2 = nextVersion(v1, { title: 'Anticipatory care plan with hospice at home' });
    const proposal = update(
      { baseVersion: 1, proposed: v2 },
      { from: ADDR.hospice, to: [ADDR.gp] },
    );
    await w.publish('hospice', proposal);
    await w.expectDelivered('gp', proposal, 'hospice');
    await w.completed(proposal.trackingId);

    const accepted = notification('updated', v2, {
      from: ADDR.gp,
      to: [ADDR.hospice, ADDR.community],
    });
    await w.publish('gp', accepted);
    await w.expectDelivered('hospice', accepted, 'gp');
    await w.expectDelivered('community', accepted, 'gp');
    await w.expectDelivered('ooh', accepted, 'gp');
    await w.expectQuiet();
    await w.completed(accepted.trackingId);
    expect(
      (await w.history(v1.planId)).map((v) => [v.version, v.trackingId, v.updateTrackingId]),
    ).toEqual([
      [1, expect.any(String), null],
      [2, accepted.trackingId, proposal.trackingId],
    ]);
    expect(await w.plan(v1.planId)).toEqual(
      expect.objectContaining({ version: 2, title: v2.title }),
    );

    // The community team still holds version 1 and proposes on it: version conflict.
    const stale = update(
      { baseVersion: 1, proposed: nextVersion(v1) },
      { from: ADDR.community, to: [ADDR.gp] },
    );
    await w.publish('community', stale);
    await w.expectNack(
      'community',
      stale,
      '2200',
      new RegExp(
        `version conflict: plan ${v1.planId} is at version 2, the update is based on version 1`,
      ),
    );
    await w.expectQuiet();
    expect((await w.completed(stale.trackingId)).messages[0]!.record.outcome).toBe('nacked');

    // Based on the current version, it goes through.
    const fresh = update(
      { baseVersion: 2, proposed: nextVersion(v2) },
      { from: ADDR.community, to: [ADDR.gp] },
    );
    await w.publish('community', fresh);
    await w.expectDelivered('gp', fresh, 'community');
    await w.expectQuiet();
  });

  test('an update based on a version ahead of the index is refused too (2200 naming the current version)', async () => {
    const v1 = await gpPlan();
    const ahead = update(
      { baseVersion: 3, proposed: { ...nextVersion(v1), version: 4 } },
      { from: ADDR.hospice, to: [ADDR.gp] },
    );
    await w.publish('hospice', ahead);
    await w.expectNack(
      'hospice',
      ahead,
      '2200',
      /is at version 1, the update is based on version 3/,
    );
    await w.expectQuiet();
  });

  test('an update of a closed plan: 2200', async () => {
    const v1 = await gpPlan();
    const v2 = nextVersion(v1, { status: 'completed' });
    await w.establish('gp', notification('closed', v2, { from: ADDR.gp, to: [ADDR.community] }));
    const late = update(
      { baseVersion: 2, proposed: nextVersion(v2) },
      { from: ADDR.community, to: [ADDR.gp] },
    );
    await w.publish('community', late);
    await w.expectNack('community', late, '2200', /was closed at version 2/);
    await w.expectQuiet();
  });
});

describe('the owner rejects with a business ack AR', () => {
  test('the AR goes back to the proposer unchanged and the update becomes bus-acked (AR, by the owner)', async () => {
    const v1 = await gpPlan();
    const proposal = update(
      { baseVersion: 1, proposed: nextVersion(v1) },
      { from: ADDR.hospice, to: [ADDR.gp] },
    );
    await w.publish('hospice', proposal);
    await w.expectDelivered('gp', proposal, 'hospice');
    await w.completed(proposal.trackingId);

    const ar = busAck(
      proposal,
      'AR',
      ADDR.hospice,
      'Hospice at home is not funded for this patient',
    );
    await w.publish('gp', ar);
    await w.expectDelivered('hospice', ar, 'gp', ADDR.hospice);
    await w.expectQuiet(); // no inf ack on the hospice's behalf for a business ack, no nack

    const story = await w.h.waitForStory(
      proposal.trackingId,
      (s) => s.messages[0]!.record.state === 'bus-acked',
    );
    expect(story.messages[0]!.events).toContainEqual(
      expect.objectContaining({
        state: 'bus-acked',
        endpointId: EP.gp,
        code: 'AR',
        ackTrackingId: ar.trackingId,
      }),
    );
    expect(story.references.map((r) => r.record.trackingId)).toEqual([ar.trackingId]);
    expect(await w.history(v1.planId)).toHaveLength(1);
  });

  // PRODUCT BUG (see the report): a rejected update stays "pending" in careplan_updates, and the
  // owner's next version, made for its own reasons, is recorded as accepting it.
  // src/router/08-store/sqlite/sqlite-careplan-index.ts applyChange (lines 107-109) links the oldest proposal on the replaced
  // version whatever became of it; nothing clears a proposal its owner rejected (AR).
  test('after an AR, the owner’s own next version does not name the rejected update', async () => {
    const v1 = await gpPlan();
    const proposal = update(
      { baseVersion: 1, proposed: nextVersion(v1) },
      { from: ADDR.hospice, to: [ADDR.gp] },
    );
    await w.publish('hospice', proposal);
    await w.expectDelivered('gp', proposal, 'hospice');
    await w.completed(proposal.trackingId);
    const ar = busAck(proposal, 'AR', ADDR.hospice);
    await w.publish('gp', ar);
    await w.expectDelivered('hospice', ar, 'gp');
    await w.h.waitForStory(proposal.trackingId, (s) => s.messages[0]!.record.state === 'bus-acked');

    const own = notification('updated', nextVersion(v1, { title: 'Reviewed at the MDT' }), {
      from: ADDR.gp,
      to: [ADDR.community],
    });
    await w.publish('gp', own);
    await w.expectDelivered('community', own, 'gp');
    await w.completed(own.trackingId);
    expect((await w.history(v1.planId)).map((v) => [v.version, v.updateTrackingId])).toEqual([
      [1, null],
      [2, null],
    ]);
  });
});
