/** A message as the transport hands it to the application: bytes, properties, delivery facts. */
import type { ConsumeMessage } from 'amqplib';

/** The AMQP basic properties of a received message; absent properties are `undefined`. */
export interface InboundProperties {
  /** The broker user that published it; RabbitMQ refuses a `user_id` that is not the connection's user. */
  readonly userId: string | undefined;
  readonly messageId: string | undefined;
  readonly type: string | undefined;
  readonly appId: string | undefined;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  readonly correlationId: string | undefined;
  readonly replyTo: string | undefined;
  /** 2 = persistent, 1 = transient. */
  readonly deliveryMode: number | undefined;
  readonly priority: number | undefined;
  readonly expiration: string | undefined;
  /** Seconds since the epoch, as AMQP carries it. */
  readonly timestamp: number | undefined;
  /** Application headers; `{}` when none. */
  readonly headers: Readonly<Record<string, unknown>>;
}

/** One delivery from a queue. Settle it by the disposition the handler returns, never directly. */
export interface InboundMessage {
  /** The message bytes, exactly as published. */
  readonly body: Buffer;
  readonly properties: InboundProperties;
  /** True when the broker delivered it before without an ack (e.g. a consumer died mid-message). */
  readonly redelivered: boolean;
  /** The delivery tag on the channel it arrived on (tags restart on every channel). */
  readonly deliveryTag: number;
  readonly exchange: string;
  readonly routingKey: string;
}

const str = (value: unknown): string | undefined => (value == null ? undefined : String(value));
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** Maps an amqplib delivery to an {@link InboundMessage}. */
export function toInboundMessage(msg: ConsumeMessage): InboundMessage {
  const p = msg.properties;
  return Object.freeze({
    body: msg.content,
    properties: Object.freeze({
      userId: str(p.userId),
      messageId: str(p.messageId),
      type: str(p.type),
      appId: str(p.appId),
      contentType: str(p.contentType),
      contentEncoding: str(p.contentEncoding),
      correlationId: str(p.correlationId),
      replyTo: str(p.replyTo),
      deliveryMode: num(p.deliveryMode),
      priority: num(p.priority),
      expiration: str(p.expiration),
      timestamp: num(p.timestamp),
      headers: Object.freeze({ ...(p.headers ?? {}) }),
    }),
    redelivered: msg.fields.redelivered,
    deliveryTag: msg.fields.deliveryTag,
    exchange: msg.fields.exchange,
    routingKey: msg.fields.routingKey,
  });
}
