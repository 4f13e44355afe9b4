/**
 * The message handler the consumer calls: runs the pipeline (process-message.ts) and settles the
 * inbound delivery by the outcome's disposition. Failures:
 * - an outage (the store or the broker unavailable): the message is tried again in place with
 *   backoff, holding its prefetch slot, so consumption pauses while a dependency is down; after
 *   {@link inPlaceTries} tries (or when the router stops) it goes back to the queue, spending one
 *   delivery attempt. Never for ever: a failure the message causes is not an outage
 *   (pipeline-failure.ts), and an outage that lasts ends as any failure that lasts;
 * - anything else: back to the queue after a backoff, spending one delivery attempt.
 * Once the quorum queue's x-delivery-count reaches `retry.attempts`, it is a poison message:
 * quarantined with 2100, recorded, and the sender told with a 2100 nack when it is known.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { buildNack, ownAddressOf } from '../07-delivery/router-acks.js';
import { quarantine } from '../07-delivery/outbound.js';
import { trustedGateway } from './gateway-trust.js';
import { replayTrustedUser, trustedReplay } from './replay-trust.js';
import { NO_TRACING } from './tracing-port.js';
import { endpointForIdentity } from '../05-routing/index.js';
import type { RouterResponse } from '../08-store/message-store.js';
import type { InboundMessage } from '../02-transport/inbound-message.js';
import type { Settlement } from '../02-transport/consumer-options.js';
import { DISPOSITIONS } from './dispositions.js';
import { InPlaceRetries } from './in-place-retries.js';
import { metricService } from './metric-service.js';
import { KeyedLock } from './keyed-lock.js';
import { PipelineFailure } from './pipeline-failure.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { processMessage } from './process-message.js';
import { publishResponse, responseOf } from './router-answers.js';

export type { PipelineDeps, PipelineMetrics } from './pipeline-deps.js';

const deliveryCount = (msg: InboundMessage): number => {
  const n = msg.properties.headers['x-delivery-count'];
  return typeof n === 'number' ? n : 0;
};

/**
 * How many times one delivery of a message is tried in place during an outage before it goes
 * back to the queue, spending one delivery attempt: `retry.attempts` × 2 (with the default
 * backoff, 0.5 s doubling to 30 s, about two and a half minutes). An outage longer than
 * `retry.attempts` such rounds quarantines the message with 2100, as any failure that lasts.
 */
export const inPlaceTries = (attempts: number): number => attempts * 2;

export function createMessageHandler(
  deps: PipelineDeps,
): (msg: InboundMessage) => Promise<Settlement> {
  const now = deps.now ?? (() => new Date());
  const lock = new KeyedLock();
  const inPlace = deps.inPlace ?? new InPlaceRetries();
  const backoff = (n: number) =>
    Math.min(deps.retry.maxDelayMs, deps.retry.initialDelayMs * 2 ** (n - 1));
  const label = (service: string) => metricService(service, deps.routes().table);
  const maxTries = inPlaceTries(deps.retry.attempts);
  const tracing = deps.tracing ?? NO_TRACING;
  const handle = async (msg: InboundMessage): Promise<Settlement> => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const key = {};
    try {
      for (let tries = 1; ; tries++) {
        try {
          const { kind, service, codes } = await processMessage(deps, msg, now(), lock);
          deps.metrics?.observe(kind, label(service), seconds(), codes);
          return DISPOSITIONS[kind].settle;
        } catch (err) {
          const failure = PipelineFailure.of(err);
          const log = deps.log.child({
            trackingId: failure.context.trackingId ?? null,
            sender: failure.context.senderEndpointId ?? msg.properties.userId ?? null,
          });
          const service = label(failure.context.envelope?.service ?? 'unknown');
          if (failure.outage && !deps.signal?.aborted && tries < maxTries) {
            inPlace.failing(key, failure.message);
            deps.metrics?.retryingInPlace?.(inPlace.count);
            deps.metrics?.retriedInPlace?.();
            tracing.annotate({ 'itk.retries_in_place': tries });
            // Visible: an error line from the second try on (a blip is a warning), /readyz not
            // ready and itk_outage_* while any message is retried in place.
            log[tries > 1 ? 'error' : 'warn']('store or broker unavailable, retrying in place', {
              try: tries,
              of: maxTries,
              error: failure.message,
            });
            await sleep(backoff(tries));
            continue;
          }
          inPlace.done(key);
          deps.metrics?.retryingInPlace?.(inPlace.count);
          const attempt = deliveryCount(msg) + 1;
          const text = `processing failed (attempt ${attempt} of ${deps.retry.attempts}): ${failure.message}`;
          log.warn('message processing failed', {
            attempt,
            error: failure.message,
            ...(failure.outage ? { outage: `still failing after ${tries} tries in place` } : {}),
          });
          tracing.fail(failure.message);
          // Stopping: back to the queue for the next start, without spending an attempt's wait.
          if (attempt < deps.retry.attempts || (failure.outage && deps.signal?.aborted)) {
            tracing.annotate({ 'itk.outcome': 'retry', 'itk.error_code': '2100' });
            if (!deps.signal?.aborted) await sleep(backoff(attempt));
            deps.metrics?.observe('retry', service, seconds(), ['2100']);
            return DISPOSITIONS.retry.settle;
          }
          tracing.annotate({ 'itk.outcome': 'poison', 'itk.error_code': '2100' });
          await quarantinePoison(deps, msg, failure, text, now());
          log.error('message quarantined after repeated failures', {
            attempt,
            error: failure.message,
          });
          deps.metrics?.observe('poison', service, seconds(), ['2100']);
          return DISPOSITIONS.poison.settle;
        }
      }
    } finally {
      inPlace.done(key);
      deps.metrics?.retryingInPlace?.(inPlace.count);
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
  const disposition = DISPOSITIONS.poison;
  const replay = trustedReplay(msg, {
    inboundExchange: deps.names.inboundExchange,
    brokerUser: replayTrustedUser(deps.brokerUser, deps.routes().table),
  });
  const user = replay ? replay.user : msg.properties.userId;
  const sender =
    failure.context.senderEndpointId ??
    replay?.gatewayEndpoint ??
    trustedGateway(msg, { brokerUser: replayTrustedUser(deps.brokerUser, deps.routes().table) })
      ?.endpointId ??
    (user ? endpointForIdentity(deps.routes().table, user)?.id : undefined) ??
    user;
  if (disposition.quarantine)
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
  if (disposition.nack && endpoint && envelope) {
    const nack = buildNack({
      original: envelope,
      fallbackTo: ownAddressOf(endpoint),
      errors: [{ code: '2100', diagnostic: text }],
      outcome: 'poison',
      router: deps.router,
      at,
    });
    const response = responseOf('inf-nack', endpoint.id, nack);
    await publishResponse(deps, response).then(
      () => responses.push(response),
      () => undefined,
    );
  }
  if (messageId) {
    await deps.store
      .complete(messageId, { state: disposition.state, at, responses, code: '2100', detail: text })
      .catch((err: Error) =>
        deps.log.warn('could not record the quarantine', {
          trackingId: trackingId ?? null,
          error: err.message,
        }),
      );
  }
}
