/**
 * Issue rule 6, consent (docs/contract.md "Care-plan messages": a plan without consentToShare=true
 * is never listed or sent to anyone but its owner and the addresses its owner chose): copy routes
 * and subscriptions never carry it; only the address list does.
 *
 * Routes (test/fixtures/careplans/routes): ooh-111 gets end-of-life notifications by a copy route
 * AND a subscription; riverside-community subscribes to dementia; a copy route on the plan type
 * alone copies every mental-health-crisis message to ooh-111.
 */
import {
  ADDR,
  EP,
  headersOf,
  locate,
  newPlan,
  nextVersion,
  notification,
  readCarePlanResponse,
  readLocateResponse,
  request,
  response,
  update,
} from '../../support/careplan-messages.js';
import { useCarePlanWorld } from '../../support/careplan-world.js';

const w = useCarePlanWorld();

const deliveredTo = async (trackingId: string) =>
  (await w.completed(trackingId)).messages[0]!.events.filter(
    (e) => e.state === 'delivered' && e.endpointId !== null,
  )
    .map((e) => e.endpointId)
    .sort();

describe('a notification without consent goes only to the addresses its owner chose', () => {
  test('end-of-life, consentToShare=false: no copy to ooh-111 (neither copy route nor subscription); indexed without consent', async () => {
    const plan = newPlan({ owner: ADDR.gp, planType: 'end-of-life', consent: false });
    const created = notification('created', plan, { from: ADDR.gp, to: [ADDR.community] });
    await w.publish('gp', created);
    await w.expectDelivered('community', created, 'gp', ADDR.community);
    await w.expectQuiet();
    expect(await deliveredTo(created.trackingId)).toEqual([EP.community]);
    expect(await w.plan(plan.planId)).toEqual(
      expect.objectContaining({ consentToShare: false, sharedWith: [ADDR.community] }),
    );
  });

  test('consentToShare absent counts as no consent', async () => {
    const plan = newPlan({ owner: ADDR.hospice, planType: 'end-of-life', consent: 'absent' });
    const created = notification('created', plan, {
      from: ADDR.hospice,
      to: [ADDR.gp],
      generic: true,
    });
    await w.publish('hospice', created);
    await w.expectDelivered('gp', created, 'hospice');
    await w.expectQuiet();
    expect((await w.plan(plan.planId))?.consentToShare).toBe(false);
  });

  test('a subscription alone (community ← dementia) does not carry a plan without consent', async () => {
    const plan = newPlan({ owner: ADDR.gp, planType: 'dementia', consent: false });
    const created = notification('created', plan, { from: ADDR.gp, to: [ADDR.hospice] });
    await w.publish('gp', created);
    await w.expectDelivered('hospice', created, 'gp');
    await w.expectQuiet();
  });

  test('a copy route on the plan type alone (mental-health-crisis → ooh-111) does not carry a notification without consent, and does with consent', async () => {
    const without = newPlan({ owner: ADDR.gp, planType: 'mental-health-crisis', consent: false });
    const n1 = notification('created', without, { from: ADDR.gp, to: [ADDR.community] });
    await w.publish('gp', n1);
    await w.expectDelivered('community', n1, 'gp');
    await w.expectQuiet();

    const withConsent = newPlan({
      owner: ADDR.gp,
      planType: 'mental-health-crisis',
      consent: true,
    });
    const n2 = notification('created', withConsent, { from: ADDR.gp, to: [ADDR.community] });
    await w.publish('gp', n2);
    await w.expectDelivered('community', n2, 'gp');
    const copy = await w.expectDelivered('ooh', n2, 'gp');
    expect(headersOf(copy)['itk-recipient']).toBe('copy:crisis-plans-copied-to-out-of-hours');
    await w.expectQuiet();
  });

  test('the owner may choose ooh-111 itself: one copy, as an addressee', async () => {
    const plan = newPlan({ owner: ADDR.gp, planType: 'end-of-life', consent: false });
    const created = notification('created', plan, {
      from: ADDR.gp,
      to: [ADDR.ooh, ADDR.community],
    });
    await w.publish('gp', created);
    await w.expectDelivered('ooh', created, 'gp', ADDR.ooh);
    await w.expectDelivered('community', created, 'gp', ADDR.community);
    await w.expectQuiet();
  });

  test('consent withdrawn in a later version: the copies stop, and the locator no longer shows it to ooh-111', async () => {
    const v1 = newPlan({ owner: ADDR.gp, planType: 'end-of-life', consent: true });
    const created = notification('created', v1, { from: ADDR.gp, to: [ADDR.community] });
    await w.publish('gp', created);
    await w.expectDelivered('community', created, 'gp');
    await w.expectDelivered('ooh', created, 'gp');
    await w.expectQuiet();

    const withdrawn = notification('updated', nextVersion(v1, { consent: false }), {
      from: ADDR.gp,
      to: [ADDR.community],
    });
    await w.publish('gp', withdrawn);
    await w.expectDelivered('community', withdrawn, 'gp');
    await w.expectQuiet();
    expect((await w.plan(v1.planId))?.consentToShare).toBe(false);

    const ask = locate({ nhsNumber: v1.nhsNumber }, { from: ADDR.ooh });
    await w.publish('ooh', ask);
    expect(readLocateResponse(await w.h.takeOne(w.queue('ooh'))).entries).toEqual([]);
    const pull = request({ planId: v1.planId }, { from: ADDR.ooh });
    await w.publish('ooh', pull);
    // hidden from ooh-111 now: answered exactly as a plan that does not exist (issue 12, finding 7)
    expect(readCarePlanResponse(await w.h.takeOne(w.queue('ooh'))).outcome).toBe('not-found');
    await w.expectQuiet();
  });
});

