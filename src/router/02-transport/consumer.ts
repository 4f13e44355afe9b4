/**
 * Consumes one queue with manual acks and a prefetch window. Each delivery goes to an async
 * handler; its answer settles the delivery: `ack` removes it, `reject` returns it to the queue
 * (the broker redelivers it with `redelivered` set; the queue's delivery limit, when it has one,
 * dead-letters a message that keeps coming back). A handler that throws counts as `reject`.
 *
 * A channel lost mid-handler is not an error: the broker has already requeued the delivery, so
 * the late answer is dropped. The consumer resubscribes on reconnect (a connection setup task) or,
 * when only its channel closed, after `resubscribeDelayMs`.
 */
import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { BrokerConnection } from './connection.js';
import type { ConsumerOptions, Settlement } from './consumer-options.js';
import { toInboundMessage } from './inbound-message.js';
import { errorMeta, silentLogger, type TransportLogger } from './transport-logger.js';

export type { ConsumerOptions, MessageHandler, Settlement } from './consumer-options.js';

interface Subscription {
  readonly channel: Channel;
  open: boolean;
  consumerTag?: string;
}

/** How long a stopping consumer lets its last acks settle before closing its channel. */
const ACK_GRACE_MS = 200;

export class QueueConsumer {
  readonly #taskName: string;
  readonly #log: TransportLogger;
  readonly #inFlight = new Set<Promise<void>>();
  #current: Subscription | undefined;
  #subscribing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #stopping: Promise<void> | undefined;

  constructor(
    private readonly connection: BrokerConnection,
    private readonly options: ConsumerOptions,
  ) {
    if (!(Number.isInteger(options.prefetch) && options.prefetch >= 1)) {
      throw new RangeError(`prefetch must be an integer ≥ 1, got ${options.prefetch}`);
    }
    this.#taskName = `consume:${options.queue}:${randomUUID().slice(0, 8)}`;
    this.#log = options.logger ?? silentLogger;
  }

  /** Deliveries whose handler has not finished. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Whether a subscription is currently open. */
  get consuming(): boolean {
    return this.#current?.consumerTag !== undefined && this.#current.open;
  }

  /** Subscribes now if connected (throws if the queue cannot be consumed), and on every reconnect. */
  async start(): Promise<void> {
    await this.connection.addSetupTask(this.#taskName, (model) =>
      this.#subscribe(() => model.createChannel()),
    );
  }

  /** Cancels the subscription, waits for every in-flight handler to settle, closes the channel. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#stopped = true;
    this.connection.removeSetupTask(this.#taskName);
    clearTimeout(this.#timer);
    await this.#subscribing;
    const sub = this.#current;
    if (sub?.open && sub.consumerTag) {
      await sub.channel
        .cancel(sub.consumerTag)
        .catch((err) => this.#log.warn('cancel failed', errorMeta(err)));
    }
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    if (sub?.open) {
      // RabbitMQ 3.10 quorum queues can drop acks still being settled when the channel closes
      // (rabbitmq-server#10327): one round trip, then a short grace, before closing.
      await sub.channel.checkQueue(this.options.queue).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, ACK_GRACE_MS));
      await sub.channel.close().catch(() => undefined);
    }
    this.#current = undefined;
  }

  #subscribe(open: () => Promise<Channel>): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#stopped || this.#current?.open) return;
      const channel = await open();
      const sub: Subscription = { channel, open: true };
      channel.on('error', (err: Error) =>
        this.#log.warn('consumer channel error', { queue: this.options.queue, ...errorMeta(err) }),
      );
      channel.on('close', () => this.#onClose(sub));
      this.#current = sub;
      try {
        await channel.prefetch(this.options.prefetch);
        const ok = await channel.consume(this.options.queue, (m) => this.#onMessage(sub, m), {
          noAck: false,
        });
        sub.consumerTag = ok.consumerTag;
      } catch (err) {
        if (this.#current === sub) this.#current = undefined;
        if (sub.open) await channel.close().catch(() => undefined);
        throw err;
      }
    };
    const next = this.#subscribing.then(run);
    this.#subscribing = next.catch(() => undefined);
    return next;
  }

  #onClose(sub: Subscription): void {
    sub.open = false;
    if (this.#current !== sub) return;
    this.#current = undefined;
    if (sub.consumerTag !== undefined) this.#scheduleResubscribe();
  }

  /** After a channel-only close (a lost connection is left to the setup task on reconnect). */
  #scheduleResubscribe(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#stopped || this.connection.state !== 'connected') return;
      this.#subscribe(() => this.connection.createChannel()).catch((err) => {
        this.#log.warn('resubscribe failed', { queue: this.options.queue, ...errorMeta(err) });
        this.#scheduleResubscribe();
      });
    }, this.options.resubscribeDelayMs ?? 1000).unref();
  }

  #onMessage(sub: Subscription, msg: ConsumeMessage | null): void {
    if (msg === null) {
      this.#log.warn('broker cancelled the consumer', { queue: this.options.queue });
      sub.channel.close().catch(() => undefined);
      return;
    }
    const done: Promise<void> = this.#handle(sub, msg).finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
  }

  async #handle(sub: Subscription, msg: ConsumeMessage): Promise<void> {
    let settlement: Settlement = 'requeue';
    try {
      settlement = await this.options.handler(toInboundMessage(msg));
    } catch (err) {
      this.#log.error('message handler failed; message requeued', {
        queue: this.options.queue,
        ...errorMeta(err),
      });
    }
    if (!sub.open) return; // the broker requeued it when the channel closed
    try {
      if (settlement === 'ack') sub.channel.ack(msg);
      else sub.channel.reject(msg, true);
    } catch (err) {
      this.#log.warn('settling a delivery failed; the broker will redeliver it', errorMeta(err));
    }
  }
}
