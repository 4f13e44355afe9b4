/**
 * The care-plan application of the simulator, on real fixture messages: it keeps the plans it is
 * notified of, answers a CarePlanRequest from its store (found / not-found; refused without
 * consent), accepts an update of a plan it owns by notifying the next version to the proposer and
 * the plan's previous address list, and rejects a stale one with a business ack AR.
 */
import { emptyState, type SimulatorState } from '../../../src/tools/simulator/plan-store.js';
import type { Response } from '../../../src/tools/simulator/respond.js';
import { carePlanFacts } from './careplan-facts.js';
import {
  ADDR,
  asBusinessAck,
  asDe,
  asResponse,
  COMMUNITY,
  expectValid,
  GP,
  kinds,
  receive,
  run,
  seedPlan,
  useValidator,
} from './simulator-fixtures.js';

const v = useValidator();
const PLAN = '0F8E7D6C-5B4A-4938-8271-605F4E3D2C1B'; // the GP's plan of the worked examples
const HOSPICE_SELF = { endpointId: 'st-marys-hospice', addresses: [ADDR.hospice] };

/** The GP holding its plan at version 1, as notified to the community team (examples/). */
const gpState = (): SimulatorState =>
  emptyState([seedPlan(v(), 'examples/careplan-notification.xml')]);
const answer = (r: Response, kind: string) => r.outgoing.find((o) => o.kind === kind)!;

describe('notifications', () => {
  test('a notified plan is kept, with the address list it came with', () => {
    const r = run(receive(v(), 'examples/careplan-notification.xml'), COMMUNITY);
    const held = r.state.plans.get(PLAN);
    expect(held).toMatchObject({
      version: 1,
      owner: ADDR.gp,
      planType: 'end-of-life',
      nhsNumber: '9434765919',
      sharedWith: [ADDR.community],
    });
    expect(held!.xml).toMatch(/^<plan xmlns="urn:itk-router:careplan:v1">/);
    expect(r.notes).toEqual([`keeps plan ${PLAN} version 1`]);
  });

  test('a base64 / gzip payload is kept too (decoded)', () => {
    const r = run(receive(v(), 'valid/careplan-notification-gzip.xml'), GP);
    expect([...r.state.plans.values()].map((p) => [p.planType, p.version])).toEqual([
      ['dementia', 3],
    ]);
  });

  test('an older version never replaces a newer one', () => {
    const newer = run(receive(v(), 'valid/careplan-notification-updated.xml'), COMMUNITY).state; // v3
    const older = receive(v(), 'valid/careplan-notification-updated.xml', (x) =>
      x.replace('<version>3</version>', '<version>2</version>'),
    );
    const r = run(older, COMMUNITY, newer);
    expect(r.state).toBe(newer);
    expect(r.notes).toEqual([expect.stringMatching(/already holds plan .* at version 3/)]);
  });
});

describe('CarePlanRequest → CarePlanResponse', () => {
  test('found: the held plan, to the requester, naming the request; an inf ack first', () => {
    const msg = receive(v(), 'valid/careplan-request-by-planid.xml'); // NHS 111 → GP
    const r = run(msg, GP, gpState());
    expect(kinds(r)).toEqual(['inf-ack', 'CarePlanResponse']);
    const res = answer(r, 'CarePlanResponse');
    expect(asResponse(res)).toMatchObject({
      inResponseTo: '13B801DA-5A5C-4568-84FE-59E3998DA9A4',
      outcome: 'found',
      hasPlan: true,
    });
    expect(carePlanFacts(res).plan).toMatchObject({ planId: PLAN, version: 1 });
    expect(asDe(res).envelope).toMatchObject({
      service: 'urn:itk-router:services:CarePlanResponse-v1-0',
      addresses: [{ uri: ADDR.ooh }],
      senderAddress: { uri: ADDR.gp },
      auditIdentity: [{ uri: 'urn:nhs-uk:identity:ods:A83001' }],
    });
    expect(res.summary).toBe(`care plan response (found: plan ${PLAN} version 1)`);
    for (const o of r.outgoing) expectValid(v(), o);
  });

  test('found by NHS number and plan type, through the locator: answered from the owner address', () => {
    const hospice = run(
      receive(v(), 'valid/careplan-notification-created.xml'),
      HOSPICE_SELF,
    ).state;
    const r = run(receive(v(), 'valid/careplan-request-by-nhsnumber.xml'), HOSPICE_SELF, hospice);
    const res = answer(r, 'CarePlanResponse');
    expect(asResponse(res).outcome).toBe('found');
    expect(carePlanFacts(res).plan?.planId).toBe('98662F45-278C-4E3F-B3E9-5F483ED579F5');
    expect(asDe(res).envelope.senderAddress?.uri).toBe(ADDR.hospice);
    expectValid(v(), res);
  });

  test('a subtree-only end point reached through the locator answers from its plan’s owner address', () => {
    const community = emptyState([seedPlan(v(), 'simulator/plans/community-dementia-plan.xml')]);
    const msg = receive(v(), 'valid/careplan-request-by-nhsnumber.xml', (x) =>
      x
        .replace('<nhsNumber>9990001235</nhsNumber>', '<nhsNumber>9876543210</nhsNumber>')
        .replace('<planType>end-of-life</planType>', '<planType>dementia</planType>'),
    );
    const res = answer(run(msg, COMMUNITY, community), 'CarePlanResponse');
    expect(asDe(res).envelope.senderAddress?.uri).toBe(ADDR.community);
    expect(carePlanFacts(res).plan).toMatchObject({
      planId: '8B3F6D2A-1E4C-4A7B-B5D9-3C2E1F0A9B87',
      version: 2,
    });
  });

  test('a plan it does not hold: not-found, with the reason', () => {
    const r = run(receive(v(), 'valid/careplan-request-by-planid.xml'), GP);
    const res = answer(r, 'CarePlanResponse');
    expect(asResponse(res)).toMatchObject({
      outcome: 'not-found',
      hasPlan: false,
      reason: `no plan ${PLAN} is held here`,
    });
    expectValid(v(), res);
  });

  test('a plan without consent, asked for by an address it was not shared with: refused', () => {
    const noConsent = run(
      receive(v(), 'examples/careplan-notification.xml', (x) =>
        x.replace(
          '<consentToShare>true</consentToShare>',
          '<consentToShare>false</consentToShare>',
        ),
      ),
      GP,
    ).state;
    const res = answer(
      run(receive(v(), 'valid/careplan-request-by-planid.xml'), GP, noConsent),
      'CarePlanResponse',
    );
    expect(asResponse(res)).toMatchObject({ outcome: 'refused', hasPlan: false });
    expect(asResponse(res).reason).toMatch(/not shared with urn:nhs-uk:addressing:ods:NWAS111/);
    expectValid(v(), res);
  });
});

