/**
 * docs/contract.md "AMQP contract" (what a delivery carries) and "Routes" (addresses, most
 * specific wins, one delivery per end point, copy and reject routes), end to end: suppliers
 * publish to itk.inbound as their own broker users; the router runs in-process on a vhost of
 * this file's own; assertions read the end points' queues.
 */
import { useRouterHarness } from '../../support/router-harness.js';
import {
  ADDR,
  CAREPLAN_NOTIFICATION_INTERACTION,
  cda,
  CDA_INTERACTION,
  CDA_SERVICE,
  de,
  notification,
  headersOf,
  INF_ACK_SERVICE,
  OID_DE_ERRORS,
  readInfAck,
  ROUTER_IDENTITY,
} from './de-messages.js';

const h = useRouterHarness();
const Q = (id: string) => h.queue(id);
const ALL_ENDPOINTS = () => h.endpointIds.map(Q);
const others = (...except: string[]) => h.endpointIds.filter((id) => !except.includes(id)).map(Q);

describe('a delivery carries the contract', () => {
  test('the received bytes unchanged, persistent, with message_id, type, app_id and the itk-* headers', async () => {
    // GP → community team: a CDA document (SendCDADocument-v2-0 with an interaction spec).
    const msg = cda();
    await h.publish('gp', msg.bytes);

    const got = await h.takeOne(Q('riverside-community'));
    expect(got.content.equals(msg.bytes)).toBe(true);
    expect(got.properties.deliveryMode).toBe(2);
    expect(got.properties.messageId).toBe(msg.trackingId);
    expect(got.properties.type).toBe(CDA_SERVICE);
    expect(got.properties.appId).toBe('itk-router');
    expect(got.properties.contentType).toBe('application/xml');
    expect(headersOf(got)).toEqual({
      'itk-tracking-id': msg.trackingId,
      'itk-service': CDA_SERVICE,
      'itk-interaction': CDA_INTERACTION,
      'itk-sender': 'riverside-gp',
      'itk-recipient': ADDR.community,
    });
    // riverside-gp acknowledges for itself (acks: endpoint): the router sends it nothing.
    await h.expectEmpty([...others('riverside-community'), h.names.quarantineQueue]);

    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    const [only] = story.messages;
    expect(story.messages).toHaveLength(1);
    expect(only!.record).toMatchObject({
      senderEndpointId: 'riverside-gp',
      brokerUser: h.user('gp').name,
      service: CDA_SERVICE,
      interaction: CDA_INTERACTION,
      senderAddress: ADDR.gp,
      state: 'delivered',
      outcome: 'delivered',
      size: msg.bytes.length,
    });
    expect(only!.events.filter((e) => e.state === 'delivered').map((e) => e.endpointId)).toContain(
      'riverside-community',
    );
    expect(only!.responses).toEqual([]);
    expect(await h.store.originalBytes(only!.record.id)).toEqual(msg.bytes);
  });

  test('the inbound message is settled (acked) once processed: nothing stays on itk.router.inbound', async () => {
    const msg = de('valid/careplan-request-by-planid.xml'); // NHS 111 → GP, named service
    await h.publish('ooh', msg.bytes);
    const got = await h.takeOne(Q('riverside-gp'));
    expect(headersOf(got)['itk-sender']).toBe('ooh-111');
    await h.waitForStory(msg.trackingId, (s) => s.messages[0]?.record.completedAt != null);
    // Not ready, and not held unacked: the router's consumer would show it as unacked until settled.
    let counts = await h.client.channel.checkQueue(h.names.routerInboundQueue);
    for (let i = 0; i < 40 && counts.messageCount > 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      counts = await h.client.channel.checkQueue(h.names.routerInboundQueue);
    }
    expect(counts.messageCount).toBe(0);
  });
});

