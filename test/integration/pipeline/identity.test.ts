/**
 * docs/contract.md "Identity and authorisation", end to end on the real broker: the AMQP user_id
 * is the sender's proven identity; a missing or unlisted one is refused (3000) and quarantined;
 * senderAddress must be one of the sending end point's addresses (a claimed subtree counts).
 */
import { useRouterHarness } from '../../support/router-harness.js';
import { publishAs } from '../../support/messages.js';
import { ADDR, cda, headersOf, OID_DE_ERRORS, readInfAck, ROUTER_IDENTITY } from './de-messages.js';

const h = useRouterHarness({ strangers: ['stranger'] });
const Q = (id: string) => h.queue(id);
const everywhere = () => [...h.endpointIds.map(Q), h.names.quarantineQueue];

describe('no user_id, or a broker user no end point lists', () => {
  test('a message without user_id is refused: quarantined with 3000, original bytes, no delivery and no nack', async () => {
    const msg = cda(); // addressed to the community team
    await h.publish('gp', msg.bytes, { userId: undefined });

    const q = await h.takeOne(h.names.quarantineQueue);
    expect(q.content.equals(msg.bytes)).toBe(true);
    expect(q.properties.deliveryMode).toBe(2);
    const headers = headersOf(q);
    expect(headers['itk-error-code']).toBe('3000');
    expect(headers['itk-error-text']).toMatch(/user_id/);
    expect(headers['itk-tracking-id']).toBe(msg.trackingId);
    expect(headers).not.toHaveProperty('itk-sender'); // no sender is known
    await h.expectEmpty(everywhere());

    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    expect(story.messages[0]!.record).toMatchObject({
      senderEndpointId: null,
      brokerUser: null,
      state: 'quarantined',
      outcome: 'quarantined',
    });
    expect(story.messages[0]!.responses).toEqual([]);
  });

  test('a message from a broker user that no end point lists is refused (3000) and quarantined, naming the user', async () => {
    const stranger = h.user('stranger');
    const msg = cda();
    await h.publish('stranger', msg.bytes);

    const q = await h.takeOne(h.names.quarantineQueue);
    expect(q.content.equals(msg.bytes)).toBe(true);
    const headers = headersOf(q);
    expect(headers['itk-error-code']).toBe('3000');
    expect(headers['itk-error-text']).toContain(stranger.name);
    expect(headers['itk-tracking-id']).toBe(msg.trackingId);
    await h.expectEmpty(everywhere());

    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    expect(story.messages[0]!.record).toMatchObject({
      brokerUser: stranger.name,
      senderEndpointId: null,
      outcome: 'quarantined',
    });
  });

  test('the same unidentified message twice is refused twice (no sender: never a duplicate)', async () => {
    const msg = cda();
    await h.publish('stranger', msg.bytes);
    await h.takeOne(h.names.quarantineQueue);
    await h.waitForStory(
      msg.trackingId,
      (s) => s.messages.length === 1 && s.messages[0]!.record.completedAt != null,
    );
    await h.publish('stranger', msg.bytes);
    const again = await h.takeOne(h.names.quarantineQueue);
    expect(headersOf(again)['itk-error-code']).toBe('3000');
    await h.expectEmpty(everywhere());
  });

  test('RabbitMQ itself refuses a user_id that is not the connection user: a supplier cannot pose as another', async () => {
    const msg = cda();
    await expect(
      publishAs(h.user('gp'), h.names.inboundExchange, '', msg.bytes, {
        userId: h.user('hospice').name,
      }),
    ).rejects.toThrow();
    await h.expectEmpty([h.names.routerInboundQueue, ...everywhere()]);
  });
});

