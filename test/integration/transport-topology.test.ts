/** Topology, confirm publishing and sender identity against the real RabbitMQ, in a vhost of its own. */
import { connect } from 'amqplib';
import { topologyNames } from '../../src/router/02-transport/names.js';
import { ConfirmPublisher } from '../../src/router/02-transport/publisher.js';
import { declareTopology } from '../../src/router/02-transport/topology.js';
import { TransportError } from '../../src/router/02-transport/transport-error.js';
import { createTestVhost } from '../support/broker.js';
import { expectMessages, expectNoMessage, publishAs } from '../support/messages.js';
import {
  DELIVERY_LIMIT,
  ENDPOINTS,
  names,
  QUEUES,
  useRouterBroker,
} from '../support/router-broker.js';

const broker = useRouterBroker();

test('the contract names come from one prefix; bad prefixes and end point ids are refused', () => {
  const acme = topologyNames('acme.itk');
  expect({ ...acme, endpointQueue: acme.endpointQueue('gp-1') }).toMatchObject({
    inboundExchange: 'acme.itk.inbound',
    routerInboundQueue: 'acme.itk.router.inbound',
    deliverExchange: 'acme.itk.deliver',
    quarantineQueue: 'acme.itk.router.quarantine',
    quarantineExchange: '',
    quarantineRoutingKey: 'acme.itk.router.quarantine',
    endpointQueue: 'acme.itk.endpoint.gp-1',
  });
  expect(names.endpointQueue('riverside-gp')).toBe('itk.endpoint.riverside-gp');
  expect(() => names.endpointQueue('Riverside.GP')).toThrow(RangeError);
  expect(() => topologyNames('itk..x')).toThrow(RangeError);
});

test('declares the contract topology: durable quorum queues, idempotently, bound as the contract says', async () => {
  const connection = await broker.connectRouter();
  const channel = await connection.createChannel();
  await declareTopology(channel, names, ENDPOINTS, { deliveryLimit: DELIVERY_LIMIT }); // again: a no-op

  const queues = await broker.vhost.listQueues();
  expect(queues.map((q) => q.name).sort()).toEqual([...QUEUES].sort());
  for (const queue of queues) expect(queue).toMatchObject({ type: 'quorum', durable: true });
  expect(queues.find((q) => q.name === 'itk.router.inbound')!.arguments).toEqual({
    'x-queue-type': 'quorum',
    'x-delivery-limit': DELIVERY_LIMIT,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': 'itk.router.quarantine',
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  });
  expect(queues.find((q) => q.name === 'itk.endpoint.ooh-111')!.arguments).toEqual({
    'x-queue-type': 'quorum',
  });

  const { channel: client } = broker.client;
  broker.publishInbound('to the router');
  client.publish('itk.deliver', 'ooh-111', Buffer.from('to ooh-111'));
  await client.waitForConfirms();
  expect((await expectMessages(client, 'itk.router.inbound', 1))[0]!.content.toString()).toBe(
    'to the router',
  );
  expect((await expectMessages(client, 'itk.endpoint.ooh-111', 1))[0]!.content.toString()).toBe(
    'to ooh-111',
  );
  await expectNoMessage(client, 'itk.endpoint.riverside-gp', 100);
});

test('publish resolves on the broker confirm, many in flight, with the properties unchanged', async () => {
  const publisher = new ConfirmPublisher(await broker.connectRouter());
  const headers = { 'itk-tracking-id': 'T-1', 'itk-sender': 'ooh-111' };
  const properties = {
    messageId: 'T-1',
    type: 'urn:svc',
    appId: 'itk-router',
    contentType: 'application/xml',
    headers,
  };
  const bodies = Array.from({ length: 50 }, (_, i) => Buffer.from(`m${i}`));
  await Promise.all(
    bodies.map((body) => publisher.publish('itk.deliver', 'riverside-gp', body, properties)),
  );

  const got = await expectMessages(broker.client.channel, 'itk.endpoint.riverside-gp', 50, 2000);
  expect(new Set(got.map((m) => m.content.toString())).size).toBe(50);
  expect(got[0]!.properties).toMatchObject({ ...properties, deliveryMode: 2 });
  await publisher.close();
  const late = publisher.publish('itk.deliver', 'riverside-gp', Buffer.from('late'));
  await expect(late).rejects.toMatchObject({ code: 'CLOSED' });
});

