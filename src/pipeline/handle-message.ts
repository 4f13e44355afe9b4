/**
 * The message handler the consumer calls: runs the pipeline (process-message.ts) and settles the
 * inbound delivery by the outcome's disposition. Failures:
 * - an outage (the store or the broker unavailable): the message is tried again in place with
 *   backoff, holding its prefetch slot, so consumption pauses while a dependency is down, and
 *   spends no delivery attempt; it goes back to the queue only when the router stops;
 * - anything else: back to the queue after a backoff, spending one delivery attempt.
 * Once the quorum queue's x-delivery-count reaches `retry.attempts`, it is a poison message:
 * quarantined with 2100, recorded, and the sender told with a 2100 nack when it is known.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { buildNack, ownAddressOf } from '../acks/router-acks.js';
import { quarantine } from '../delivery/outbound.js';
import { trustedReplay } from '../quarantine/replay-headers.js';
import { NO_TRACING } from '../ops/tracing.js';
import { endpointForIdentity } from '../routing/index.js';
import type { RouterResponse } from '../store/message-store.js';
import type { InboundMessage } from '../transport/inbound-message.js';
import { DISPOSITIONS } from './dispositions.js';
import { KeyedLock } from './keyed-lock.js';
import { PipelineFailure } from './pipeline-failure.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { processMessage } from './process-message.js';
import { publishResponse } from './router-answers.js';

export type { PipelineDeps, PipelineMetrics } from './pipeline-deps.js';

const deliveryCount = (msg: InboundMessage): number => {
  const n = msg.properties.headers['x-delivery-count'];
  return typeof n === 'number' ? n : 0;
};

export function createMessageHandler(
  deps: PipelineDeps,
): (msg: InboundMessage) => Promise<'ack' | 'reject'> {
  const now = deps.now ?? (() => new Date());
  const lock = new KeyedLock();
  const tracing = deps.tracing ?? NO_TRACING;
  const backoff = (n: number) =>
    Math.min(deps.retry.maxDelayMs, deps.retry.initialDelayMs * 2 ** (n - 1));
  const handle = async (msg: InboundMessage): Promise<'ack' | 'reject'> => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    for (let tries = 1; ; tries++) {
      try {
        const { kind, service, codes } = await processMessage(deps, msg, now(), lock);
        deps.metrics?.observe(kind, service, seconds(), codes);
        return DISPOSITIONS[kind].settle === 'ack' ? 'ack' : 'reject';
      } catch (err) {
        const failure = PipelineFailure.of(err);
        const log = deps.log.child({
          trackingId: failure.context.trackingId ?? null,
          sender: failure.context.senderEndpointId ?? msg.properties.userId ?? null,
        });
        if (failure.outage && !deps.signal?.aborted) {
          tracing.annotate({ 'itk.retries_in_place': tries });
          deps.metrics?.retriedInPlace?.();
          log.warn('store or broker unavailable, retrying in place', {
            try: tries,
            error: failure.message,
          });
          await sleep(backoff(tries));
          continue;
        }
        const attempt = deliveryCount(msg) + 1;
        const text = `processing failed (attempt ${attempt} of ${deps.retry.attempts}): ${failure.message}`;
        log.warn('message processing failed', { attempt, error: failure.message });
        tracing.fail(failure.message);
        if (attempt < deps.retry.attempts || failure.outage) {
          tracing.annotate({ 'itk.outcome': 'retry', 'itk.error_code': '2100' });
          if (!failure.outage && !deps.signal?.aborted) await sleep(backoff(attempt));
          deps.metrics?.observe(
            'retry',
            failure.context.envelope?.service ?? 'unknown',
            seconds(),
            ['2100'],
          );
          return 'reject';
        }
        tracing.annotate({ 'itk.outcome': 'poison', 'itk.error_code': '2100' });
        await quarantinePoison(deps, msg, failure, text, now());
        log.error('message quarantined after repeated failures', {
          attempt,
          error: failure.message,
        });
        deps.metrics?.observe('poison', failure.context.envelope?.service ?? 'unknown', seconds(), [
          '2100',
        ]);
        return 'ack';
      }
    }
  };
  return (msg) => tracing.consume(msg, () => handle(msg));
}

/** Quarantine a poison message; record it and tell the sender where that can still be done. */
async function quarantinePoison(
  deps: PipelineDeps,
  msg: InboundMessage,
  failure: PipelineFailure,
  text: string,
  at: Date,
): Promise<void> {
  const { trackingId, envelope, messageId } = failure.context;
  const user =
    trustedReplay(msg, { inboundExchange: deps.names.inboundExchange, brokerUser: deps.brokerUser })
      ?.user ?? msg.properties.userId;
  const sender =
    failure.context.senderEndpointId ??
    (user ? endpointForIdentity(deps.routes().table, user)?.id : undefined) ??
    user;
  await quarantine(deps.publisher, deps.names, msg.body, {
    code: '2100',
    text,
    ...(sender ? { sender } : {}),
    ...(envelope ? { trackingId: envelope.trackingId } : {}),
  });
  const endpoint = failure.context.senderEndpointId
    ? deps.routes().table.endpoints.get(failure.context.senderEndpointId)
    : undefined;
  const responses: RouterResponse[] = [];
  if (endpoint && envelope) {
    const nack = buildNack({
      original: envelope,
      fallbackTo: ownAddressOf(endpoint),
      errors: [{ code: '2100', diagnostic: text }],
      router: deps.router,
      at,
    });
    const response = {
      kind: 'inf-nack' as const,
      trackingId: nack.trackingId,
      toEndpointId: endpoint.id,
      xml: nack.xml,
    };
    await publishResponse(deps, response).then(
      () => responses.push(response),
      () => undefined,
    );
  }
  if (messageId) {
    await deps.store
      .complete(messageId, { state: 'quarantined', at, responses, code: '2100', detail: text })
      .catch((err: Error) =>
        deps.log.warn('could not record the quarantine', {
          trackingId: trackingId ?? null,
          error: err.message,
        }),
      );
  }
}
