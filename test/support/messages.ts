/** Test-side AMQP helpers: a plain connection, publish as a user, read or expect no messages. */
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type GetMessage,
  type Options,
} from 'amqplib';
import type { TestUser } from './broker.js';
import { expectConformant } from './conformance.js';

/**
 * Every message the router itself sent (header `itk-sender: router`: nacks, its inf acks, the
 * locator's answers) that a test reads is checked against the official ITK schemas and TKW's
 * rules (test/support/conformance.ts): a test reading a non-conformant one fails. So the whole
 * integration suite proves what the router sends passes TKW (issue 19).
 */
export const routerMessagesChecked = { count: 0 };
export function checkIfFromRouter(msg: GetMessage, queue: string): void {
  if (String(msg.properties.headers?.['itk-sender'] ?? '') !== 'router') return;
  expectConformant(msg.content, `the router's message in ${queue}`);
  routerMessagesChecked.count++;
}

/** A plain amqplib connection and confirm channel for assertions, with error listeners. */
export interface TestClient {
  readonly connection: ChannelModel;
  readonly channel: ConfirmChannel;
  close(): Promise<void>;
}

export async function openTestClient(url: string): Promise<TestClient> {
  const connection = await connect(url, { noDelay: true });
  connection.on('error', () => undefined);
  const channel = await connection.createConfirmChannel();
  channel.on('error', () => undefined);
  return { connection, channel, close: () => connection.close().catch(() => undefined) };
}

/** Publishes as `user` over its own connection, with `userId` = its name; resolves on confirm. */
export async function publishAs(
  user: TestUser,
  exchange: string,
  routingKey: string,
  body: Buffer | string,
  properties: Options.Publish = {},
): Promise<void> {
  const client = await openTestClient(user.url);
  try {
    const content = typeof body === 'string' ? Buffer.from(body) : body;
    client.channel.publish(exchange, routingKey, content, {
      persistent: true,
      userId: user.name,
      ...properties,
    });
    await client.channel.waitForConfirms();
  } finally {
    await client.close();
  }
}

/** Purges each queue (between tests; cheaper and safer than deleting quorum queues). */
export async function purgeQueues(channel: Channel, queues: Iterable<string>): Promise<void> {
  for (const queue of queues) await channel.purgeQueue(queue);
}

/** Takes (auto-acks) `n` messages from `queue`, failing if they have not all come in `timeoutMs`. */
export async function expectMessages(
  channel: Channel,
  queue: string,
  n: number,
  timeoutMs = 5000,
): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.length < n) {
    const msg = await channel.get(queue, { noAck: true });
    if (msg) checkIfFromRouter(msg, queue);
    if (msg) messages.push(msg);
    else if (Date.now() > deadline)
      throw new Error(`expected ${n} messages in ${queue}, got ${messages.length}`);
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return messages;
}

/** Fails if a message is (or, within `waitMs`, becomes) available in `queue`; takes none otherwise. */
export async function expectNoMessage(
  channel: Channel,
  queue: string,
  waitMs = 300,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  do {
    const msg = await channel.get(queue, { noAck: false });
    if (msg) {
      channel.nack(msg, false, true);
      throw new Error(
        `expected no message in ${queue}, got one: ${msg.content.toString().slice(0, 200)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  } while (Date.now() < deadline);
}
