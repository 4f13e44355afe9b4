/**
 * The ops tool's broker session on the quarantine queue.
 *
 * Browsing takes every message with `basic.get` WITHOUT acknowledging it, on a channel of its
 * own; closing that channel hands back every message not acknowledged, in order, so a listing
 * loses nothing (and a crash of the tool hands them back too). A quorum queue counts each such
 * return as a delivery (`x-delivery-count` rises by one per browse, before RabbitMQ 4.3), and a
 * queue with a delivery limit would drop or dead-letter a message that reaches it: the quarantine
 * queue is declared without one, but RabbitMQ 4 gives quorum queues a default limit of 20. So a
 * browse refreshes any entry that has been handed out {@link REFRESH_AT} times: a fresh copy (same
 * bytes, properties and headers) is published to the quarantine queue with confirms, and only then
 * is the worn one acknowledged. A crash between the two leaves both copies (`<id>` and `<id>-2`),
 * never none.
 *
 * Replays are published with confirms on a second channel of the same connection, `mandatory`, so
 * a publish that no queue takes fails instead of vanishing; the entry is acknowledged (removed)
 * only after its replay is confirmed.
 */
import {
  openConnection,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type GetMessage,
  type Options,
} from '../../router/02-transport/open-connection.js';
import type { TopologyNames } from '../../router/02-transport/names.js';
import { QUARANTINE_HEADER, toEntries, type QuarantineEntry } from './quarantine-entry.js';
import { brokerUserOf } from '../../router/09-pipeline/replay-trust.js';
import { redactUrl } from '../../router/00-common/redact-url.js';

/** Browses after which an entry is refreshed (well under RabbitMQ 4's default delivery limit, 20). */
export const REFRESH_AT = 10;

/** An entry this session holds (taken, not yet acknowledged). */
export interface HeldEntry {
  readonly entry: QuarantineEntry;
  readonly message: GetMessage;
}

export class QuarantineSession {
  readonly #returned = new Set<string>();
  #acked = new Set<HeldEntry>();

  private constructor(
    private readonly connection: ChannelModel,
    private readonly browser: Channel,
    private readonly publisher: ConfirmChannel,
    readonly names: TopologyNames,
    /** The broker user this session connects as: the `user_id` of what it publishes. */
    readonly brokerUser: string,
  ) {
    publisher.on('return', (msg: GetMessage) => {
      this.#returned.add(String(msg.properties.messageId ?? ''));
    });
  }

  /** Connects as the user of `amqpUrl` (use the router's own account: see docs/operations.md). */
  static async open(amqpUrl: string, names: TopologyNames): Promise<QuarantineSession> {
    let connection: ChannelModel;
    try {
      connection = await openConnection(amqpUrl);
    } catch (err) {
      throw new Error(`cannot connect to ${redactUrl(amqpUrl)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    connection.on('error', () => undefined);
    try {
      const browser = await connection.createChannel();
      browser.on('error', () => undefined);
      const publisher = await connection.createConfirmChannel();
      publisher.on('error', () => undefined);
      return new QuarantineSession(connection, browser, publisher, names, brokerUserOf(amqpUrl));
    } catch (err) {
      await connection.close().catch(() => undefined);
      throw err;
    }
  }

  /** Messages ready on the quarantine queue (not counting those held by a browser). */
  async depth(): Promise<number> {
    try {
      return (await this.browser.checkQueue(this.names.quarantineQueue)).messageCount;
    } catch (err) {
      throw new Error(
        `cannot read ${this.names.quarantineQueue} (has the router started on this vhost?): ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** Takes up to `limit` entries, in queue order, without acknowledging them. */
  async browse(limit: number): Promise<HeldEntry[]> {
    const messages: GetMessage[] = [];
    while (messages.length < limit) {
      const msg = await this.browser.get(this.names.quarantineQueue, { noAck: false });
      if (!msg) break;
      messages.push(msg);
    }
    const entries = toEntries(messages);
    return entries.map((entry, i) => ({ entry, message: messages[i]! }));
  }

  /** Publishes with confirms and `mandatory`; resolves once the broker has the message queued. */
  async publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: Options.Publish & { messageId: string },
  ): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      try {
        this.publisher.publish(
          exchange,
          routingKey,
          body,
          { ...options, mandatory: true, persistent: true },
          (err) => {
            if (err)
              return reject(
                new Error(
                  `the broker refused the publish to ${routingKey}: ${String(err.message ?? err)}`,
                ),
              );
            if (this.#returned.delete(options.messageId))
              return reject(
                new Error(`no queue took the publish to ${routingKey || '(default exchange)'}`),
              );
            resolve();
          },
        );
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Removes a held entry from the queue (call only once what replaces it is confirmed). */
  ack(held: HeldEntry): void {
    if (this.#acked.has(held)) return;
    this.browser.ack(held.message);
    this.#acked.add(held);
  }

  /**
   * Replaces each held entry handed out `threshold` times or more by a fresh copy at the queue's
   * tail (confirmed first, then the worn one acknowledged). Returns how many were refreshed.
   */
  async refreshWorn(held: readonly HeldEntry[], threshold = REFRESH_AT): Promise<number> {
    let refreshed = 0;
    for (const h of held) {
      if (h.entry.deliveryCount < threshold || this.#acked.has(h)) continue;
      const p = h.message.properties;
      const headers: Record<string, unknown> = { ...(p.headers ?? {}) };
      delete headers['x-delivery-count'];
      delete headers['x-acquired-count'];
      // A dead-lettered copy keeps the supplier's user_id, which this user may not publish with.
      if (p.userId !== undefined && p.userId !== this.brokerUser)
        headers[QUARANTINE_HEADER.originalUser] ??= String(p.userId);
      const messageId = `refresh-${h.entry.id}-${Date.now()}`;
      await this.publish('', this.names.quarantineQueue, h.message.content, {
        messageId: p.messageId !== undefined ? String(p.messageId) : messageId,
        headers,
        ...(p.contentType ? { contentType: String(p.contentType) } : {}),
        ...(p.contentEncoding ? { contentEncoding: String(p.contentEncoding) } : {}),
        ...(p.type ? { type: String(p.type) } : {}),
        ...(p.appId ? { appId: String(p.appId) } : {}),
        ...(p.correlationId ? { correlationId: String(p.correlationId) } : {}),
        ...(typeof p.timestamp === 'number' ? { timestamp: p.timestamp } : {}),
      });
      this.ack(h);
      refreshed++;
    }
    return refreshed;
  }

  /** Purges the whole quarantine queue; returns how many messages were removed. */
  async purge(): Promise<number> {
    return (await this.browser.purgeQueue(this.names.quarantineQueue)).messageCount;
  }

  /** Hands back every entry not acknowledged (closing the browse channel) and disconnects. */
  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.publisher.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
