/**
 * Issue rule 4, CarePlanRequest / CarePlanResponse (docs/contract.md "Care-plan messages"): a request
 * to the locator is forwarded, bytes unchanged, to the owner the index names; no plan → the router
 * answers not-found; a plan the asker may not see → not-found too, in the same words (issue 12,
 * finding 7: the answer must not tell that a hidden plan exists); the owner's response goes back to the
 * requester by address and is correlated with the request (track: answered by the owner).
 */
import {
  createValidator,
  type Validator,
} from '../../../src/router/04-validation/create-validator.js';
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
  type Role,
} from '../../support/careplan-messages.js';
import { useCarePlanWorld } from '../../support/careplan-world.js';
import { STOCK_PLAN_TYPES } from '../../support/plan-types.js';

const w = useCarePlanWorld();
let validator: Validator;

// A hospice-owned end-of-life plan with consent, and a GP-owned plan WITHOUT consent notified to
// the community team only.
const eol = newPlan({ owner: ADDR.hospice, planType: 'end-of-life' });
const private_ = newPlan({ owner: ADDR.gp, planType: 'mental-health-crisis', consent: false });

beforeAll(async () => {
  validator = createValidator({
    planTypes: STOCK_PLAN_TYPES,
  });
  await w.establish('hospice', notification('created', eol, { from: ADDR.hospice, to: [ADDR.gp] }));
  await w.establish(
    'gp',
    notification('created', private_, { from: ADDR.gp, to: [ADDR.community] }),
  );
}, 20000);
afterAll(() => validator?.dispose());

/** The router's own CarePlanResponse on `role`'s queue, checked valid and addressed back. */
async function routerAnswer(role: Role, asked: { trackingId: string }, from: string) {
  const got = await w.h.takeOne(w.queue(role));
  expect(validator.validate(got.content).valid).toBe(true);
  const answer = readCarePlanResponse(got);
  expect(answer.envelope.service).toBe('urn:itk-router:services:CarePlanResponse-v1-0');
  expect(answer.envelope.addresses.map((a) => a.uri)).toEqual([from]);
  expect(answer.envelope.senderAddress?.uri).toBe(ADDR.locator);
  expect(answer.inResponseTo).toBe(asked.trackingId);
  expect(answer.hasPlan).toBe(false);
  const story = await w.completed(asked.trackingId);
  expect(story.messages[0]!.record.outcome).toBe('answered');
  expect(story.messages[0]!.responses.map((r) => [r.kind, r.toEndpointId, r.trackingId])).toEqual([
    ['response', EP[role], answer.envelope.trackingId],
  ]);
  return answer;
}

