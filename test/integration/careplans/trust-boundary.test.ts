/**
 * Issue 12, findings 1, 7 and 8 on the care-plan side (docs/message-safety.md "Trust boundary"):
 * - a care-plan change is judged by its sender: a tracking id another end point used grants
 *   nothing, and consent for copies (copy routes, subscriptions) comes from the index, never from
 *   the message that claims it;
 * - a plan hidden from the asker is answered `not-found`, exactly as a plan that does not exist;
 * - only the plan's owner withdraws a pending update with a business ack AR.
 *
 * Routes (test/fixtures/careplans/routes): end-of-life notifications are copied to ooh-111 (copy
 * route and subscription); every mental-health-crisis message is copied to ooh-111.
 */
import { buildBusinessAck } from '../../../src/router/07-delivery/business-ack.js';
import type { MessageStory } from '../../../src/router/08-store/message-store.js';
import {
  ADDR,
  EP,
  newId,
  newNhsNumber,
  newPlan,
  nextVersion,
  notification,
  readCarePlanResponse,
  request,
  response,
  update,
  type NotificationEvent,
  type PlanSpec,
  type Role,
  type TestMessage,
} from '../../support/careplan-messages.js';
import { useCarePlanWorld } from '../../support/careplan-world.js';
import { purgeQueues } from '../../support/messages.js';

const w = useCarePlanWorld();
const purge = () => purgeQueues(w.h.client.channel, w.h.queues);

/** A GP-owned end-of-life plan WITHOUT consent, notified to the community team only. */
async function privateGpPlan(over: Partial<PlanSpec> = {}) {
  const v1 = newPlan({ owner: ADDR.gp, planType: 'end-of-life', consent: false, ...over });
  const created = notification('created', v1, { from: ADDR.gp, to: [ADDR.community] });
  await w.establish('gp', created);
  return { v1, created };
}

async function expectIndexUnchanged(v1: PlanSpec, historyLength = 1) {
  const plan = await w.plan(v1.planId);
  expect(plan).toMatchObject({
    version: v1.version,
    title: v1.title,
    consentToShare: false,
    closed: false,
    ownerEndpointId: EP.gp,
  });
  expect(await w.history(v1.planId)).toHaveLength(historyLength);
}

describe("a tracking id another end point used grants nothing (the GP's tracking id re-sent)", () => {
  test('the reproduced attack: the community trust re-sends the GP’s tracking id, event closed, a forged title, consent true, to the hospice: 3000, delivered to no one', async () => {
    const { v1, created } = await privateGpPlan();
    const forged = notification(
      'closed',
      { ...v1, title: 'Forged: patient discharged', consent: true },
      { from: ADDR.community, to: [ADDR.hospice], trackingId: created.trackingId },
    );
    await w.publish('community', forged);
    await w.expectNack('community', forged, '3000', /only the owner may notify/);
    await w.expectQuiet();
    await expectIndexUnchanged(v1);
  });

  test.each<[NotificationEvent, Partial<PlanSpec>, Role, string]>([
    ['updated', { title: 'Forged title' }, 'community', ADDR.hospice],
    ['updated', { consent: true, status: 'on-hold' }, 'community', ADDR.ooh],
    ['owner-changed', { owner: ADDR.community }, 'community', ADDR.hospice],
    ['created', { title: 'Created again' }, 'community', ADDR.hospice],
    ['closed', { status: 'completed' }, 'hospice', ADDR.ooh], // an end point it was never sent to
    ['updated', { consent: true }, 'ooh', ADDR.hospice],
  ])(
    'event %s with %j from %s (same plan, version and tracking id): refused, index unchanged',
    async (event, over, role, to) => {
      const { v1, created } = await privateGpPlan();
      const forged = notification(
        event,
        { ...v1, ...over },
        {
          from: ADDR[role],
          to: [to],
          trackingId: created.trackingId,
        },
      );
      await w.publish(role, forged);
      const mineIn = (s: MessageStory) =>
        s.messages.find((m) => m.record.senderEndpointId === EP[role]);
      const story = await w.h.waitForStory(
        forged.trackingId,
        (s) => mineIn(s)?.record.completedAt != null,
      );
      const mine = mineIn(story)!;
      expect(mine.record.outcome).toBe('nacked');
      expect(mine.events.find((e) => e.state === 'nacked')?.code).toMatch(/^(3000|2200)$/);
      await w.h.takeOne(w.queue(role)); // its nack
      await w.expectQuiet();
      await expectIndexUnchanged(v1);
    },
  );

  test('the generic service form and a later version with the GP’s tracking id: refused too', async () => {
    const { v1, created } = await privateGpPlan();
    const forged = notification('updated', nextVersion(v1, { consent: true }), {
      from: ADDR.community,
      to: [ADDR.hospice],
      trackingId: created.trackingId,
      generic: true,
    });
    await w.publish('community', forged);
    await w.expectNack('community', forged, '3000', /only the owner may notify/);
    await w.expectQuiet();
    await expectIndexUnchanged(v1);
  });

  test('the owner re-sending its own notification (same tracking id) is a real duplicate: not delivered again, index unchanged', async () => {
    const { v1, created } = await privateGpPlan();
    await w.publish('gp', created);
    const story = await w.h.waitForStory(created.trackingId, (s) =>
      s.messages[0]!.events.some((e) => e.state === 'duplicate'),
    );
    expect(story.messages).toHaveLength(1);
    await w.expectQuiet();
    await expectIndexUnchanged(v1);
  });
});