describe('bytes are delivered exactly as received', () => {
  test('a UTF-8 byte order mark, CRLF line ends and non-ASCII text survive unchanged', async () => {
    const msg = cda();
    const xml = msg.xml.replace(/\n/g, '\r\n').replace('<title>', '<title>Siobhán’s ');
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')]);
    await h.publish('gp', bytes);
    const got = await h.takeOne(Q('riverside-community'));
    expect(got.content.equals(bytes)).toBe(true);
    expect(got.properties.messageId).toBe(msg.trackingId);
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });
});

describe('addresses: the most specific claim wins', () => {
  test('exact address before a subtree, a longer subtree before a shorter one; each end point gets its own recipient header', async () => {
    const msg = cda({
      addresses: [ADDR.ward7, ADDR.nursingTeam, ADDR.community],
    });
    await h.publish('gp', msg.bytes);

    const ward = await h.takeOne(Q('ward-7'));
    const nursing = await h.takeOne(Q('community-nursing'));
    const community = await h.takeOne(Q('riverside-community'));
    expect(headersOf(ward)['itk-recipient']).toBe(ADDR.ward7);
    expect(headersOf(nursing)['itk-recipient']).toBe(ADDR.nursingTeam);
    expect(headersOf(community)['itk-recipient']).toBe(ADDR.community);
    for (const got of [ward, nursing, community]) {
      expect(got.content.equals(msg.bytes)).toBe(true);
      expect(got.properties.messageId).toBe(msg.trackingId);
    }
    // exactly one each; nothing else anywhere
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });

  test('an address under a subtree goes to the subtree owner, not to a more specific sibling', async () => {
    const msg = cda({
      addresses: ['urn:nhs-uk:addressing:ods:RDE01:NURSING:WARD8'],
    });
    await h.publish('gp', msg.bytes);
    const got = await h.takeOne(Q('community-nursing'));
    expect(headersOf(got)['itk-recipient']).toBe('urn:nhs-uk:addressing:ods:RDE01:NURSING:WARD8');
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });
});

describe('one delivery per end point', () => {
  test('two addresses of one end point: one delivery (the first address is the recipient), one router inf ack', async () => {
    // GP → hospice (acks: router), addressed to both of the hospice's addresses.
    const msg = de('valid/careplan-response-refused.xml', {
      addresses: [ADDR.hospice, ADDR.hospiceDaycare],
    });
    await h.publish('gp', msg.bytes);

    const got = await h.takeOne(Q('st-marys-hospice'));
    expect(headersOf(got)['itk-recipient']).toBe(ADDR.hospice);
    const ack = readInfAck(await h.takeOne(Q('riverside-gp')));
    expect(ack.result).toBe('OK');
    expect(ack.trackingIdRef).toBe(msg.trackingId);
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });

  test('an address and a copy route naming the same end point: one delivery, the address is the recipient', async () => {
    // end-of-life notification (copy route to ooh-111) addressed to NHS 111 as well
    const msg = notification({ addresses: [ADDR.ooh, ADDR.community] });
    await h.publish('gp', msg.bytes);
    const ooh = await h.takeOne(Q('ooh-111'));
    const community = await h.takeOne(Q('riverside-community'));
    expect(headersOf(ooh)['itk-recipient']).toBe(ADDR.ooh);
    expect(headersOf(community)['itk-recipient']).toBe(ADDR.community);
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });
});

