/**
 * Publishes on a confirm channel. Each `publish` resolves only when the broker confirms that
 * message (it is then stored in every queue it was routed to), and rejects with a
 * {@link TransportError} on a nack, a closed channel, a timeout, or (with `mandatory`) no route.
 * Any number of publishes may be in flight at once. A channel the broker closes (e.g. 406 for a
 * `userId` that is not the connection's user) fails only the publishes in flight on it; the next
 * publish opens a new channel, waiting for the connection if it is reconnecting.
 */
import type { ConfirmChannel } from 'amqplib';
import type { BrokerConnection } from './connection.js';
import { propertiesProblem } from './amqp-limits.js';
import { ReturnedMessages, type PublishProperties } from './publish-properties.js';
import { replyCodeOf, TransportError } from './transport-error.js';
import { errorMeta, silentLogger, type TransportLogger } from './transport-logger.js';

/** Options of a {@link ConfirmPublisher}. */
export interface PublisherOptions {
  /**
   * Reject a publish not confirmed within this time, waiting for a connection included (the
   * message may still be stored: callers treat it as failed and rely on de-duplication); default 30 s.
   */
  readonly confirmTimeoutMs?: number;
  readonly logger?: TransportLogger;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

interface OpenChannel {
  readonly channel: ConfirmChannel;
  readonly returned: ReturnedMessages;
  closeError?: Error;
}

export class ConfirmPublisher {
  readonly #log: TransportLogger;
  #opening: Promise<OpenChannel> | undefined;
  #closed = false;

  constructor(
    private readonly connection: BrokerConnection,
    private readonly options: PublisherOptions = {},
  ) {
    this.#log = options.logger ?? silentLogger;
  }

  /** Publishes `body` and resolves once the broker has confirmed it. */
  async publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    properties: PublishProperties = {},
  ): Promise<void> {
    if (this.#closed) throw new TransportError('CLOSED', 'publisher is closed');
    const where = `${exchange || '(default exchange)'} / ${routingKey}`;
    // Checked before a channel is touched: a message that cannot be encoded is the message's
    // failure, never a closed channel (which callers would take for an outage).
    const problem = propertiesProblem(properties);
    if (problem)
      throw new TransportError('INVALID_PROPERTIES', `cannot publish to ${where}: ${problem}`);
    const ms = this.options.confirmTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TransportError('CONFIRM_TIMEOUT', `no confirm for ${where} in ${ms} ms`)),
        ms,
      );
    });
    try {
      await Promise.race([this.#publish(exchange, routingKey, body, properties, where), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops accepting publishes, waits for those in flight to settle, closes the channel. */
  async close(): Promise<void> {
    this.#closed = true;
    const open = await this.#opening?.catch(() => undefined);
    this.#opening = undefined;
    if (!open || open.closeError) return;
    const ms = this.options.confirmTimeoutMs ?? 30_000;
    await Promise.race([open.channel.waitForConfirms().catch(() => undefined), sleep(ms)]);
    await open.channel.close().catch(() => undefined);
  }

  async #publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    props: PublishProperties,
    where: string,
  ) {
    const open = await this.#channel().catch((err: unknown) => {
      const closed = this.connection.state === 'closed';
      const text = `no channel to publish to ${where}: ${(err as Error).message}`;
      throw new TransportError(closed ? 'CLOSED' : 'CHANNEL_CLOSED', text, { cause: err });
    });
    const { persistent = true, mandatory = false, ...rest } = props;
    const key = mandatory ? ReturnedMessages.key(exchange, routingKey, rest.messageId) : undefined;
    return new Promise<void>((resolve, reject) => {
      const settle = (err: Error | null): void => {
        if (err) return reject(this.#failure(open, err, where));
        if (key !== undefined && open.returned.take(key)) {
          return reject(
            new TransportError('UNROUTABLE', `no queue is bound for ${where}`, { replyCode: 312 }),
          );
        }
        resolve();
      };
      try {
        open.channel.publish(
          exchange,
          routingKey,
          body,
          { ...rest, persistent, mandatory },
          settle,
        );
      } catch (err) {
        // amqplib encodes the properties before it writes anything: a TypeError or RangeError
        // here is this message's properties (the channel is untouched), not a closed channel.
        if (err instanceof TypeError || err instanceof RangeError) {
          const text = `cannot publish to ${where}: ${err.message}`;
          return reject(new TransportError('INVALID_PROPERTIES', text, { cause: err }));
        }
        settle(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  #channel(): Promise<OpenChannel> {
    if (!this.#opening) {
      const opening = this.#open();
      this.#opening = opening;
      opening.catch(() => {
        if (this.#opening === opening) this.#opening = undefined;
      });
    }
    return this.#opening;
  }

  async #open(): Promise<OpenChannel> {
    const channel = await this.connection.createConfirmChannel();
    const open: OpenChannel = { channel, returned: new ReturnedMessages() };
    const opening = this.#opening; // set by #channel() before this first await resumed
    channel.on('error', (err: Error) => {
      open.closeError = err;
      this.#log.warn('broker closed the publisher channel', errorMeta(err));
    });
    channel.on('close', () => {
      open.closeError ??= new Error('channel closed');
      if (this.#opening === opening) this.#opening = undefined;
    });
    channel.on('return', (msg) => open.returned.add(msg));
    return open;
  }

  #failure(open: OpenChannel, err: Error, where: string): TransportError {
    if (err.message === 'message nacked') {
      return new TransportError('PUBLISH_NACKED', `broker nacked the publish to ${where}`, {
        cause: err,
      });
    }
    const cause = open.closeError ?? err;
    const replyCode = replyCodeOf(cause);
    const message = `channel closed before confirming ${where}: ${cause.message}`;
    return new TransportError('CHANNEL_CLOSED', message, {
      cause,
      ...(replyCode === undefined ? {} : { replyCode }),
    });
  }
}