describe('a CarePlanRequest to the locator is forwarded to the owner the index names', () => {
  test('by NHS number and plan type: the owner gets the bytes unchanged; its response goes back to the requester and is correlated', async () => {
    const ask = request(
      { nhsNumber: eol.nhsNumber, planType: 'end-of-life' },
      { from: ADDR.ooh, generic: true },
    );
    await w.publish('ooh', ask);
    await w.expectDelivered('hospice', ask, 'ooh', ADDR.locator);
    await w.expectQuiet();
    expect((await w.completed(ask.trackingId)).messages[0]!.record.outcome).toBe('delivered');

    const found = response(
      { inResponseTo: ask.trackingId, outcome: 'found', plan: eol },
      { from: ADDR.hospice, to: [ADDR.ooh], generic: true },
    );
    await w.publish('hospice', found);
    await w.expectDelivered('ooh', found, 'hospice', ADDR.ooh);
    await w.expectQuiet();

    const story = await w.h.waitForStory(
      ask.trackingId,
      (s) => s.messages[0]!.record.state === 'answered',
    );
    const answered = story.messages[0]!.events.filter((e) => e.state === 'answered');
    expect(answered).toEqual([
      expect.objectContaining({
        endpointId: EP.hospice,
        ackTrackingId: found.trackingId,
        code: 'found',
      }),
    ]);
    expect(story.references.map((r) => r.record.trackingId)).toEqual([found.trackingId]);
    const back = await w.h.store.track(found.trackingId);
    expect(back?.originals.map((o) => o.record.trackingId)).toEqual([ask.trackingId]);
  });

  test('by plan id (named service): forwarded to the owner', async () => {
    const ask = request({ planId: eol.planId }, { from: ADDR.community });
    await w.publish('community', ask);
    await w.expectDelivered('hospice', ask, 'community', ADDR.locator);
    await w.expectQuiet();
  });

  test('the owner found in the index follows owner-changed', async () => {
    const plan = newPlan({ owner: ADDR.gp, planType: 'falls' });
    await w.establish('gp', notification('created', plan, { from: ADDR.gp, to: [ADDR.community] }));
    await w.establish(
      'gp',
      notification('owner-changed', nextVersion(plan, { owner: ADDR.community }), {
        from: ADDR.gp,
        to: [ADDR.ooh],
      }),
    );
    const ask = request({ planId: plan.planId }, { from: ADDR.ooh });
    await w.publish('ooh', ask);
    await w.expectDelivered('community', ask, 'ooh', ADDR.locator);
    await w.expectQuiet();
  });

  test('a plan without consent, asked for by an end point its owner notified: forwarded', async () => {
    const ask = request({ planId: private_.planId }, { from: ADDR.community });
    await w.publish('community', ask);
    await w.expectDelivered('gp', ask, 'community', ADDR.locator);
    await w.expectQuiet();
  });
});

describe('the router answers itself when it cannot forward', () => {
  test('no such plan id: CarePlanResponse not-found to the requester, nothing forwarded', async () => {
    const ask = request({ planId: newId() }, { from: ADDR.ooh });
    await w.publish('ooh', ask);
    const answer = await routerAnswer('ooh', ask, ADDR.ooh);
    expect(answer.outcome).toBe('not-found');
    expect(answer.reason).toMatch(/the locator knows no plan/);
    await w.expectQuiet();
  });

  test('no plan for the NHS number: not-found', async () => {
    const ask = request({ nhsNumber: newNhsNumber() }, { from: ADDR.gp, generic: true });
    await w.publish('gp', ask);
    expect((await routerAnswer('gp', ask, ADDR.gp)).outcome).toBe('not-found');
    await w.expectQuiet();
  });

  test('a plan of another type for that patient: not-found', async () => {
    const ask = request({ nhsNumber: eol.nhsNumber, planType: 'dementia' }, { from: ADDR.gp });
    await w.publish('gp', ask);
    expect((await routerAnswer('gp', ask, ADDR.gp)).outcome).toBe('not-found');
    await w.expectQuiet();
  });

  test('a plan without consent the asker may not see: not-found, as an unknown plan; the owner never hears of it', async () => {
    const byId = request({ planId: private_.planId }, { from: ADDR.ooh });
    await w.publish('ooh', byId);
    const answer = await routerAnswer('ooh', byId, ADDR.ooh);
    expect(answer.outcome).toBe('not-found');
    expect(answer.reason).toBe(`the locator knows no plan ${private_.planId}`);
    await w.expectQuiet();

    const byNhs = request({ nhsNumber: private_.nhsNumber }, { from: ADDR.hospice });
    await w.publish('hospice', byNhs);
    expect((await routerAnswer('hospice', byNhs, ADDR.hospice)).outcome).toBe('not-found');
    await w.expectQuiet();
  });
});