test('a mandatory publish that no queue receives is rejected as UNROUTABLE', async () => {
  const publisher = new ConfirmPublisher(await broker.connectRouter());
  const lost = publisher.publish('itk.deliver', 'nobody', Buffer.from('x'), {
    mandatory: true,
    messageId: 'T-2',
  });
  await expect(lost).rejects.toMatchObject({ code: 'UNROUTABLE', retryable: false });
  await publisher.publish('itk.deliver', 'ooh-111', Buffer.from('y'), {
    mandatory: true,
    messageId: 'T-2',
  });
  await expectMessages(broker.client.channel, 'itk.endpoint.ooh-111', 1);
});

test('a userId that is not the connection user: the broker closes the channel with 406, the connection lives on', async () => {
  const connection = await broker.connectRouter();
  const publisher = new ConfirmPublisher(connection);
  const forged = publisher.publish('itk.inbound', '', Buffer.from('forged'), {
    userId: 'someone-else',
  });
  await expect(forged).rejects.toBeInstanceOf(TransportError);
  await expect(forged).rejects.toMatchObject({
    code: 'CHANNEL_CLOSED',
    replyCode: 406,
    retryable: false,
  });
  expect(connection.state).toBe('connected');
  await publisher.publish('itk.inbound', '', Buffer.from('honest'), { userId: 'guest' });

  const supplier = await broker.vhost.createUser(broker.vhost.uniqueName('riverside-gp'));
  await publishAs(supplier, 'itk.inbound', '', '<de/>', { contentType: 'application/xml' });
  const got = await expectMessages(broker.client.channel, 'itk.router.inbound', 2);
  expect(got.map((m) => [m.content.toString(), m.properties.userId])).toEqual([
    ['honest', 'guest'],
    ['<de/>', supplier.name],
  ]);
});

test('a test vhost deletes itself and its users', async () => {
  const other = await createTestVhost();
  const user = await other.createUser(other.uniqueName('temp'), 'secret');
  await (await connect(user.url)).close();
  await other.deleteAll();
  await expect(connect(user.url)).rejects.toThrow();
  await other.deleteAll(); // twice is fine
});

describe('properties that do not fit AMQP (issue 12, finding 4)', () => {
  test.each([
    ['a 300-byte type', { type: 's'.repeat(300) }, /property type is 300 bytes/],
    ['a 256-byte messageId of two-byte letters', { messageId: 'é'.repeat(128) }, /messageId/],
    ['a 2,000-byte header value', { headers: { 'itk-recipient': 'a'.repeat(2000) } }, /header/],
  ])(
    '%s: rejected as INVALID_PROPERTIES (not retryable, not a closed channel); the channel publishes on',
    async (_, properties, why) => {
      const publisher = new ConfirmPublisher(await broker.connectRouter());
      const refused = publisher.publish('itk.deliver', 'ooh-111', Buffer.from('x'), properties);
      await expect(refused).rejects.toMatchObject({
        code: 'INVALID_PROPERTIES',
        retryable: false,
        message: expect.stringMatching(why),
      });
      await publisher.publish('itk.deliver', 'ooh-111', Buffer.from('next'), { type: 'ok' });
      const [got] = await expectMessages(broker.client.channel, 'itk.endpoint.ooh-111', 1);
      expect(got!.content.toString()).toBe('next');
      await expectNoMessage(broker.client.channel, 'itk.endpoint.ooh-111', 100);
      await publisher.close();
    },
  );
});