describe('other messages carrying a plan without consent', () => {
  // PRODUCT BUG (see the report): the consent rule is applied to notifications only
  // (src/router/06-careplans/careplan-step.ts notify(), lines 98-107). A CarePlanResponse (default branch,
  // line 52) or CarePlanUpdate (update(), line 180 keeps every routed delivery, copies included)
  // carrying a plan without consent is routed like any message, and a copy route on its plan type
  // matches (src/router/09-pipeline/decide.ts line 95 passes planType to resolve() for every care-plan
  // message): the plan reaches an end point its owner never chose.
  test('the owner’s CarePlanResponse (found, plan without consent) reaches only the requester, never a copy route', async () => {
    const plan = newPlan({ owner: ADDR.gp, planType: 'mental-health-crisis', consent: false });
    await w.establish('gp', notification('created', plan, { from: ADDR.gp, to: [ADDR.community] }));
    const ask = request({ planId: plan.planId }, { from: ADDR.community });
    await w.publish('community', ask);
    await w.expectDelivered('gp', ask, 'community', ADDR.locator);

    const found = response(
      { inResponseTo: ask.trackingId, outcome: 'found', plan },
      { from: ADDR.gp, to: [ADDR.community] },
    );
    await w.publish('gp', found);
    await w.expectDelivered('community', found, 'gp', ADDR.community);
    await w.completed(found.trackingId);
    await w.expectQuiet();
  });

  test('a CarePlanUpdate whose proposed plan has no consent reaches only the owner, never a copy route', async () => {
    const plan = newPlan({ owner: ADDR.gp, planType: 'mental-health-crisis', consent: false });
    await w.establish('gp', notification('created', plan, { from: ADDR.gp, to: [ADDR.community] }));
    const proposal = update(
      { baseVersion: 1, proposed: nextVersion(plan) },
      { from: ADDR.community, to: [ADDR.gp] },
    );
    await w.publish('community', proposal);
    await w.expectDelivered('gp', proposal, 'community', ADDR.gp);
    await w.completed(proposal.trackingId);
    await w.expectQuiet();
  });
});
