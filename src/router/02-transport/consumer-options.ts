/** What a QueueConsumer hands to its handler and expects back. */
import type { InboundMessage } from './inbound-message.js';
import type { TransportLogger } from './transport-logger.js';

/**
 * How a handler settles a delivery: `ack` removes it from the queue; `requeue` returns it for
 * redelivery (AMQP basic.reject with requeue; a quorum queue counts it in x-delivery-count).
 * To quarantine a message, publish it to quarantine, then `ack`.
 */
export type Settlement = 'ack' | 'requeue';

/** Handles one delivery; called concurrently, up to `prefetch` at a time. Throwing = `requeue`. */
export type MessageHandler = (message: InboundMessage) => Promise<Settlement>;

/** Options of a {@link QueueConsumer}. */
export interface ConsumerOptions {
  readonly queue: string;
  /** Unacknowledged deliveries the broker may hand over at once (≥ 1). */
  readonly prefetch: number;
  readonly handler: MessageHandler;
  /** Wait before resubscribing after the channel alone closed; default 1000 ms. */
  readonly resubscribeDelayMs?: number;
  readonly logger?: TransportLogger;
}