describe('responses from the owner', () => {
  test('not-found / refused from the owner are routed back and correlated too', async () => {
    const ask = request({ planId: eol.planId }, { from: ADDR.gp });
    await w.publish('gp', ask);
    await w.expectDelivered('hospice', ask, 'gp', ADDR.locator);

    const refusal = response(
      { inResponseTo: ask.trackingId, outcome: 'refused' },
      { from: ADDR.hospice, to: [ADDR.gp] },
    );
    await w.publish('hospice', refusal);
    await w.expectDelivered('gp', refusal, 'hospice', ADDR.gp);
    await w.expectQuiet();
    const story = await w.h.waitForStory(
      ask.trackingId,
      (s) => s.messages[0]!.record.state === 'answered',
    );
    expect(story.messages[0]!.events).toContainEqual(
      expect.objectContaining({
        state: 'answered',
        endpointId: EP.hospice,
        code: 'refused',
        ackTrackingId: refusal.trackingId,
      }),
    );
  });
});

describe('requests the locator mishandles (product bugs, see the report)', () => {
  // PRODUCT BUG: requestedPlan (src/router/06-careplans/plan-rules.ts line 90) picks the patient's newest
  // open plan of the type (careplan-step.ts line 133) BEFORE the visibility check (line 147), so
  // a newer plan the asker may not see hides an older one it may: refused instead of forwarded.
  test('by NHS number: a newer plan the asker may not see does not hide an older one it may see', async () => {
    const nhsNumber = newNhsNumber();
    const visible = newPlan({
      owner: ADDR.gp,
      nhsNumber,
      consent: true,
      lastUpdated: '2026-01-05T10:00:00Z',
    });
    const hidden = newPlan({
      owner: ADDR.hospice,
      nhsNumber,
      consent: false,
      lastUpdated: '2026-06-05T10:00:00Z',
    });
    await w.establish(
      'gp',
      notification('created', visible, { from: ADDR.gp, to: [ADDR.community] }),
    );
    await w.establish(
      'hospice',
      notification('created', hidden, { from: ADDR.hospice, to: [ADDR.gp] }),
    );

    const ask = request({ nhsNumber, planType: 'long-term-condition' }, { from: ADDR.ooh });
    await w.publish('ooh', ask);
    await w.h.expectEmpty([w.queue('ooh')]); // (today: a CarePlanResponse "refused" naming the hidden plan)
    await w.expectDelivered('gp', ask, 'ooh', ADDR.locator);
    await w.expectQuiet();
  });

  // PRODUCT BUG: riverside-community claims RDE01:*, but RDE01:NURSING:TEAM2 (where the owner sent
  // this plan without consent) resolves to community-nursing. maySee (plan-rules.ts line 19) uses
  // endpointClaimsAddress, so the request is forwarded instead of refused.
  test('a plan without consent notified to a nested team is hidden from the enclosing trust (not-found)', async () => {
    const plan = newPlan({ owner: ADDR.gp, consent: false });
    await w.establish('gp', notification('created', plan, { from: ADDR.gp, to: [ADDR.nursing] }));
    const ask = request({ planId: plan.planId }, { from: ADDR.community });
    await w.publish('community', ask);
    await w.h.expectEmpty([w.queue('gp')]); // (today: the request, forwarded to the owner)
    expect((await routerAnswer('community', ask, ADDR.community)).outcome).toBe('not-found');
    await w.expectQuiet();
  });

  // PRODUCT BUG: when the asker is the plan's owner, request() (careplan-step.ts lines 153-160)
  // drops the only delivery ("never back to the sender") and neither answers nor nacks: the
  // request is recorded as `delivered` to no one and the requester hears nothing.
  test('the owner asking the locator for its own plan gets an answer, not silence', async () => {
    const plan = newPlan({ owner: ADDR.gp });
    await w.establish('gp', notification('created', plan, { from: ADDR.gp, to: [ADDR.community] }));
    const ask = request({ nhsNumber: plan.nhsNumber }, { from: ADDR.gp });
    await w.publish('gp', ask);
    const story = await w.completed(ask.trackingId);
    const deliveredTo = story.messages[0]!.events.filter(
      (e) => e.state === 'delivered' && e.endpointId,
    );
    const answered = story.messages[0]!.responses;
    expect(deliveredTo.length + answered.length).toBeGreaterThan(0);
  });
});
