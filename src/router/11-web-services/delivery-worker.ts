/**
 * The delivery worker of one web-service end point (docs/web-services.md, "Outbound"): consumes
 * the end point's queue `itk.endpoint.<id>` like any end point would, and calls its
 * `delivery.url` for each message, in queue order (prefetch = `delivery.concurrency`, 1 by
 * default). Every message ends one way:
 * - delivered (200 without a fault, 202): recorded on the message's story, acked;
 * - refused (an ITK fault): the original sender gets an inf nack naming the end point, recorded,
 *   acked, never retried;
 * - transient (connection error, timeout, 503, another status without an ITK fault): called again
 *   after a backoff (1 s doubling to 60 s by default) while the message waits unacked in its
 *   queue; after `retry.attempts` calls it is quarantined with 2100 and the sender nacked 2100.
 * A message is acked only once its record and any nack or quarantine copy are confirmed, so a
 * crash at any moment loses nothing; it may call the end point twice (at-least-once: ITK end
 * points de-duplicate on the tracking id). Stopping returns a waiting message to its queue.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from '../01-config/routes-config.js';
import type { Logger } from '../00-common/logger.js';
import type { BrokerConnection } from '../02-transport/connection.js';
import { QueueConsumer } from '../02-transport/consumer.js';
import type { Settlement } from '../02-transport/consumer-options.js';
import type { InboundMessage } from '../02-transport/inbound-message.js';
import type { TopologyNames } from '../02-transport/names.js';
import type { RouteTable } from '../05-routing/index.js';
import type { Validator } from '../04-validation/create-validator.js';
import { deliverTo, quarantine, type Publisher } from '../07-delivery/outbound.js';
import type { RouterIdentity } from '../05-routing/router-identity.js';
import type { MessageStore, NewEvent } from '../08-store/message-store.js';
import { headerText } from '../09-pipeline/replay-trust.js';
import { callOutcome, type CallOutcome } from './delivery-outcome.js';
import type { HttpsCaller } from './https-caller.js';
import { endpointNack } from './endpoint-nack.js';
import { newMessageId, soapRequest } from './soap-messages.js';
import type { WsMetrics } from './ws-metrics.js';

export interface DeliveryWorkerDeps {
  readonly endpoint: Endpoint & { readonly delivery: NonNullable<Endpoint['delivery']> };
  readonly caller: HttpsCaller;
  readonly connection: BrokerConnection;
  readonly publisher: Publisher;
  readonly names: TopologyNames;
  readonly store: MessageStore;
  readonly routes: () => { readonly table: RouteTable; readonly validator: Validator };
  readonly router: RouterIdentity;
  readonly attempts: number;
  readonly backoff: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly log: Logger;
  readonly metrics?: WsMetrics;
  readonly now?: () => Date;
}

export interface DeliveryWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What the worker reads off a delivered message: the contract headers the router set. */
interface Delivered {
  readonly trackingId: string;
  readonly service: string;
  readonly sender: string | undefined;
}

const delivered = (msg: InboundMessage): Delivered => {
  const h = msg.properties.headers;
  return {
    trackingId: headerText(h['itk-tracking-id']) ?? msg.properties.messageId ?? 'unknown',
    service: headerText(h['itk-service']) ?? msg.properties.type ?? '',
    sender: headerText(h['itk-sender']),
  };
};