describe('an address that resolves nowhere', () => {
  test('gets a DE0003 nack naming that address, and the other recipients still get the message', async () => {
    const msg = cda({
      addresses: [ADDR.community, ADDR.nowhere],
    });
    await h.publish('gp', msg.bytes);

    const delivered = await h.takeOne(Q('riverside-community'));
    expect(delivered.content.equals(msg.bytes)).toBe(true);
    expect(headersOf(delivered)['itk-recipient']).toBe(ADDR.community);

    const nackMsg = await h.takeOne(Q('riverside-gp'));
    const nack = readInfAck(nackMsg);
    expect(nack.result).toBe('Failure');
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(nack.serviceRef).toBe(CDA_SERVICE);
    expect(nack.reportingIdentity).toEqual([ROUTER_IDENTITY]);
    expect(nack.errors).toHaveLength(1);
    expect(nack.errors[0]).toMatchObject({
      code: 'DE0003',
      codeSystem: OID_DE_ERRORS,
      text: 'Distribution Envelope Address List Processing Error',
    });
    expect(nack.errors[0]!.diagnostic).toContain(ADDR.nowhere);
    expect(nack.errors[0]!.diagnostic).not.toContain(ADDR.community);
    expect(nack.errors[0]!.id).toMatch(
      /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/,
    );
    // an ITK ack: a new DE with a new tracking id, addressed to the original senderAddress, from the router
    expect(nack.envelope.service).toBe(INF_ACK_SERVICE);
    expect(nack.envelope.trackingId).not.toBe(msg.trackingId);
    expect(nack.envelope.addresses.map((a) => a.uri)).toEqual([ADDR.gp]);
    expect(nack.envelope.senderAddress?.uri).toBe(ADDR.router);
    expect(nack.envelope.auditIdentity.map((a) => a.uri)).toEqual([ROUTER_IDENTITY]);
    expect(nackMsg.properties.messageId).toBe(nack.envelope.trackingId);
    expect(nackMsg.properties.deliveryMode).toBe(2);
    expect(nackMsg.properties.appId).toBe('itk-router');
    expect(headersOf(nackMsg)['itk-tracking-id']).toBe(nack.envelope.trackingId);
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);

    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    expect(story.messages[0]!.record.outcome).toBe('delivered');
    expect(story.messages[0]!.responses).toEqual([
      expect.objectContaining({
        kind: 'inf-nack',
        trackingId: nack.envelope.trackingId,
        toEndpointId: 'riverside-gp',
        xml: nackMsg.content.toString('utf8'),
      }),
    ]);
  });

  test('when no address resolves: a DE0003 nack for each, no delivery, the message is nacked', async () => {
    const other = 'urn:nhs-uk:addressing:ods:Y11111';
    const msg = cda({ addresses: [ADDR.nowhere, other] });
    await h.publish('gp', msg.bytes);
    const nack = readInfAck(await h.takeOne(Q('riverside-gp')));
    expect(nack.result).toBe('Failure');
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(nack.errors.map((e) => e.code)).toEqual(['DE0003', 'DE0003']);
    expect(nack.errors.map((e) => e.diagnostic)).toEqual([
      expect.stringContaining(ADDR.nowhere),
      expect.stringContaining(other),
    ]);
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    expect(story.messages[0]!.record).toMatchObject({ state: 'nacked', outcome: 'nacked' });
  });
});

describe('copy routes', () => {
  test('named service form: an end-of-life notification is copied to ooh-111 (route matched by the equivalent interaction)', async () => {
    // The named service urn:itk-router:services:CarePlanNotification-v1-0 with NO interaction spec.
    const msg = notification({ specs: { interaction: null } });
    expect(msg.xml).not.toContain(':interaction"');
    await h.publish('gp', msg.bytes);
    const community = await h.takeOne(Q('riverside-community'));
    const copy = await h.takeOne(Q('ooh-111'));
    expect(headersOf(community)['itk-recipient']).toBe(ADDR.community);
    expect(headersOf(copy)).toMatchObject({
      'itk-recipient': 'copy:eolc-copies-to-out-of-hours',
      'itk-sender': 'riverside-gp',
      'itk-tracking-id': msg.trackingId,
      'itk-service': 'urn:itk-router:services:CarePlanNotification-v1-0',
    });
    expect(copy.content.equals(msg.bytes)).toBe(true);
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });

  test('generic service form (sendDistEnvelope + interaction): routed the same, copied to ooh-111', async () => {
    const msg = notification({ service: 'urn:nhs-itk:services:201005:sendDistEnvelope' });
    await h.publish('gp', msg.bytes);
    const community = await h.takeOne(Q('riverside-community'));
    const copy = await h.takeOne(Q('ooh-111'));
    expect(headersOf(community)['itk-recipient']).toBe(ADDR.community);
    expect(headersOf(copy)).toMatchObject({
      'itk-recipient': 'copy:eolc-copies-to-out-of-hours',
      'itk-service': 'urn:nhs-itk:services:201005:sendDistEnvelope',
      'itk-interaction': CAREPLAN_NOTIFICATION_INTERACTION,
    });
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });

  test('a notification of another plan type is not copied', async () => {
    const msg = notification({ planType: 'long-term-condition' });
    await h.publish('gp', msg.bytes);
    const got = await h.takeOne(Q('riverside-community'));
    expect(got.content.equals(msg.bytes)).toBe(true);
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });
});

