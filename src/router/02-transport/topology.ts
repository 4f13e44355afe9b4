/**
 * Declares the contract topology (docs/contract.md, "AMQP contract"). Every call is idempotent:
 * declaring what exists with the same arguments is a no-op. Queues are never deleted here: an end
 * point dropped from the routes keeps its queue (and its messages) until ops remove it.
 *
 * A queue that exists with different arguments makes the broker close the channel with 406
 * PRECONDITION_FAILED; the error propagates (the connection's setup then retries with backoff).
 */
import type { Channel } from 'amqplib';
import type { SetupTask } from './connection-options.js';
import type { TopologyNames } from './names.js';

/** Options for {@link declareTopology}. */
export interface TopologyOptions {
  /**
   * Deliveries of one message from the router's inbound queue before the broker dead-letters it
   * to the quarantine queue (header `x-death`, reason `delivery_limit`), so a message that keeps
   * failing or crashing the router is never requeued forever. Default 10; `0` means no limit.
   * Changing it for an existing queue needs a policy, not a new argument (406 otherwise).
   */
  readonly deliveryLimit?: number;
}

export const DEFAULT_DELIVERY_LIMIT = 10;

/** The arguments of a durable quorum queue, plus `extra`. */
export function quorumQueueArgs(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { 'x-queue-type': 'quorum', ...extra };
}

/** The arguments of the router's inbound queue: quorum, delivery limit, dead-letter to quarantine. */
export function routerInboundArgs(
  names: TopologyNames,
  deliveryLimit: number,
): Record<string, unknown> {
  if (deliveryLimit <= 0) return quorumQueueArgs();
  return quorumQueueArgs({
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': names.quarantineExchange,
    'x-dead-letter-routing-key': names.quarantineRoutingKey,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  });
}

/** Declares a durable quorum queue. */
export async function assertQuorumQueue(
  channel: Channel,
  queue: string,
  args: Record<string, unknown> = quorumQueueArgs(),
): Promise<void> {
  await channel.assertQueue(queue, { durable: true, arguments: args });
}

/** Declares the queue of each end point and binds it to the deliver exchange by its id. */
export async function declareEndpointQueues(
  channel: Channel,
  names: TopologyNames,
  endpointIds: Iterable<string>,
): Promise<void> {
  for (const id of new Set(endpointIds)) {
    const queue = names.endpointQueue(id);
    await assertQuorumQueue(channel, queue);
    await channel.bindQueue(queue, names.deliverExchange, names.endpointRoutingKey(id));
  }
}

/**
 * Declares the exchanges, the router's queues and one queue per end point in `endpointIds`.
 * The quarantine queue is declared first: the inbound queue dead-letters to it.
 */
export async function declareTopology(
  channel: Channel,
  names: TopologyNames,
  endpointIds: Iterable<string>,
  options: TopologyOptions = {},
): Promise<void> {
  const deliveryLimit = options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
  await channel.assertExchange(names.inboundExchange, 'fanout', { durable: true });
  await channel.assertExchange(names.deliverExchange, 'direct', { durable: true });
  await assertQuorumQueue(channel, names.quarantineQueue);
  await assertQuorumQueue(
    channel,
    names.routerInboundQueue,
    routerInboundArgs(names, deliveryLimit),
  );
  await channel.bindQueue(names.routerInboundQueue, names.inboundExchange, '');
  await declareEndpointQueues(channel, names, endpointIds);
}

/**
 * A connection setup task that declares the topology on every (re)connect, on a channel of its
 * own. `endpointIds` is called each time, so end points added by a config reload are declared
 * too (call {@link declareEndpointQueues} to declare them at once).
 */
export function declareTopologyTask(
  names: TopologyNames,
  endpointIds: () => Iterable<string>,
  options: TopologyOptions = {},
): SetupTask {
  return async (model) => {
    const channel = await model.createChannel();
    channel.on('error', () => undefined); // a failed declare rejects with the same error
    try {
      await declareTopology(channel, names, endpointIds(), options);
    } finally {
      await channel.close().catch(() => undefined);
    }
  };
}
