/**
 * `track` scenario for the contract: a care-plan notification, the end point's inf ack and
 * business ack for it, and another message the router nacked itself.
 */
import type { MessageHistory, MessageStore } from '../../src/router/08-store/message-store.js';
import { at, beginNew, incoming, nack, newEndpoint } from './store-fixtures.js';

const INF_ACK_SERVICE = 'urn:nhs-itk:services:201005:InfrastructureAcknowledgment-v1-0';
const BUS_ACK_SERVICE = 'urn:nhs-itk:services:201005:SendBusinessAck-v1-0';

const summary = (h: MessageHistory): [string, string] => [h.record.trackingId, h.record.state];

export async function storyScenario(store: MessageStore): Promise<void> {
  const gp = newEndpoint('riverside-gp');
  const ooh = newEndpoint('ooh-111');

  // The original notification, delivered to the out-of-hours service.
  const original = incoming({ senderEndpointId: gp, receivedAt: at(0) });
  const id = await beginNew(store, original);
  await store.addEvent(id, { state: 'validated', at: at(1) });
  await store.addEvent(id, { state: 'routed', at: at(2) });
  await store.addEvent(id, { state: 'delivered', at: at(3), endpointId: ooh });
  await store.complete(id, { state: 'delivered', at: at(4), responses: [] });

  // The end point's inf ack, itself a message routed back to the GP, then its business ack.
  const infAck = incoming({ senderEndpointId: ooh, service: INF_ACK_SERVICE, receivedAt: at(5) });
  const busAck = incoming({ senderEndpointId: ooh, service: BUS_ACK_SERVICE, receivedAt: at(7) });
  for (const [ack, state, second] of [
    [infAck, 'inf-acked', 5],
    [busAck, 'bus-acked', 7],
  ] as const) {
    const ackId = await beginNew(store, ack);
    await store.addEvent(ackId, { state: 'delivered', at: at(second), endpointId: gp });
    await store.complete(ackId, { state: 'delivered', at: at(second), responses: [] });
    await store.correlate(original.trackingId, {
      state,
      by: ooh,
      ackTrackingId: ack.trackingId,
      at: at(second + 1),
      code: state === 'bus-acked' ? 'AA' : undefined,
    });
  }

  // A message the router refused itself, with its nack.
  const refused = incoming({ senderEndpointId: gp, receivedAt: at(10) });
  const refusedId = await beginNew(store, refused);
  const sentNack = nack(gp);
  await store.complete(refusedId, {
    state: 'nacked',
    at: at(11),
    responses: [sentNack],
    code: 'DE0003',
  });

  const story = await store.track(original.trackingId);
  expect(story?.trackingId).toBe(original.trackingId);
  expect(story?.messages.map(summary)).toEqual([[original.trackingId, 'bus-acked']]);
  expect(
    story?.messages[0]?.events.map((e) => [e.state, e.at, e.endpointId, e.ackTrackingId]),
  ).toEqual([
    ['received', at(0), null, null],
    ['validated', at(1), null, null],
    ['routed', at(2), null, null],
    ['delivered', at(3), ooh, null],
    ['delivered', at(4), null, null],
    ['inf-acked', at(6), ooh, infAck.trackingId],
    ['bus-acked', at(8), ooh, busAck.trackingId],
  ]);
  expect(story?.references.map(summary)).toEqual([
    [infAck.trackingId, 'delivered'],
    [busAck.trackingId, 'delivered'],
  ]);
  expect(story?.references.map((h) => [h.record.senderEndpointId, h.record.service])).toEqual([
    [ooh, INF_ACK_SERVICE],
    [ooh, BUS_ACK_SERVICE],
  ]);
  expect(story?.originals).toEqual([]);

  const ackStory = await store.track(infAck.trackingId);
  expect(ackStory?.messages.map(summary)).toEqual([[infAck.trackingId, 'delivered']]);
  expect(ackStory?.references).toEqual([]);
  expect(ackStory?.originals.map(summary)).toEqual([[original.trackingId, 'bus-acked']]);

  const nackStory = await store.track(sentNack.trackingId);
  expect(nackStory?.messages).toEqual([]);
  expect(nackStory?.originals.map(summary)).toEqual([[refused.trackingId, 'nacked']]);
  expect(nackStory?.originals[0]?.responses).toEqual([sentNack]);

  const refusedStory = await store.track(refused.trackingId);
  expect(refusedStory?.messages[0]?.responses).toEqual([sentNack]);
  expect(refusedStory?.messages[0]?.record).toMatchObject({
    outcome: 'nacked',
    completedAt: at(11),
  });

  expect(await store.track('11111111-2222-3333-4444-555555555555')).toBeUndefined();
}
