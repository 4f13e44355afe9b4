/**
 * docs/contract.md "Acknowledgements", end to end: the router's positive inf acks on behalf of
 * `acks: router` end points (and only then), end points' inf acks and business acks routed to the
 * original sender by address and correlated in the store, and inf acks that fail never nacked.
 */
import { useRouterHarness } from '../../support/router-harness.js';
import {
  ADDR,
  cda,
  de,
  headersOf,
  INF_ACK_SERVICE,
  readInfAck,
  ROUTER_IDENTITY,
} from './de-messages.js';

const h = useRouterHarness();
const Q = (id: string) => h.queue(id);
const everywhere = () => [...h.endpointIds.map(Q), h.names.quarantineQueue];
const completed = (trackingId: string) =>
  h.waitForStory(
    trackingId,
    (s) => s.messages.length > 0 && s.messages.every((m) => m.record.completedAt != null),
  );

describe("acks: router — the router sends the positive inf ack on the end point's behalf", () => {
  test("once delivered: result OK, trackingIdRef, reportingIdentity = the router, to the sender's queue", async () => {
    // GP → hospice (acks: router), infackrequested=true
    const msg = de('valid/careplan-response-refused.xml');
    expect(msg.xml).toMatch(/infackrequested" value="true"/);
    await h.publish('gp', msg.bytes);

    const delivered = await h.takeOne(Q('st-marys-hospice'));
    expect(delivered.content.equals(msg.bytes)).toBe(true);
    const ackMsg = await h.takeOne(Q('riverside-gp'));
    const ack = readInfAck(ackMsg);
    expect(ack.result).toBe('OK');
    expect(ack.trackingIdRef).toBe(msg.trackingId);
    expect(ack.serviceRef).toBe('urn:itk-router:services:CarePlanResponse-v1-0');
    expect(ack.reportingIdentity).toEqual([ROUTER_IDENTITY]);
    expect(ack.errors).toEqual([]);
    expect(ack.envelope.service).toBe(INF_ACK_SERVICE);
    expect(ack.envelope.trackingId).not.toBe(msg.trackingId);
    expect(ack.envelope.addresses.map((a) => a.uri)).toEqual([ADDR.gp]);
    expect(ack.envelope.senderAddress?.uri).toBe(ADDR.router);
    expect(ack.envelope.auditIdentity.map((a) => a.uri)).toEqual([ROUTER_IDENTITY]);
    expect(ackMsg.properties.messageId).toBe(ack.envelope.trackingId);
    expect(ackMsg.properties.type).toBe(INF_ACK_SERVICE);
    expect(ackMsg.properties.deliveryMode).toBe(2);
    expect(headersOf(ackMsg)['itk-tracking-id']).toBe(ack.envelope.trackingId);
    await h.expectEmpty(everywhere());

    const story = await completed(msg.trackingId);
    expect(story.messages[0]!.record.outcome).toBe('delivered');
    expect(story.messages[0]!.responses).toEqual([
      expect.objectContaining({
        kind: 'inf-ack',
        trackingId: ack.envelope.trackingId,
        toEndpointId: 'riverside-gp',
        xml: ackMsg.content.toString('utf8'),
      }),
    ]);
  });

  test('not when infackrequested is false', async () => {
    const msg = de('valid/careplan-response-refused.xml', { specs: { infackrequested: 'false' } });
    await h.publish('gp', msg.bytes);
    await h.takeOne(Q('st-marys-hospice'));
    await completed(msg.trackingId);
    await h.expectEmpty(everywhere(), 100);
  });

  test('not when no infackrequested spec is given', async () => {
    const msg = de('valid/careplan-response-refused.xml', { specs: { infackrequested: null } });
    expect(msg.xml).not.toContain('infackrequested');
    await h.publish('gp', msg.bytes);
    await h.takeOne(Q('st-marys-hospice'));
    await completed(msg.trackingId);
    await h.expectEmpty(everywhere(), 100);
  });

  test('never for an inf ack, even one that (wrongly) asks for an inf ack', async () => {
    // the GP acknowledges the hospice's notification; the ack is delivered to the hospice (acks: router)
    const ackToHospice = de('valid/inf-ack-ok-empty-errors-generic.xml', {
      ackRef: 'ED1E68E3-A035-41A4-A34E-9B6FD1588F16',
      specs: { infackrequested: 'true' },
    });
    await h.publish('gp', ackToHospice.bytes);
    const got = await h.takeOne(Q('st-marys-hospice'));
    expect(got.content.equals(ackToHospice.bytes)).toBe(true);
    await completed(ackToHospice.trackingId);
    await h.expectEmpty(everywhere(), 100);
  });

  test('never for a business ack (which itself asks for an inf ack)', async () => {
    const busAck = de('valid/business-ack-aa.xml', { addresses: [ADDR.hospice] });
    expect(busAck.xml).toMatch(/infackrequested" value="true"/);
    await h.publish('gp', busAck.bytes);
    const got = await h.takeOne(Q('st-marys-hospice'));
    expect(got.content.equals(busAck.bytes)).toBe(true);
    await completed(busAck.trackingId);
    await h.expectEmpty(everywhere(), 100);
  });

  test('not for an end point that acknowledges itself (acks: endpoint)', async () => {
    const msg = de('valid/careplan-request-lowercase-manifest-id.xml'); // community → GP, infackrequested=true
    await h.publish('community', msg.bytes);
    await h.takeOne(Q('riverside-gp'));
    await completed(msg.trackingId);
    await h.expectEmpty(everywhere(), 100);
  });

  test('a message to the hospice and another end point: the router acks once, for the hospice only', async () => {
    const msg = cda({ addresses: [ADDR.community, ADDR.hospice] });
    await h.publish('gp', msg.bytes);
    await h.takeOne(Q('riverside-community'));
    await h.takeOne(Q('st-marys-hospice'));
    const ack = readInfAck(await h.takeOne(Q('riverside-gp')));
    expect([ack.result, ack.trackingIdRef]).toEqual(['OK', msg.trackingId]);
    await completed(msg.trackingId);
    await h.expectEmpty(everywhere(), 100);
  });
});

describe('acks from end points are routed to the original sender by address and correlated', () => {
  test('an inf ack (OK) from the community team reaches the GP unchanged; the original becomes inf-acked', async () => {
    const original = cda(); // GP → community
    await h.publish('gp', original.bytes);
    await h.takeOne(Q('riverside-community'));
    await completed(original.trackingId);

    const ack = de('valid/inf-ack-ok.xml', { ackRef: original.trackingId }); // community → A83001
    await h.publish('community', ack.bytes);
    const got = await h.takeOne(Q('riverside-gp'));
    expect(got.content.equals(ack.bytes)).toBe(true);
    expect(headersOf(got)).toMatchObject({
      'itk-tracking-id': ack.trackingId,
      'itk-service': INF_ACK_SERVICE,
      'itk-sender': 'riverside-community',
      'itk-recipient': ADDR.gp,
    });
    expect(readInfAck(got).trackingIdRef).toBe(original.trackingId);
    await completed(ack.trackingId);
    await h.expectEmpty(everywhere(), 100); // no nack, no ack of the ack

    const story = await h.waitForStory(
      original.trackingId,
      (s) => s.messages[0]?.record.state === 'inf-acked',
    );
    const event = story.messages[0]!.events.find((e) => e.state === 'inf-acked');
    expect(event).toMatchObject({
      endpointId: 'riverside-community',
      ackTrackingId: ack.trackingId,
    });
    expect(story.references.map((r) => r.record.trackingId)).toContain(ack.trackingId);
  });

  test('an inf nack (Failure) from an end point reaches the GP; the original becomes nacked with its code', async () => {
    const original = cda(); // GP → community
    await h.publish('gp', original.bytes);
    await h.takeOne(Q('riverside-community'));
    await completed(original.trackingId);

    const nack = de('valid/inf-ack-failure.xml', { ackRef: original.trackingId }); // community → GP, 2100
    await h.publish('community', nack.bytes);
    const got = await h.takeOne(Q('riverside-gp'));
    expect(got.content.equals(nack.bytes)).toBe(true);
    expect(readInfAck(got)).toMatchObject({
      result: 'Failure',
      trackingIdRef: original.trackingId,
    });
    await completed(nack.trackingId);
    await h.expectEmpty(everywhere(), 100);

    const story = await h.waitForStory(
      original.trackingId,
      (s) => s.messages[0]?.record.state === 'nacked',
    );
    expect(story.messages[0]!.events.find((e) => e.state === 'nacked')).toMatchObject({
      endpointId: 'riverside-community',
      code: '2100',
      ackTrackingId: nack.trackingId,
    });
  });

  test('a business ack (AA) from the GP reaches the community team; the original becomes bus-acked', async () => {
    const update = cda({ senderAddress: ADDR.community, addresses: [ADDR.gp] }); // community → GP, both acks requested
    await h.publish('community', update.bytes);
    await h.takeOne(Q('riverside-gp'));
    await completed(update.trackingId);

    const inf = de('valid/inf-ack-ok.xml', {
      ackRef: update.trackingId,
      addresses: [ADDR.community],
      senderAddress: ADDR.gp,
    });
    await h.publish('gp', inf.bytes);
    await h.takeOne(Q('riverside-community'));
    await h.waitForStory(update.trackingId, (s) => s.messages[0]?.record.state === 'inf-acked');

    const busAck = de('valid/business-ack-aa.xml', { ackRef: update.trackingId }); // GP → RDE01:COMMUNITY
    await h.publish('gp', busAck.bytes);
    const got = await h.takeOne(Q('riverside-community'));
    expect(got.content.equals(busAck.bytes)).toBe(true);
    expect(headersOf(got)).toMatchObject({
      'itk-sender': 'riverside-gp',
      'itk-recipient': ADDR.community,
    });
    await completed(busAck.trackingId);
    await h.expectEmpty(everywhere(), 100);

    const story = await h.waitForStory(
      update.trackingId,
      (s) => s.messages[0]?.record.state === 'bus-acked',
    );
    expect(story.messages[0]!.events.find((e) => e.state === 'bus-acked')).toMatchObject({
      endpointId: 'riverside-gp',
      code: 'AA',
      ackTrackingId: busAck.trackingId,
    });
  });

  test('a late inf ack does not move a bus-acked message back', async () => {
    const update = cda({ senderAddress: ADDR.community, addresses: [ADDR.gp] });
    await h.publish('community', update.bytes);
    await h.takeOne(Q('riverside-gp'));
    await completed(update.trackingId);
    const busAck = de('valid/business-ack-aa.xml', { ackRef: update.trackingId });
    await h.publish('gp', busAck.bytes);
    await h.takeOne(Q('riverside-community'));
    await h.waitForStory(update.trackingId, (s) => s.messages[0]?.record.state === 'bus-acked');
    const inf = de('valid/inf-ack-ok.xml', {
      ackRef: update.trackingId,
      addresses: [ADDR.community],
      senderAddress: ADDR.gp,
    });
    await h.publish('gp', inf.bytes);
    await h.takeOne(Q('riverside-community'));
    await completed(inf.trackingId);
    const story = await h.store.track(update.trackingId);
    expect(story!.messages[0]!.record.state).toBe('bus-acked');
    expect(story!.messages[0]!.events.map((e) => e.state)).toEqual(
      expect.arrayContaining(['bus-acked', 'inf-acked']),
    );
  });
});

describe('an inf ack that fails is never nacked: it is quarantined', () => {
  test.each([
    ['broken/ack-inf-failure-without-errors.xml', '1000', 'ACK-INF-ERRORS'],
    ['broken/payload-schema-inf-ack-missing-trackingidref.xml', '1000', 'PAYLOAD-SCHEMA'],
    ['broken/de0005-identity-not-itk-format.xml', 'DE0005', 'DE-IDENTITY-FORMAT'],
    ['broken/de0011-payloads-count-missing.xml', 'DE0011', 'DE-SCHEMA'],
  ])('invalid: %s', async (file, code, rule) => {
    const ack = de(file); // community → GP (senderAddress RDE01:COMMUNITY)
    await h.publish('community', ack.bytes);
    const q = await h.takeOne(h.names.quarantineQueue);
    expect(q.content.equals(ack.bytes)).toBe(true);
    expect(headersOf(q)).toMatchObject({
      'itk-sender': 'riverside-community',
      'itk-tracking-id': ack.trackingId,
    });
    // The quarantine names the first finding's own code, and the text says what failed.
    expect(headersOf(q)['itk-error-code']).toBe(code);
    expect(headersOf(q)['itk-error-text']).toContain(`${rule}:`);
    await h.expectEmpty(everywhere(), 100);
    const story = await completed(ack.trackingId);
    expect(story.messages[0]!.record.outcome).toBe('quarantined');
    expect(story.messages[0]!.responses).toEqual([]);
  });

  test('invalid, generic form (sendDistEnvelope + ITKInfrastructureAcknowledgement interaction)', async () => {
    const ack = de('broken/ack-inf-failure-empty-errors.xml'); // hospice → NWAS111
    expect(ack.xml).toContain('urn:nhs-itk:services:201005:sendDistEnvelope');
    await h.publish('hospice', ack.bytes);
    const q = await h.takeOne(h.names.quarantineQueue);
    expect(headersOf(q)).toMatchObject({
      'itk-sender': 'st-marys-hospice',
      'itk-tracking-id': ack.trackingId,
    });
    await h.expectEmpty(everywhere(), 100);
  });

  test('addressed nowhere: quarantined, not nacked, not delivered', async () => {
    const ack = de('valid/inf-ack-ok.xml', { addresses: [ADDR.nowhere] });
    await h.publish('community', ack.bytes);
    const q = await h.takeOne(h.names.quarantineQueue);
    expect(q.content.equals(ack.bytes)).toBe(true);
    expect(headersOf(q)['itk-error-text']).toContain(ADDR.nowhere);
    expect(headersOf(q)['itk-tracking-id']).toBe(ack.trackingId);
    await h.expectEmpty(everywhere(), 100);
  });

  test("with a senderAddress that is not the sender's: quarantined with 3000, not nacked", async () => {
    const ack = de('valid/inf-ack-ok.xml', { senderAddress: ADDR.hospice }); // community's user posing as the hospice
    await h.publish('community', ack.bytes);
    const q = await h.takeOne(h.names.quarantineQueue);
    expect(headersOf(q)).toMatchObject({
      'itk-error-code': '3000',
      'itk-sender': 'riverside-community',
    });
    await h.expectEmpty(everywhere(), 100);
  });

  test('hitting a reject route: quarantined, not nacked', async () => {
    // the withdrawn service, with the inf ack interaction that marks the message as an inf ack
    const generic = de('valid/inf-ack-ok-empty-errors-generic.xml', {
      service: 'urn:nhs-itk:services:201005:SendDocument-v1-0',
    });
    await h.publish('gp', generic.bytes);
    const q = await h.takeOne(h.names.quarantineQueue);
    expect(headersOf(q)).toMatchObject({
      'itk-sender': 'riverside-gp',
      'itk-tracking-id': generic.trackingId,
    });
    expect(headersOf(q)['itk-error-text']).toContain('withdrawn');
    await h.expectEmpty(everywhere(), 100);
  });
});
