/**
 * Shared by the disruptive tests: care-plan notifications with fresh ids, a supplier that publishes
 * as its broker user with confirms, queue depth, draining a queue, and the guard that keeps these
 * tests out of the main run (jest.config.js matches test/**, this suite needs ITK_DISRUPTIVE=1,
 * which jest.disruptive.config.js sets).
 */
import { checkIfFromRouter } from '../support/messages.js';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import type { TestUser } from '../support/broker.js';
import { fixture } from '../support/fixture-files.js';

export const disruptive = process.env.ITK_DISRUPTIVE === '1' ? describe : describe.skip;

export const INBOUND_EXCHANGE = 'itk.inbound';
export const INBOUND_QUEUE = 'itk.router.inbound';
export const QUARANTINE_QUEUE = 'itk.router.quarantine';
export const endpointQueue = (id: string) => `itk.endpoint.${id}`;

const EXAMPLE = fixture('examples/careplan-notification.xml').toString('utf8');
const EXAMPLE_TRACKING_ID = '4C2A3B1E-9F7D-4E2A-8C1B-2D3E4F5A6B7C';
const EXAMPLE_PLAN_ID = '0F8E7D6C-5B4A-4938-8271-605F4E3D2C1B';

export const newTrackingId = (): string => randomUUID().toUpperCase();

/**
 * The example notification (riverside-gp → urn:nhs-uk:addressing:ods:RDE01:COMMUNITY, so end point
 * riverside-community) with `trackingId` and a fresh plan id. The stock routes copy an
 * `end-of-life` plan (the example's) to ooh-111 as well; `long-term-condition` goes to
 * riverside-community only.
 */
export function notification(
  trackingId: string,
  planType: 'end-of-life' | 'long-term-condition' = 'end-of-life',
): Buffer {
  const xml = EXAMPLE.replace(`trackingid="${EXAMPLE_TRACKING_ID}"`, `trackingid="${trackingId}"`)
    .replace(EXAMPLE_PLAN_ID, randomUUID().toUpperCase())
    .replace('<planType>end-of-life</planType>', `<planType>${planType}</planType>`);
  if (!xml.includes(trackingId)) throw new Error('the example notification changed shape');
  return Buffer.from(xml, 'utf8');
}

const CDA = fixture('valid/cda-document-noncoded.xml').toString('utf8');
const CDA_TRACKING_ID = '3487DD91-2D2D-44DB-BBA5-D6FE1709A440';

const CDA_ADDRESS = 'urn:nhs-uk:addressing:ods:RDE01:COMMUNITY';

/**
 * A non-coded CDA document (SendCDADocument-v2-0) from riverside-gp, with `trackingId`, addressed
 * to `to` (default riverside-community's address; `urn:nhs-uk:addressing:ods:NWAS111` is ooh-111):
 * routed by address only, no care-plan rules, so a redelivery meets the duplicate check alone.
 */
export function cdaDocument(trackingId: string, to = CDA_ADDRESS): Buffer {
  const xml = CDA.replace(`trackingid="${CDA_TRACKING_ID}"`, `trackingid="${trackingId}"`).replace(
    `<itk:address uri="${CDA_ADDRESS}"/>`,
    `<itk:address uri="${to}"/>`,
  );
  if (!xml.includes(trackingId) || !xml.includes(`"${to}"`))
    throw new Error('the CDA fixture changed shape');
  return Buffer.from(xml, 'utf8');
}

/** A supplier system: its own connection as its broker user; every publish carries `user_id`. */
export class Supplier {
  #model: ChannelModel | undefined;
  #channel: ConfirmChannel | undefined;

  constructor(readonly user: TestUser) {}

  async #open(): Promise<ConfirmChannel> {
    if (this.#channel) return this.#channel;
    const model = await connect(this.user.url, { noDelay: true, timeout: 3000 });
    const drop = () => {
      if (this.#model === model) {
        this.#model = undefined;
        this.#channel = undefined;
      }
    };
    model.on('error', () => undefined);
    model.on('close', drop);
    const channel = await model.createConfirmChannel();
    channel.on('error', () => undefined);
    channel.on('close', drop);
    this.#model = model;
    this.#channel = channel;
    return channel;
  }

  /** Publishes `bodies` to itk.inbound and resolves once the broker has confirmed every one. */
  async publish(bodies: readonly Buffer[]): Promise<void> {
    const channel = await this.#open();
    await Promise.all(
      bodies.map(
        (body) =>
          new Promise<void>((resolve, reject) =>
            channel.publish(
              INBOUND_EXCHANGE,
              '',
              body,
              { persistent: true, contentType: 'application/xml', userId: this.user.name },
              (err) => (err ? reject(err) : resolve()),
            ),
          ),
      ),
    );
  }

  /**
   * Publishes until confirmed, through broker outages: a failed attempt (refused connection,
   * closed channel, nack) drops the connection and tries the same batch again after `delayMs`.
   * A batch whose confirm was lost may so reach the router twice: the router's duplicate check
   * is what absorbs that. Returns the number of failed attempts.
   */
  async publishWithRetry(
    bodies: readonly Buffer[],
    delayMs = 200,
    timeoutMs = 60_000,
  ): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (let failures = 0; ; failures++) {
      try {
        await this.publish(bodies);
        return failures;
      } catch (err) {
        await this.close();
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  async close(): Promise<void> {
    const model = this.#model;
    this.#model = undefined;
    this.#channel = undefined;
    await model?.close().catch(() => undefined);
  }
}

/** `rabbitmqctl set_policy` on `vhost` for the queues matching `pattern`. */
export function setQueuePolicy(
  vhost: string,
  name: string,
  pattern: string,
  definition: object,
): void {
  execFileSync(
    'rabbitmqctl',
    ['set_policy', '-p', vhost, name, pattern, JSON.stringify(definition), '--apply-to', 'queues'],
    { stdio: 'pipe' },
  );
}

/** Ready messages in `queue` (passive declare; unacknowledged ones are not counted). */
export async function queueDepth(channel: ConfirmChannel, queue: string): Promise<number> {
  return (await channel.checkQueue(queue)).messageCount;
}

/** Takes (auto-ack) every message now in `queue`. */
export async function drain(channel: ConfirmChannel, queue: string): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  for (;;) {
    const msg = await channel.get(queue, { noAck: true });
    if (!msg) return messages;
    checkIfFromRouter(msg, queue);
    messages.push(msg);
  }
}

/** Tracking id of a router delivery (message_id; header itk-tracking-id as well). */
export const trackingIdOf = (msg: GetMessage): string => String(msg.properties.messageId);

/** How often each value occurs. */
export function countBy<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** Resolves once `condition()` resolves true; fails after `timeoutMs` naming `what`. */
export async function until(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** One line for the final report, easy to grep out of jest's output. */
export function report(test: string, facts: Record<string, unknown>): void {
  console.log(`[disruptive] ${test}: ${JSON.stringify(facts)}`);
}