describe('CarePlanUpdate of a plan it owns', () => {
  test('on the current version: accepted by notifying the next version to the proposer and the previous address list', () => {
    // the community team proposes version 2 on version 1, asking for both acks
    const update = receive(v(), 'examples/careplan-update.xml');
    const r = run(update, GP, gpState());
    expect(kinds(r)).toEqual(['inf-ack', 'business-ack', 'CarePlanNotification']);
    expect(asBusinessAck(answer(r, 'business-ack')).typeCode).toBe('AA');
    const note = answer(r, 'CarePlanNotification');
    expect(carePlanFacts(note)).toMatchObject({
      event: 'updated',
      plan: { planId: PLAN, version: 2, owner: ADDR.gp },
    });
    expect(asDe(note).envelope).toMatchObject({
      service: 'urn:itk-router:services:CarePlanNotification-v1-0',
      addresses: [{ uri: ADDR.community }], // the proposer, also the plan's previous address list
      senderAddress: { uri: ADDR.gp },
    });
    expect(note.inReplyTo).toBe(update.envelope!.trackingId);
    for (const o of r.outgoing) expectValid(v(), o);
    expect(r.state.plans.get(PLAN)).toMatchObject({ version: 2, sharedWith: [ADDR.community] });

    // then the hospice proposes version 3 on version 2 (no business ack asked for)
    const r3 = run(receive(v(), 'valid/careplan-update-named.xml'), GP, r.state);
    expect(kinds(r3)).toEqual(['inf-ack', 'CarePlanNotification']);
    const note3 = answer(r3, 'CarePlanNotification');
    expect(asDe(note3).envelope.addresses.map((a) => a.uri)).toEqual([
      ADDR.hospice,
      ADDR.community,
    ]);
    expect(carePlanFacts(note3).plan?.version).toBe(3);
    expect(r3.state.plans.get(PLAN)?.version).toBe(3);
  });

  test('on a stale version: business ack AR naming the current version, no notification, no change', () => {
    const atV2 = run(receive(v(), 'examples/careplan-update.xml'), GP, gpState()).state;
    const stale = receive(v(), 'examples/careplan-update.xml'); // still based on version 1
    const r = run(stale, GP, atV2);
    expect(kinds(r)).toEqual(['inf-ack', 'business-ack']);
    expect(asBusinessAck(answer(r, 'business-ack'))).toEqual({
      typeCode: 'AR',
      ref: stale.envelope!.trackingId,
      text: `version conflict: plan ${PLAN} is at version 2, the update is based on version 1`,
    });
    expect(r.state.plans).toBe(atV2.plans);
    expectValid(v(), answer(r, 'business-ack'));
  });

  test('AR even when no business ack was asked for (the rejection is the answer)', () => {
    const r = run(receive(v(), 'valid/careplan-update-named.xml'), GP, gpState()); // base 2, held at 1
    expect(kinds(r)).toEqual(['inf-ack', 'business-ack']);
    expect(asBusinessAck(answer(r, 'business-ack')).text).toMatch(
      /is at version 1, the update is based on version 2/,
    );
  });

  test('a plan it holds but does not own: AR', () => {
    const copy = run(receive(v(), 'examples/careplan-notification.xml'), COMMUNITY).state;
    const update = receive(v(), 'examples/careplan-update.xml', (x) =>
      x.replace(
        '<itk:address uri="urn:nhs-uk:addressing:ods:A83001"/>',
        `<itk:address uri="${ADDR.community}"/>`,
      ),
    );
    const r = run(update, { ...COMMUNITY, address: ADDR.community }, copy);
    expect(asBusinessAck(answer(r, 'business-ack')).text).toBe(
      `plan ${PLAN} is owned by ${ADDR.gp}: only its owner accepts updates`,
    );
  });

  test('a plan it does not hold: AR', () => {
    const r = run(receive(v(), 'examples/careplan-update.xml'), GP);
    expect(asBusinessAck(answer(r, 'business-ack'))).toMatchObject({
      typeCode: 'AR',
      text: `plan ${PLAN} is not held here`,
    });
  });

  test('a closed plan: AR', () => {
    const closed = run(
      receive(v(), 'examples/careplan-notification.xml', (x) =>
        x.replace('<status>active</status>', '<status>completed</status>'),
      ),
      GP,
    ).state;
    const r = run(receive(v(), 'examples/careplan-update.xml'), GP, closed);
    expect(asBusinessAck(answer(r, 'business-ack')).text).toMatch(
      /is closed \(completed\) at version 1/,
    );
  });
});
