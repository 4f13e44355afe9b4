/**
 * A simulated system's own AMQP connection, as its own broker user: it consumes its queue
 * (`itk.endpoint.<id>`) one message at a time, acknowledging each after handling it, and
 * publishes to `itk.inbound` as a supplier must (persistent, application/xml, user_id = its
 * broker user), waiting for the broker's confirm.
 */
import {
  openConnection,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
} from '../../router/02-transport/open-connection.js';

export interface EndpointConnectionOptions {
  /** AMQP URL with this system's broker user and the demo's vhost. */
  readonly url: string;
  readonly brokerUser: string;
  readonly queue: string;
  readonly inboundExchange: string;
  /** Shown by the broker as `connection_name`. */
  readonly connectionName: string;
  readonly onMessage: (msg: ConsumeMessage) => Promise<void>;
  /** The connection or channel closed while the demo still needed it, or handling failed. */
  readonly onProblem: (reason: string) => void;
}

export class EndpointConnection {
  private closing = false;
  private handling: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: EndpointConnectionOptions,
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async open(options: EndpointConnectionOptions): Promise<EndpointConnection> {
    const connection = await openConnection(options.url, {
      connectionName: options.connectionName,
    });
    try {
      const channel = await connection.createConfirmChannel();
      const self = new EndpointConnection(options, connection, channel);
      const lost = (what: string) => (err?: Error) => {
        if (!self.closing) options.onProblem(`${what}${err ? `: ${err.message}` : ''}`);
      };
      connection.on('error', lost('connection error'));
      connection.on('close', lost('connection closed'));
      channel.on('error', lost('channel error'));
      await channel.prefetch(10);
      await channel.consume(options.queue, (msg) => msg && self.take(msg), { noAck: false });
      return self;
    } catch (err) {
      connection.on('error', () => undefined);
      await connection.close().catch(() => undefined);
      throw err;
    }
  }

  /** One at a time, in arrival order; acknowledged to the broker once handled. */
  private take(msg: ConsumeMessage): void {
    this.handling = this.handling.then(async () => {
      await this.options.onMessage(msg).catch((err: Error) => {
        if (!this.closing) this.options.onProblem(err.message); // closing: the demo is ending
      });
      try {
        if (!this.closing) this.channel.ack(msg);
      } catch {
        // the channel is gone (already reported): the broker redelivers the message to the next consumer
      }
    });
  }

  async publish(xml: string, trackingId: string): Promise<void> {
    this.channel.publish(this.options.inboundExchange, '', Buffer.from(xml, 'utf8'), {
      persistent: true,
      contentType: 'application/xml',
      userId: this.options.brokerUser,
      messageId: trackingId,
    });
    await this.channel.waitForConfirms();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.connection.on('error', () => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
