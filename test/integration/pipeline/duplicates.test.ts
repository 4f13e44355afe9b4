/**
 * docs/contract.md "Acknowledgements" (duplicates) and the delivery guarantee, end to end: a
 * repeated tracking id from the same sender is recorded, never delivered again, and answered
 * with the router's own earlier outcome, byte for byte; the same tracking id from another sender
 * is a different message.
 */
import { openTestClient } from '../../support/messages.js';
import { useRouterHarness } from '../../support/router-harness.js';
import { ADDR, cda, de, headersOf, newTrackingId, readInfAck } from './de-messages.js';

const h = useRouterHarness();
const Q = (id: string) => h.queue(id);
const everywhere = () => [...h.endpointIds.map(Q), h.names.quarantineQueue];
const completed = (trackingId: string) =>
  h.waitForStory(
    trackingId,
    (s) => s.messages.length > 0 && s.messages.every((m) => m.record.completedAt != null),
  );
/** Publishes the same bytes twice on one channel, confirmed together: both reach the router at once. */
async function publishTwiceAtOnce(role: string, body: Buffer): Promise<void> {
  const client = await openTestClient(h.user(role).url);
  try {
    for (let i = 0; i < 2; i++) {
      client.channel.publish(h.names.inboundExchange, '', body, {
        persistent: true,
        userId: h.user(role).name,
        contentType: 'application/xml',
      });
    }
    await client.channel.waitForConfirms();
  } finally {
    await client.close();
  }
}
const duplicateEvents = (trackingId: string, n: number) =>
  h.waitForStory(
    trackingId,
    (s) => s.messages[0]!.events.filter((e) => e.state === 'duplicate').length >= n,
  );