describe('route conditions: from (a list) and to (a glob)', () => {
  test('NHS 111 writing to a ward: the ward gets it and the GP a copy', async () => {
    const msg = de('valid/careplan-request-by-planid.xml', { addresses: [ADDR.ward7] });
    await h.publish('ooh', msg.bytes);
    const ward = await h.takeOne(Q('ward-7'));
    const copy = await h.takeOne(Q('riverside-gp'));
    expect(headersOf(ward)['itk-recipient']).toBe(ADDR.ward7);
    expect(headersOf(copy)).toMatchObject({
      'itk-recipient': 'copy:ward-referrals-from-111-copied-to-gp',
      'itk-sender': 'ooh-111',
    });
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });

  test('the same message from another sender does not match `from`: no copy', async () => {
    const msg = de('valid/careplan-request-lowercase-manifest-id.xml', { addresses: [ADDR.ward7] }); // community
    await h.publish('community', msg.bytes);
    await h.takeOne(Q('ward-7'));
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });
});

describe('reject routes', () => {
  test('a withdrawn service is nacked with the route code (2200) and text, and goes nowhere', async () => {
    const msg = de('valid/cda-document-noncoded.xml', {
      service: 'urn:nhs-itk:services:201005:SendDocument-v1-0',
    });
    await h.publish('gp', msg.bytes);
    const nack = readInfAck(await h.takeOne(Q('riverside-gp')));
    expect(nack.result).toBe('Failure');
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(nack.serviceRef).toBe('urn:nhs-itk:services:201005:SendDocument-v1-0');
    expect(nack.errors).toHaveLength(1);
    // a reject route's Toolkit code opens the diagnostic of a DE0001 (src/router/07-delivery/nack-codes.ts)
    expect(nack.errors[0]).toMatchObject({
      code: 'DE0001',
      codeSystem: OID_DE_ERRORS,
      text: 'Distribution Envelope Processing Error',
    });
    expect(nack.errors[0]!.diagnostic).toMatch(/^2200 Service withdrawn/);
    expect(nack.errors[0]!.diagnostic).toContain('Service withdrawn in this locality');
    expect(nack.errors[0]!.diagnostic).toContain('withdrawn-service');
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    expect(story.messages[0]!.record.outcome).toBe('nacked');
  });

  test('a reject route with code 3000 (from ward-7, CDA) is nacked with 3000 Access denied', async () => {
    const msg = de('valid/cda-document-noncoded.xml', { senderAddress: ADDR.ward7 });
    await h.publish('ward7', msg.bytes);
    const nack = readInfAck(await h.takeOne(Q('ward-7')));
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(nack.envelope.addresses.map((a) => a.uri)).toEqual([ADDR.ward7]);
    expect(nack.errors.map((e) => [e.code, e.codeSystem, e.text])).toEqual([
      ['DE0001', OID_DE_ERRORS, 'Distribution Envelope Processing Error'],
    ]);
    expect(nack.errors[0]!.diagnostic).toMatch(/^3000 Ward 7 may not send CDA documents/);
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });

  test('the same CDA document from the GP is not rejected: delivered to the community team', async () => {
    const msg = de('valid/cda-document-noncoded.xml');
    await h.publish('gp', msg.bytes);
    const got = await h.takeOne(Q('riverside-community'));
    expect(headersOf(got)['itk-interaction']).toBe(
      'urn:nhs-itk:interaction:primaryRecipientNonCodedCDADocument-v2-0',
    );
    await h.expectEmpty([...ALL_ENDPOINTS(), h.names.quarantineQueue]);
  });
});