describe('consent for copies comes from the index, not from the message', () => {
  test('a CarePlanUpdate whose proposed plan claims consent: no copy of a plan the index holds without consent', async () => {
    const v1 = newPlan({ owner: ADDR.gp, planType: 'mental-health-crisis', consent: false });
    await w.establish('gp', notification('created', v1, { from: ADDR.gp, to: [ADDR.community] }));
    const proposal = update(
      { baseVersion: 1, proposed: nextVersion(v1, { consent: true }) },
      { from: ADDR.community, to: [ADDR.gp] },
    );
    await w.publish('community', proposal);
    await w.expectDelivered('gp', proposal, 'community', ADDR.gp);
    await w.completed(proposal.trackingId);
    await w.expectQuiet();
  });

  test('a CarePlanResponse carrying the plan with consent true: only the requester gets it', async () => {
    const v1 = newPlan({ owner: ADDR.gp, planType: 'mental-health-crisis', consent: false });
    await w.establish('gp', notification('created', v1, { from: ADDR.gp, to: [ADDR.community] }));
    const ask = request({ planId: v1.planId }, { from: ADDR.community });
    await w.publish('community', ask);
    await w.expectDelivered('gp', ask, 'community', ADDR.locator);
    const found = response(
      { inResponseTo: ask.trackingId, outcome: 'found', plan: { ...v1, consent: true } },
      { from: ADDR.gp, to: [ADDR.community] },
    );
    await w.publish('gp', found);
    await w.expectDelivered('community', found, 'gp', ADDR.community);
    await w.completed(found.trackingId);
    await w.expectQuiet();
  });

  test('a CarePlanResponse about a plan the index does not hold gets no copies either', async () => {
    const unknown = newPlan({ owner: ADDR.gp, planType: 'mental-health-crisis', consent: true });
    const found = response(
      { inResponseTo: newId(), outcome: 'found', plan: unknown },
      { from: ADDR.gp, to: [ADDR.community] },
    );
    await w.publish('gp', found);
    await w.expectDelivered('community', found, 'gp', ADDR.community);
    await w.completed(found.trackingId);
    await w.expectQuiet();
  });
});