export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const { endpoint } = deps;
  const now = deps.now ?? (() => new Date());
  const aborter = new AbortController();
  const backoff = (n: number) =>
    Math.min(deps.backoff.maxDelayMs, deps.backoff.initialDelayMs * 2 ** (n - 1));
  const url = endpoint.delivery.url;

  /** Runs a store or broker step until it succeeds (an outage waits; the call is not repeated). */
  const persist = async (what: string, step: () => Promise<unknown>): Promise<boolean> => {
    for (let n = 1; ; n++) {
      try {
        await step();
        return true;
      } catch (err) {
        if (aborter.signal.aborted) return false;
        deps.log.warn(`web-service delivery: ${what} failed, trying again`, {
          endpoint: endpoint.id,
          error: (err as Error).message,
        });
        await sleep(backoff(n), undefined, { signal: aborter.signal }).catch(() => undefined);
      }
    }
  };

  const record = async (m: Delivered, event: NewEvent): Promise<void> => {
    if (!m.sender || m.sender === 'router') return; // the router's own answers have no record
    const histories = await deps.store.findByTrackingId(m.trackingId);
    const mine = histories.filter((h) => h.record.senderEndpointId === m.sender);
    const last = mine[mine.length - 1];
    if (last) await deps.store.addEvent(last.record.id, event);
  };

  const call = async (msg: InboundMessage, m: Delivered): Promise<CallOutcome> => {
    const started = performance.now();
    try {
      const body = soapRequest({
        de: msg.body,
        service: m.service,
        url,
        from: deps.router.address,
        username: deps.router.identity,
        now: now(),
        messageId: newMessageId(),
      });
      const answer = await deps.caller.post(body, m.service);
      return callOutcome(answer.status, answer.body);
    } catch (err) {
      return { kind: 'transient', reason: (err as Error).message };
    } finally {
      deps.metrics?.callSeconds(endpoint.id, (performance.now() - started) / 1000);
    }
  };

  const handle = async (msg: InboundMessage): Promise<Settlement> => {
    const m = delivered(msg);
    const log = deps.log.child({ trackingId: m.trackingId, sender: m.sender ?? null });
    for (let attempt = 1; ; attempt++) {
      const outcome = await call(msg, m);
      const at = now();
      if (outcome.kind === 'delivered') {
        deps.metrics?.call(endpoint.id, 'delivered');
        log.info('web-service delivery: delivered', {
          endpoint: endpoint.id,
          status: outcome.status,
        });
        const ok = await persist('recording the delivery', () =>
          record(m, {
            state: 'delivered',
            at,
            endpointId: endpoint.id,
            detail: `web service call to ${url}: HTTP ${outcome.status}`,
          }),
        );
        return ok ? 'ack' : 'requeue';
      }
      if (outcome.kind === 'refused') {
        deps.metrics?.call(endpoint.id, 'refused');
        const text = `end point ${endpoint.id} refused the message (HTTP ${outcome.status}): ${outcome.code} ${outcome.text}${outcome.diagnostic ? `: ${outcome.diagnostic}` : ''}`;
        log.warn('web-service delivery: refused by the end point', {
          endpoint: endpoint.id,
          code: outcome.code,
          error: text,
        });
        const ok = await persist('nacking the sender', () =>
          tellSender(msg, m, outcome.code, text, at, 'nacked'),
        );
        return ok ? 'ack' : 'requeue';
      }
      if (attempt < deps.attempts) {
        deps.metrics?.call(endpoint.id, 'retry');
        const wait = backoff(attempt);
        log.warn('web-service delivery: call failed, retrying', {
          endpoint: endpoint.id,
          attempt,
          of: deps.attempts,
          error: outcome.reason,
          retryInMs: wait,
        });
        try {
          await sleep(wait, undefined, { signal: aborter.signal });
        } catch {
          return 'requeue'; // stopping: back to the queue, for the next start
        }
        continue;
      }
      deps.metrics?.call(endpoint.id, 'quarantined');
      const text = `web service delivery to ${endpoint.id} (${url}) failed ${attempt} times: ${outcome.reason}`;
      log.error('web-service delivery: quarantined after repeated failures', {
        endpoint: endpoint.id,
        error: text,
      });
      const ok = await persist('quarantining the message', async () => {
        await quarantine(deps.publisher, deps.names, msg.body, {
          code: '2100',
          text,
          ...(m.sender ? { sender: m.sender } : {}),
          trackingId: m.trackingId,
        });
        await tellSender(msg, m, '2100', text, at, 'quarantined');
      });
      return ok ? 'ack' : 'requeue';
    }
  };

  /** Nacks the original sender (never for an ack itself) and records the event. */
  const tellSender = async (
    msg: InboundMessage,
    m: Delivered,
    code: string,
    text: string,
    at: Date,
    state: 'nacked' | 'quarantined',
  ): Promise<void> => {
    const { table, validator } = deps.routes();
    const sender = m.sender ? table.endpoints.get(m.sender) : undefined;
    const nack = sender
      ? endpointNack({
          body: msg.body,
          validator,
          sender,
          // the end point as the routes now describe it (its addresses may have been reloaded)
          reporter: state === 'nacked' ? (table.endpoints.get(endpoint.id) ?? endpoint) : undefined,
          router: deps.router,
          code,
          text,
          at,
        })
      : undefined;
    if (nack && sender) {
      await deliverTo(deps.publisher, deps.names, sender.id, Buffer.from(nack.xml, 'utf8'), {
        trackingId: nack.trackingId,
        service: nack.service,
        senderEndpointId: 'router',
        recipient: nack.addressee ?? sender.id,
      });
    }
    await record(m, {
      state,
      at,
      endpointId: endpoint.id,
      code: state === 'quarantined' ? '2100' : code,
      detail: nack ? `${text}; nack ${nack.trackingId} sent to ${sender!.id}` : text,
    });
  };

  const consumer = new QueueConsumer(deps.connection, {
    queue: deps.names.endpointQueue(endpoint.id),
    prefetch: endpoint.delivery.concurrency,
    logger: deps.log,
    handler: handle,
  });
  return {
    start: () => consumer.start(),
    stop: async () => {
      aborter.abort();
      await consumer.stop();
      deps.caller.close();
    },
  };
}
