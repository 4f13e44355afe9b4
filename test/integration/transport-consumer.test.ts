/** The queue consumer against the real RabbitMQ: acks, requeues, delivery limit, prefetch, stop. */
import { QueueConsumer, type Settlement } from '../../src/router/02-transport/consumer.js';
import { expectMessages, expectNoMessage } from '../support/messages.js';
import { DELIVERY_LIMIT, useRouterBroker } from '../support/router-broker.js';
import { deferred, sleep, waitFor } from '../support/wait-for.js';

const broker = useRouterBroker();
const queue = 'itk.router.inbound';

test('the consumer acks what the handler accepts; a rejected or failed message comes back redelivered', async () => {
  const seen: [string, boolean, string | undefined][] = [];
  const answers: (Settlement | Error)[] = [new Error('boom'), 'requeue', 'ack'];
  const consumer = new QueueConsumer(await broker.connectRouter(), {
    queue,
    prefetch: 5,
    handler: async (msg) => {
      seen.push([msg.body.toString(), msg.redelivered, msg.properties.userId]);
      const answer = answers.shift()!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  await consumer.start();
  broker.publishInbound('once', { userId: 'guest', messageId: 'T-3' });
  await waitFor(() => seen.length === 3 && consumer.inFlight === 0, 'three deliveries');
  expect(seen).toEqual([
    ['once', false, 'guest'],
    ['once', true, 'guest'],
    ['once', true, 'guest'],
  ]);
  await consumer.stop();
  await expectNoMessage(broker.client.channel, queue);
});

test('a message rejected beyond the delivery limit is dead-lettered to quarantine, not requeued for ever', async () => {
  let deliveries = 0;
  const consumer = new QueueConsumer(await broker.connectRouter(), {
    queue,
    prefetch: 1,
    handler: async () => (deliveries++, 'requeue'),
  });
  await consumer.start();
  broker.publishInbound('poison');
  const [dead] = await expectMessages(broker.client.channel, 'itk.router.quarantine', 1);
  expect(dead!.content.toString()).toBe('poison');
  expect(dead!.properties.headers?.['x-first-death-reason']).toBe('delivery_limit');
  expect(deliveries).toBe(DELIVERY_LIMIT + 1);
  await consumer.stop();
});

test('prefetch bounds the deliveries in flight', async () => {
  const gate = deferred();
  let running = 0;
  let maxRunning = 0;
  let done = 0;
  const consumer = new QueueConsumer(await broker.connectRouter(), {
    queue,
    prefetch: 3,
    handler: async () => {
      maxRunning = Math.max(maxRunning, ++running);
      await gate.promise;
      running--;
      done++;
      return 'ack';
    },
  });
  await consumer.start();
  for (let i = 0; i < 10; i++) broker.publishInbound(`p${i}`);
  await waitFor(() => consumer.inFlight === 3, 'three in flight');
  await sleep(300);
  expect(consumer.inFlight).toBe(3);
  gate.resolve();
  await waitFor(() => done === 10, 'all ten handled');
  expect(maxRunning).toBe(3);
  await consumer.stop();
  await expectNoMessage(broker.client.channel, queue);
});

test('stop cancels the subscription and waits for the in-flight handler before closing', async () => {
  const gate = deferred();
  const handled: string[] = [];
  const consumer = new QueueConsumer(await broker.connectRouter(), {
    queue,
    prefetch: 5,
    handler: async (msg) => {
      await gate.promise;
      handled.push(msg.body.toString());
      return 'ack';
    },
  });
  await consumer.start();
  broker.publishInbound('first');
  await waitFor(() => consumer.inFlight === 1, 'the first message in flight');
  let stopped = false;
  const stopping = consumer.stop().then(() => (stopped = true));
  await sleep(200);
  expect(stopped).toBe(false);
  broker.publishInbound('second');
  await broker.client.channel.waitForConfirms();
  await sleep(100);
  gate.resolve();
  await stopping;
  expect(handled).toEqual(['first']);
  const [left] = await expectMessages(broker.client.channel, queue, 1);
  expect(left!.content.toString()).toBe('second');
});

test('a consumer started before its connection subscribes once the connection is up', async () => {
  const connection = await broker.connectRouter({ start: false });
  const bodies: string[] = [];
  const consumer = new QueueConsumer(connection, {
    queue,
    prefetch: 1,
    handler: async (msg) => (bodies.push(msg.body.toString()), 'ack'),
  });
  await consumer.start();
  expect(consumer.consuming).toBe(false);
  broker.publishInbound('waiting');
  await connection.start();
  expect(consumer.consuming).toBe(true);
  await waitFor(() => bodies.length === 1, 'the waiting message');
  expect(bodies).toEqual(['waiting']);
  await consumer.stop();
});

test('when the broker cancels the subscription (queue deleted) the consumer resubscribes once it can', async () => {
  const { channel } = broker.client;
  const scratch = 'scratch.classic'; // classic: deleting quorum queues in tests is a known hazard
  await channel.assertQueue(scratch, { durable: false });
  const bodies: string[] = [];
  const warnings: string[] = [];
  const logger = {
    info: () => undefined,
    error: () => undefined,
    warn: (m: string) => warnings.push(m),
  };
  const consumer = new QueueConsumer(await broker.connectRouter(), {
    queue: scratch,
    prefetch: 1,
    resubscribeDelayMs: 50,
    logger,
    handler: async (msg) => (bodies.push(msg.body.toString()), 'ack'),
  });
  await consumer.start();
  await channel.deleteQueue(scratch);
  await waitFor(() => !consumer.consuming, 'the cancelled subscription');
  await waitFor(() => warnings.includes('resubscribe failed'), 'a failed attempt (404)');
  await channel.assertQueue(scratch, { durable: false });
  await waitFor(() => consumer.consuming, 'the new subscription');
  channel.sendToQueue(scratch, Buffer.from('after'));
  await waitFor(() => bodies.length === 1, 'the message after resubscribing');
  await consumer.stop();
  await channel.deleteQueue(scratch);
});