describe('a plan hidden from the asker is answered not-found, exactly as a plan that does not exist', () => {
  async function answerTo(role: Role, ask: TestMessage) {
    await w.publish(role, ask);
    const answer = readCarePlanResponse(await w.h.takeOne(w.queue(role)));
    expect(answer.inResponseTo).toBe(ask.trackingId);
    expect(answer.hasPlan).toBe(false);
    await w.expectQuiet();
    return answer;
  }
  const masked = (reason: string | undefined, ...ids: string[]) =>
    ids.reduce((r, id) => r.replaceAll(id, '<id>'), reason ?? '');

  test('by plan id: the same outcome and the same words as for an unknown plan id', async () => {
    const { v1 } = await privateGpPlan();
    const unknownId = newId();
    const hidden = await answerTo('ooh', request({ planId: v1.planId }, { from: ADDR.ooh }));
    const unknown = await answerTo('ooh', request({ planId: unknownId }, { from: ADDR.ooh }));
    expect(hidden.outcome).toBe('not-found');
    expect(unknown.outcome).toBe('not-found');
    expect(masked(hidden.reason, v1.planId)).toBe(masked(unknown.reason, unknownId));
    expect(hidden.reason).not.toMatch(/consent|shared|owner|riverside/i);
  });

  test.each([[undefined], ['end-of-life']])(
    'by NHS number (planType %s): not-found in the same words as for a patient with no plan',
    async (planType) => {
      const { v1 } = await privateGpPlan();
      const other = newNhsNumber();
      const q = (nhsNumber: string) => ({ nhsNumber, ...(planType ? { planType } : {}) });
      const hidden = await answerTo('hospice', request(q(v1.nhsNumber), { from: ADDR.hospice }));
      const none = await answerTo('hospice', request(q(other), { from: ADDR.hospice }));
      expect(hidden.outcome).toBe('not-found');
      expect(masked(hidden.reason, v1.nhsNumber)).toBe(masked(none.reason, other));
    },
  );

  test('an update of a hidden plan is refused in the same words as an update of an unknown plan', async () => {
    const { v1 } = await privateGpPlan();
    const hidden = update(
      { baseVersion: 1, proposed: nextVersion(v1) },
      { from: ADDR.hospice, to: [ADDR.gp] },
    );
    await w.publish('hospice', hidden);
    const a = await w.expectNack('hospice', hidden, '2200', /is not in the index/);
    const ghost = { ...nextVersion(v1), planId: newId() };
    const unknown = update(
      { baseVersion: 1, proposed: ghost },
      { from: ADDR.hospice, to: [ADDR.gp] },
    );
    await w.publish('hospice', unknown);
    const b = await w.expectNack('hospice', unknown, '2200', /is not in the index/);
    expect(a.errors[0]!.diagnostic.replace(v1.planId, '<id>')).toBe(
      b.errors[0]!.diagnostic.replace(ghost.planId, '<id>'),
    );
    await w.expectQuiet();
  });

  test('the owner and the addresses the owner chose still see it (forwarded to the owner)', async () => {
    const { v1 } = await privateGpPlan();
    const ask = request({ planId: v1.planId }, { from: ADDR.community });
    await w.publish('community', ask);
    await w.expectDelivered('gp', ask, 'community', ADDR.locator);
    const byNhs = request({ nhsNumber: v1.nhsNumber }, { from: ADDR.community });
    await w.publish('community', byNhs);
    await w.expectDelivered('gp', byNhs, 'community', ADDR.locator);
    const own = await answerTo('gp', request({ planId: v1.planId }, { from: ADDR.gp }));
    expect(own.outcome).toBe('refused'); // the owner holds the master copy: it is told so
  });
});

describe('only the owner withdraws a pending update (business ack AR)', () => {
  function busAck(of: TestMessage, typeCode: 'AA' | 'AR', from: string, to: string): TestMessage {
    const payloadId = /manifestitem id="([^"]+)"/.exec(of.xml)![1]!;
    const ack = buildBusinessAck({
      original: { trackingId: of.trackingId, payloadId },
      typeCode,
      to: { uri: to },
      from: { address: from, identity: from.replace('addressing', 'identity') },
    });
    return { trackingId: ack.trackingId, xml: ack.xml, bytes: Buffer.from(ack.xml, 'utf8') };
  }

  test.each<[string, Role, readonly string[], boolean]>([
    ['a third end point', 'ooh', [ADDR.gp], false],
    [
      'another recipient of the update (not the owner)',
      'community',
      [ADDR.gp, ADDR.community],
      true,
    ],
  ])(
    'an AR from %s does not withdraw it: the owner’s next version still names the update',
    async (_, role, to, recipient) => {
      const v1 = newPlan({ owner: ADDR.gp, planType: 'falls' });
      await w.establish(
        'gp',
        notification('created', v1, { from: ADDR.gp, to: [ADDR.community, ADDR.hospice] }),
      );
      const proposal = update(
        { baseVersion: 1, proposed: nextVersion(v1) },
        { from: ADDR.hospice, to },
      );
      await w.publish('hospice', proposal);
      await w.completed(proposal.trackingId);
      await purge();

      const ar = busAck(proposal, 'AR', ADDR[role], ADDR.hospice);
      await w.publish(role, ar);
      await w.completed(ar.trackingId);
      await purge();
      const story = await w.h.store.track(proposal.trackingId);
      // correlated only when it comes from an end point the update was delivered to
      expect(story!.messages[0]!.record.state === 'bus-acked').toBe(recipient);

      const accepted = notification('updated', nextVersion(v1), {
        from: ADDR.gp,
        to: [ADDR.hospice],
      });
      await w.publish('gp', accepted);
      await w.completed(accepted.trackingId);
      expect((await w.history(v1.planId)).map((v) => [v.version, v.updateTrackingId])).toEqual([
        [1, null],
        [2, proposal.trackingId],
      ]);
    },
  );
});