describe('a repeated tracking id from the same sender', () => {
  test('is not delivered again; it is recorded as a duplicate', async () => {
    const msg = cda(); // GP → community (acks: endpoint)
    await h.publish('gp', msg.bytes);
    await h.takeOne(Q('riverside-community'));
    await completed(msg.trackingId);

    await h.publish('gp', msg.bytes);
    const story = await duplicateEvents(msg.trackingId, 1);
    expect(story.messages).toHaveLength(1);
    expect(story.messages[0]!.record.outcome).toBe('delivered');
    expect(
      story.messages[0]!.events.filter((e) => e.state === 'delivered' && e.endpointId !== null).map(
        (e) => e.endpointId,
      ),
    ).toEqual(['riverside-community']);
    // What track shows, in words (not "sent again: 0 earlier answer(s)")
    expect(story.messages[0]!.events.find((e) => e.state === 'duplicate')?.detail).toBe(
      'received again, not delivered again; the router had sent no answer of its own to send again',
    );
    await h.expectEmpty(everywhere(), 200);
  });

  test('with different bytes under the same tracking id: still a duplicate, not delivered', async () => {
    const first = cda(); // GP → community
    await h.publish('gp', first.bytes);
    await h.takeOne(Q('riverside-community'));
    await completed(first.trackingId);

    // another message altogether (GP → hospice), under the first one's tracking id
    const second = de('valid/careplan-response-refused.xml', { trackingId: first.trackingId });
    expect(second.bytes.equals(first.bytes)).toBe(false);
    await h.publish('gp', second.bytes);
    await duplicateEvents(first.trackingId, 1);
    await h.expectEmpty(everywhere(), 200);
  });

  test('of a nacked message: the router sends the same nack again, byte for byte', async () => {
    const msg = de('broken/de0006-manifest-count-mismatch.xml'); // GP
    await h.publish('gp', msg.bytes);
    const first = await h.takeOne(Q('riverside-gp'));
    expect(readInfAck(first).trackingIdRef).toBe(msg.trackingId);
    await completed(msg.trackingId);

    await h.publish('gp', msg.bytes);
    const again = await h.takeOne(Q('riverside-gp'));
    expect(again.content.equals(first.content)).toBe(true);
    expect(again.properties.messageId).toBe(first.properties.messageId);
    expect(headersOf(again)['itk-tracking-id']).toBe(headersOf(first)['itk-tracking-id']);
    const story = await duplicateEvents(msg.trackingId, 1);
    expect(story.messages[0]!.record.outcome).toBe('nacked');
    expect(story.messages[0]!.events.find((e) => e.state === 'duplicate')?.detail).toBe(
      "received again, not delivered again; the router's earlier answer (inf-nack) sent again",
    );
    await h.expectEmpty(everywhere(), 100);
  });

  test('of a partly delivered message: the same DE0003 nack again, no second delivery', async () => {
    const msg = cda({
      addresses: [ADDR.community, ADDR.nowhere],
    });
    await h.publish('gp', msg.bytes);
    await h.takeOne(Q('riverside-community'));
    const first = await h.takeOne(Q('riverside-gp'));
    await completed(msg.trackingId);

    await h.publish('gp', msg.bytes);
    const again = await h.takeOne(Q('riverside-gp'));
    expect(again.content.equals(first.content)).toBe(true);
    expect(readInfAck(again).errors.map((e) => e.code)).toEqual(['DE0003']);
    await duplicateEvents(msg.trackingId, 1);
    await h.expectEmpty(everywhere(), 100);
  });

  test('of a message to an acks: router end point: the same inf ack again, no second delivery', async () => {
    const msg = de('valid/careplan-response-refused.xml'); // GP → hospice
    await h.publish('gp', msg.bytes);
    await h.takeOne(Q('st-marys-hospice'));
    const first = await h.takeOne(Q('riverside-gp'));
    expect(readInfAck(first).result).toBe('OK');
    await completed(msg.trackingId);

    await h.publish('gp', msg.bytes);
    const again = await h.takeOne(Q('riverside-gp'));
    expect(again.content.equals(first.content)).toBe(true);
    await duplicateEvents(msg.trackingId, 1);
    await h.expectEmpty(everywhere(), 100);
  });

  test('of a message refused for its senderAddress: the same 3000 nack again', async () => {
    const msg = cda({ senderAddress: ADDR.hospice });
    await h.publish('gp', msg.bytes);
    const first = await h.takeOne(Q('riverside-gp'));
    await h.takeOne(h.names.quarantineQueue);
    await completed(msg.trackingId);

    await h.publish('gp', msg.bytes);
    const again = await h.takeOne(Q('riverside-gp'));
    expect(again.content.equals(first.content)).toBe(true);
    expect(readInfAck(again).errors.map((e) => [e.code, e.diagnostic?.slice(0, 5)])).toEqual([
      ['DE0008', '3000 '],
    ]);
    await duplicateEvents(msg.trackingId, 1);
    await h.expectEmpty(h.endpointIds.map(Q), 100);
  });

  test("an end point's repeated inf ack is not delivered twice (and the router answers nothing for it)", async () => {
    const original = cda();
    await h.publish('gp', original.bytes);
    await h.takeOne(Q('riverside-community'));
    await completed(original.trackingId);
    const ack = de('valid/inf-ack-ok.xml', { ackRef: original.trackingId });
    await h.publish('community', ack.bytes);
    await h.takeOne(Q('riverside-gp'));
    await completed(ack.trackingId);

    await h.publish('community', ack.bytes);
    await duplicateEvents(ack.trackingId, 1);
    await h.expectEmpty(everywhere(), 200);
  });

  // PRODUCT BUG (reported, not fixed here): src/router/09-pipeline/process-message.ts (lines 37-44) treats
  // a copy whose (sender, tracking id) record exists but is not completed yet (`begun.kind ===
  // 'existing'` without `completedAt`) as a crash redelivery, and src/router/09-pipeline/deliver.ts (line 14)
  // then delivers again to every end point not yet confirmed. With prefetch > 1, a duplicate that
  // arrives while the first copy is in flight is processed concurrently: both copies are published
  // to the end point (two `delivered` events), the second copy's store.complete() is refused, it is
  // retried and only then recorded as a duplicate. docs/contract.md: a repeated tracking id from the
  // same sender is "recorded, never delivered again".
  test('published twice back to back (both in flight at once): delivered exactly once', async () => {
    const msg = cda();
    await publishTwiceAtOnce('gp', msg.bytes);
    await h.takeOne(Q('riverside-community'));
    // the second copy is settled as a duplicate (perhaps after a retry)
    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]!.events.some((e) => e.state === 'duplicate'),
      15000,
    );
    expect(
      story.messages[0]!.events.filter((e) => e.state === 'delivered' && e.endpointId !== null),
    ).toHaveLength(1);
    await h.expectEmpty(everywhere(), 300);
  });

  // Same bug, nack side: the in-flight copy builds and sends a SECOND, different nack (new tracking
  // id) before it is found to be a duplicate and re-sends the first one: the sender gets three
  // nacks, two of them different. docs/contract.md: the router re-sends "the same nack".
  test('an invalid message published twice back to back: the sender gets the same nack twice, no other', async () => {
    const msg = de('broken/de0006-manifest-count-mismatch.xml');
    await publishTwiceAtOnce('gp', msg.bytes);
    const first = await h.takeOne(Q('riverside-gp'));
    await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]!.events.some((e) => e.state === 'duplicate'),
      15000,
    );
    const second = await h.takeOne(Q('riverside-gp'));
    expect(second.content.equals(first.content)).toBe(true);
    await h.expectEmpty(everywhere(), 300);
  });
});

