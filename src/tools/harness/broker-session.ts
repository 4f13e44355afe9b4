/**
 * The harness on the broker, as the end points it plays: one connection per end point, as its
 * own broker user (so the router sees the same proven `user_id` a supplier would send), that
 * consumes the end point's queue into the mailroom and publishes to the inbound exchange; and
 * one connection as the AMQP URL's own user, for `$ops` sends and (when allowed) the quarantine.
 */
import {
  openConnection,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
} from '../../router/02-transport/open-connection.js';
import { urlAs } from '../sandbox/broker-client.js';
import type { EndpointView } from './bindings.js';
import { HarnessError } from './harness-error.js';
import { Mailroom } from './mailroom.js';
import { QUARANTINE } from './model.js';
import type { Target } from './target.js';

interface Link {
  readonly user: string;
  readonly connection: ChannelModel;
  publishing?: Promise<ConfirmChannel>;
}

const PROPERTIES = [
  'messageId',
  'type',
  'appId',
  'contentType',
  'deliveryMode',
  'userId',
  'correlationId',
] as const;

function record(msg: ConsumeMessage) {
  const properties: Record<string, string | number> = {};
  for (const key of PROPERTIES) {
    const value = (msg.properties as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string' || typeof value === 'number') properties[key] = value;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(msg.properties.headers ?? {}))
    headers[k] = Buffer.isBuffer(v)
      ? v.toString('utf8')
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);
  return { body: msg.content, properties, headers };
}

export class BrokerSession {
  readonly mail = new Mailroom();
  /** What went wrong with a connection after it opened (the run fails on it). */
  readonly problems: string[] = [];
  private readonly links = new Map<string, Link>();
  private closing = false;

  private constructor(private readonly target: Target) {}

  /** The broker's server properties, as its first connection announced them. */
  get serverProperties(): unknown {
    const first = this.links.values().next().value;
    return (first?.connection as unknown as { connection?: { serverProperties?: unknown } })
      ?.connection?.serverProperties;
  }

  /** Connects as every played end point and starts consuming their queues. */
  static async open(target: Target, played: readonly EndpointView[]): Promise<BrokerSession> {
    const session = new BrokerSession(target);
    try {
      for (const view of played) {
        const link = await session.link(view.user, view.id);
        await session.consume(link, view.queue, view.id);
      }
      const ops = await session.link(target.opsUser, '$ops');
      if (target.quarantine) await session.consume(ops, target.names.quarantineQueue, QUARANTINE);
      return session;
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  private async link(user: string, key: string): Promise<Link> {
    const url = urlAs(this.target.config.amqp.url, user, this.target.passwordOf(user));
    let connection: ChannelModel;
    try {
      connection = await openConnection(url, { connectionName: `itk-router harness (${key})` });
    } catch (err) {
      const refused = /ACCESS[_-]REFUSED|403/.test((err as Error).message)
        ? '; give its password with --credentials or ITK_PASSWORD_<USER>'
        : '';
      throw new HarnessError(
        `cannot connect to ${this.target.brokerDisplay} as broker user ${user} (for ${key}): ${(err as Error).message}${refused}`,
        { cause: err },
      );
    }
    const lost = (why: string) => () => {
      if (!this.closing)
        this.problems.push(`the connection of ${key} (broker user ${user}) ${why}`);
    };
    connection.on('error', () => undefined);
    connection.on('close', lost('closed'));
    const link: Link = { user, connection };
    this.links.set(key, link);
    return link;
  }

  private async consume(link: Link, queue: string, where: string): Promise<void> {
    let channel: Channel;
    try {
      channel = await link.connection.createChannel();
      channel.on('error', (err: Error) => {
        if (!this.closing) this.problems.push(`consuming ${queue}: ${err.message}`);
      });
      await channel.prefetch(100);
      await channel.consume(queue, (msg) => {
        if (!msg) return;
        this.mail.add({ where, queue, ...record(msg) });
        try {
          channel.ack(msg);
        } catch {
          // the channel closed meanwhile (reported by its close): the broker redelivers it
        }
      });
    } catch (err) {
      const message = (err as Error).message;
      const hint = /NOT[_-]FOUND/.test(message)
        ? ` (is the router running on vhost ${this.target.vhost}? It declares the end point queues when it starts)`
        : '';
      throw new HarnessError(
        `cannot consume ${queue} as broker user ${link.user}: ${message}${hint}`,
        {
          cause: err,
        },
      );
    }
  }

  /**
   * Publishes `body` to the inbound exchange as end point `key` (or `$ops`), persistent, with
   * user_id = its broker user unless `userId` is false; resolves once the broker confirms.
   */
  async publish(key: string, body: Buffer, userId: boolean, messageId?: string): Promise<string> {
    const link = this.links.get(key);
    if (!link) throw new HarnessError(`the harness has no connection for ${key}`);
    link.publishing ??= link.connection.createConfirmChannel().then((ch) => {
      ch.on('error', () => undefined);
      ch.on('close', () => (link.publishing = undefined));
      return ch;
    });
    const channel = await link.publishing;
    channel.publish(this.target.names.inboundExchange, '', body, {
      persistent: true,
      contentType: 'application/xml',
      ...(userId ? { userId: link.user } : {}),
      ...(messageId ? { messageId } : {}),
    });
    await channel.waitForConfirms();
    return link.user;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.links.values()].map((l) => l.connection.close().catch(() => undefined)),
    );
    this.links.clear();
  }
}
