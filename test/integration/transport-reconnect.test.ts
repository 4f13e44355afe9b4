/** Losing the broker connection, for real: the broker closes it, the transport recovers. */
import { randomUUID } from 'node:crypto';
import { BrokerConnection } from '../../src/router/02-transport/connection.js';
import { QueueConsumer } from '../../src/router/02-transport/consumer.js';
import type { InboundMessage } from '../../src/router/02-transport/inbound-message.js';
import { ConfirmPublisher } from '../../src/router/02-transport/publisher.js';
import { expectNoMessage } from '../support/messages.js';
import { useRouterBroker } from '../support/router-broker.js';
import { deferred, waitFor } from '../support/wait-for.js';

const broker = useRouterBroker();

test('after the broker drops the connection it reconnects, the consumer resumes and nothing is lost', async () => {
  const name = `drop-${randomUUID()}`;
  const connection = await broker.connectRouter({ name });
  const states: string[] = [];
  connection.on('state', (state: string) => states.push(state));
  const hold = deferred();
  const received: InboundMessage[] = [];
  const consumer = new QueueConsumer(connection, {
    queue: 'itk.router.inbound',
    prefetch: 10,
    handler: async (msg) => {
      received.push(msg);
      if (msg.body.toString() === 'held' && !msg.redelivered) await hold.promise;
      return 'ack';
    },
  });
  await consumer.start();
  const publisher = new ConfirmPublisher(connection);
  await publisher.publish('itk.inbound', '', Buffer.from('held'));
  await waitFor(() => received.length === 1, 'the held message');

  expect(await broker.vhost.closeConnections(name)).toBe(1);
  const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
  const during = sent.map((body) => publisher.publish('itk.inbound', '', Buffer.from(body)));
  hold.resolve(); // its ack is lost with the channel: the broker redelivers it
  await Promise.all(during);
  await waitFor(() => received.length === 22, 'every message, the held one twice', 10_000);

  expect(states).toEqual(['reconnecting', 'connected']);
  expect(connection.lastError?.message).toMatch(/CONNECTION_FORCED|closed/i);
  expect(new Set(received.map((m) => m.body.toString()))).toEqual(new Set(['held', ...sent]));
  const held = received.filter((m) => m.body.toString() === 'held');
  expect(held.map((m) => m.redelivered)).toEqual([false, true]);
  await consumer.stop();
  await expectNoMessage(broker.client.channel, 'itk.router.inbound');
});

test('start gives up after initialMaxRetries when the broker is unreachable', async () => {
  const connection = new BrokerConnection({
    url: 'amqp://guest:guest@127.0.0.1:1/none',
    initialMaxRetries: 1,
    backoff: { initialDelayMs: 10 },
  });
  const states: string[] = [];
  connection.on('state', (state: string) => states.push(state));
  await expect(connection.start()).rejects.toThrow();
  expect(states).toEqual(['connecting', 'reconnecting', 'closed']);
  await connection.close();
});
