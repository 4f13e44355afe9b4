/** The AMQP properties of an outgoing message, and how a `mandatory` return finds its publish. */
import type { Message } from 'amqplib';

/** AMQP properties of an outgoing message. Messages are persistent unless `persistent: false`. */
export interface PublishProperties {
  /** Must be the connection's own user, or the broker closes the channel (406). */
  readonly userId?: string;
  readonly messageId?: string;
  readonly type?: string;
  readonly appId?: string;
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly correlationId?: string;
  readonly replyTo?: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  /** Default true (delivery mode 2). */
  readonly persistent?: boolean;
  readonly expiration?: string;
  /** Seconds since the epoch. */
  readonly timestamp?: number;
  readonly priority?: number;
  /**
   * Fail with `UNROUTABLE` when no queue receives the message. A return is matched to its publish
   * by exchange, routing key and `messageId`: keep that triple unique among publishes in flight.
   */
  readonly mandatory?: boolean;
}

/**
 * Returned (unroutable) messages of one channel not yet matched to their confirm. The broker
 * sends a message's `basic.return` before its `basic.ack`, so the confirm callback can ask.
 */
export class ReturnedMessages {
  readonly #pending = new Map<string, number>();

  static key(exchange: string, routingKey: string, messageId: unknown): string {
    return JSON.stringify([exchange, routingKey, messageId ?? null]);
  }

  /** Records a `return` event. */
  add(msg: Message): void {
    const key = ReturnedMessages.key(
      msg.fields.exchange,
      msg.fields.routingKey,
      msg.properties.messageId,
    );
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
  }

  /** Whether a message with `key` was returned; consumes that return. */
  take(key: string): boolean {
    const count = this.#pending.get(key) ?? 0;
    if (count === 0) return false;
    if (count === 1) this.#pending.delete(key);
    else this.#pending.set(key, count - 1);
    return true;
  }
}