describe("senderAddress must be one of the sending end point's addresses", () => {
  test("another end point's address: a 3000 nack to the SENDER's queue, the message quarantined, not delivered", async () => {
    // the GP's broker user sends a notification claiming to be the hospice
    const msg = cda({ senderAddress: ADDR.hospice });
    await h.publish('gp', msg.bytes);

    const delivered = await h.takeOne(Q('riverside-gp'));
    // addressed to the GP's own address, not to the hospice address it forged
    expect(headersOf(delivered)['itk-recipient']).toBe(ADDR.gp);
    const nack = readInfAck(delivered);
    expect(nack.result).toBe('Failure');
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(nack.reportingIdentity).toEqual([ROUTER_IDENTITY]);
    expect(nack.errors.map((e) => [e.code, e.codeSystem, e.text])).toEqual([
      ['DE0008', OID_DE_ERRORS, 'Distribution Envelope Sender Address Processing Error'],
    ]);
    expect(nack.errors[0]!.diagnostic).toMatch(/^3000 /);
    expect(nack.errors[0]!.diagnostic).toContain(ADDR.hospice);
    expect(nack.errors[0]!.diagnostic).toContain('riverside-gp');

    const q = await h.takeOne(h.names.quarantineQueue);
    expect(q.content.equals(msg.bytes)).toBe(true);
    expect(headersOf(q)).toMatchObject({
      'itk-error-code': '3000',
      'itk-sender': 'riverside-gp',
      'itk-tracking-id': msg.trackingId,
    });
    expect(headersOf(q)['itk-error-text']).toContain(ADDR.hospice);
    // neither the addressee nor the impersonated hospice hears anything
    await h.expectEmpty(everywhere());

    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    expect(story.messages[0]!.record).toMatchObject({
      senderEndpointId: 'riverside-gp',
      outcome: 'quarantined',
    });
    expect(story.messages[0]!.responses.map((r) => [r.kind, r.toEndpointId])).toEqual([
      ['inf-nack', 'riverside-gp'],
    ]);
  });

  test('an unregistered senderAddress is refused the same way (3000)', async () => {
    const msg = cda({ senderAddress: ADDR.nowhere });
    await h.publish('gp', msg.bytes);
    const nack = readInfAck(await h.takeOne(Q('riverside-gp')));
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(nack.errors.map((e) => [e.code, e.diagnostic?.slice(0, 5)])).toEqual([
      ['DE0008', '3000 '],
    ]);
    expect(headersOf(await h.takeOne(h.names.quarantineQueue))['itk-error-code']).toBe('3000');
    await h.expectEmpty(everywhere());
  });

  test('an address deeper under a claimed subtree is accepted (RDE01:TEAMS:EAST from riverside-community)', async () => {
    // riverside-community claims urn:nhs-uk:addressing:ods:RDE01:* ; RDE01:TEAMS:EAST is under it
    const msg = cda({
      senderAddress: 'urn:nhs-uk:addressing:ods:RDE01:TEAMS:EAST',
      addresses: [ADDR.gp],
    });
    await h.publish('community', msg.bytes);
    const got = await h.takeOne(Q('riverside-gp'));
    expect(got.content.equals(msg.bytes)).toBe(true);
    expect(headersOf(got)).toMatchObject({
      'itk-sender': 'riverside-community',
      'itk-recipient': ADDR.gp,
    });
    await h.expectEmpty(everywhere());
  });

  test('a senderAddress under a claimed subtree is accepted (RDE01:COMMUNITY from riverside-community)', async () => {
    const msg = cda({ senderAddress: ADDR.community, addresses: [ADDR.gp] });
    await h.publish('community', msg.bytes);
    const got = await h.takeOne(Q('riverside-gp'));
    expect(headersOf(got)['itk-sender']).toBe('riverside-community');
    await h.expectEmpty(everywhere());
  });

  test("an end point's second address is its own too (the hospice sending as HOSP01:DAYCARE)", async () => {
    const msg = cda({ senderAddress: ADDR.hospiceDaycare, addresses: [ADDR.gp] });
    await h.publish('hospice', msg.bytes);
    const got = await h.takeOne(Q('riverside-gp'));
    expect(headersOf(got)['itk-sender']).toBe('st-marys-hospice');
    await h.expectEmpty(everywhere());
  });

  test('a message without senderAddress (no ack requested) is accepted from a listed user', async () => {
    const msg = cda({
      senderAddress: null,
      addresses: [ADDR.gp],
      specs: { infackrequested: 'false', ackrequested: 'false' },
    });
    expect(msg.xml).not.toContain('senderAddress');
    await h.publish('community', msg.bytes);
    const got = await h.takeOne(Q('riverside-gp'));
    expect(headersOf(got)['itk-sender']).toBe('riverside-community');
    await h.expectEmpty(everywhere());
  });
});