describe('the same tracking id from a different sender is not a duplicate', () => {
  test('both messages are delivered and recorded, one per sender', async () => {
    const gpMsg = cda(); // GP → community
    await h.publish('gp', gpMsg.bytes);
    await h.takeOne(Q('riverside-community'));
    await completed(gpMsg.trackingId);

    const hospiceMsg = cda({
      trackingId: gpMsg.trackingId,
      senderAddress: ADDR.hospice,
      addresses: [ADDR.gp],
    }); // hospice → GP
    await h.publish('hospice', hospiceMsg.bytes);
    const got = await h.takeOne(Q('riverside-gp'));
    expect(got.content.equals(hospiceMsg.bytes)).toBe(true);
    expect(headersOf(got)).toMatchObject({
      'itk-tracking-id': gpMsg.trackingId,
      'itk-sender': 'st-marys-hospice',
    });

    const story = await h.waitForStory(
      gpMsg.trackingId,
      (s) => s.messages.length === 2 && s.messages.every((m) => m.record.completedAt != null),
    );
    expect(story.messages.map((m) => [m.record.senderEndpointId, m.record.outcome]).sort()).toEqual(
      [
        ['riverside-gp', 'delivered'],
        ['st-marys-hospice', 'delivered'],
      ],
    );
    expect(story.messages.flatMap((m) => m.events).filter((e) => e.state === 'duplicate')).toEqual(
      [],
    );
    await h.expectEmpty(everywhere(), 100);
  });

  test("an ack is correlated with the original of the end point it is addressed to, not with the other sender's", async () => {
    const tid = newTrackingId();
    const gpMsg = cda({ trackingId: tid }); // GP → community
    const hospiceMsg = cda({
      trackingId: tid,
      senderAddress: ADDR.hospice,
      addresses: [ADDR.community],
    }); // hospice → community
    await h.publish('gp', gpMsg.bytes);
    await h.publish('hospice', hospiceMsg.bytes);
    const [a, b] = [
      await h.takeOne(Q('riverside-community')),
      await h.takeOne(Q('riverside-community')),
    ];
    expect([headersOf(a)['itk-sender'], headersOf(b)['itk-sender']].sort()).toEqual([
      'riverside-gp',
      'st-marys-hospice',
    ]);
    await h.waitForStory(
      tid,
      (s) => s.messages.length === 2 && s.messages.every((m) => m.record.completedAt != null),
    );

    // the community team acknowledges the GP's message (addressed to A83001)
    const ack = de('valid/inf-ack-ok.xml', { ackRef: tid });
    await h.publish('community', ack.bytes);
    await h.takeOne(Q('riverside-gp'));
    const story = await h.waitForStory(tid, (s) =>
      s.messages.some((m) => m.record.state === 'inf-acked'),
    );
    const bySender = Object.fromEntries(
      story.messages.map((m) => [m.record.senderEndpointId, m.record.state]),
    );
    expect(bySender).toEqual({ 'riverside-gp': 'inf-acked', 'st-marys-hospice': 'delivered' });
    await h.expectEmpty(everywhere(), 100);
  });
});
