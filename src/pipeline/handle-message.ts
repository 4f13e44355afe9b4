/**
 * The pipeline: the only place that knows the order of the steps.
 * validate → identity → route (decide.ts, pure) → duplicate check → deliver with confirms →
 * acks and quarantine → record → settle the inbound delivery (DISPOSITIONS).
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  buildNack,
  buildRouterInfAck,
  isBusinessAck,
  isInfAck,
  type RouterIdentity,
} from '../acks/router-acks.js';
import { deliverTo, quarantine, type Publisher } from '../delivery/outbound.js';
import { SERVICE, SPEC_KEY } from '../envelope/itk-names.js';
import type { Logger } from '../ops/logger.js';
import type { RouteTable } from '../routing/index.js';
import type { MessageStore, RouterResponse } from '../store/message-store.js';
import type { InboundMessage } from '../transport/inbound-message.js';
import type { TopologyNames } from '../transport/names.js';
import type { Validator } from '../validation/create-validator.js';
import type { ValidationResult } from '../validation/validator.js';
import { applyCarePlanRules } from '../careplans/careplan-step.js';
import { decide, type Decision } from './decide.js';
import { DISPOSITIONS, type OutcomeKind } from './dispositions.js';

export interface PipelineMetrics {
  observe(
    outcome: OutcomeKind,
    service: string,
    seconds: number,
    errorCodes: readonly string[],
  ): void;
}

export interface PipelineDeps {
  readonly validator: Validator;
  readonly store: MessageStore;
  /** The current route table (swapped atomically on reload). */
  readonly routeTable: () => RouteTable;
  readonly publisher: Publisher;
  readonly names: TopologyNames;
  readonly router: RouterIdentity;
  readonly retry: {
    readonly attempts: number;
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
  };
  readonly log: Logger;
  readonly metrics?: PipelineMetrics;
  readonly now?: () => Date;
}

const deliveryCount = (msg: InboundMessage): number => {
  const n = msg.properties.headers['x-delivery-count'];
  return typeof n === 'number' ? n : 0;
};

const isTrue = (v: string | undefined) => v?.trim().toLowerCase() === 'true';

export function createMessageHandler(
  deps: PipelineDeps,
): (msg: InboundMessage) => Promise<'ack' | 'reject'> {
  const now = deps.now ?? (() => new Date());
  return async (msg) => {
    const started = performance.now();
    try {
      const { kind, service, codes } = await processMessage(deps, msg, now());
      deps.metrics?.observe(kind, service, (performance.now() - started) / 1000, codes);
      return DISPOSITIONS[kind].settle === 'ack' ? 'ack' : 'reject';
    } catch (err) {
      const attempt = deliveryCount(msg) + 1;
      const text = `processing failed (attempt ${attempt} of ${deps.retry.attempts}): ${(err as Error).message}`;
      deps.log.warn('message processing failed', {
        attempt,
        error: (err as Error).message,
        messageId: msg.properties.messageId,
      });
      if (attempt < deps.retry.attempts) {
        await sleep(
          Math.min(deps.retry.maxDelayMs, deps.retry.initialDelayMs * 2 ** (attempt - 1)),
        );
        deps.metrics?.observe('retry', 'unknown', (performance.now() - started) / 1000, ['2100']);
        return 'reject';
      }
      await quarantine(deps.publisher, deps.names, msg.body, {
        code: '2100',
        text,
        ...(msg.properties.userId ? { sender: msg.properties.userId } : {}),
      });
      deps.log.error('message quarantined after repeated failures', {
        attempt,
        error: (err as Error).message,
      });
      deps.metrics?.observe('poison', 'unknown', (performance.now() - started) / 1000, ['2100']);
      return 'ack';
    }
  };
}

async function processMessage(deps: PipelineDeps, msg: InboundMessage, at: Date) {
  const v = deps.validator.validate(msg.body);
  const table = deps.routeTable();
  let d = decide(v, msg.properties.userId, table);
  const trackingId =
    d.envelope?.trackingId ||
    `unreadable-${createHash('sha256').update(msg.body).digest('hex').slice(0, 32)}`;
  const log = deps.log.child({ trackingId, sender: d.sender?.id ?? msg.properties.userId ?? null });
  const service = d.envelope?.service ?? 'unknown';
  const codes = d.errors.map((e) => e.code);

  const begun = await deps.store.begin({
    trackingId,
    senderEndpointId: d.sender?.id ?? null,
    service,
    receivedAt: at,
    bytes: msg.body,
    ...(msg.properties.userId ? { brokerUser: msg.properties.userId } : {}),
    ...(d.interaction ? { interaction: d.interaction } : {}),
    ...(d.envelope?.senderAddress ? { senderAddress: d.envelope.senderAddress.uri } : {}),
  });
  if (begun.kind === 'existing' && begun.record.completedAt) {
    await resendEarlierAnswers(deps, begun.record.id, d, at);
    log.info('duplicate tracking id: earlier answers sent again, not delivered again', {
      outcome: 'duplicate',
    });
    return { kind: 'duplicate' as const, service, codes: ['DUPLICATE'] };
  }
  const id = begun.kind === 'new' ? begun.id : begun.record.id;

  if (v.carePlan) {
    d = await applyCarePlanRules(d, v.carePlan, {
      index: deps.store.carePlans,
      table,
      router: deps.router,
      at,
    });
  }
  if (d.kind === 'delivered' || d.kind === 'partly-delivered') await correlate(deps, v, d, at);
  const delivered = await deliver(deps, id, msg.body, d, at);
  const responses = await answer(deps, d, delivered, at);
  const disposition = DISPOSITIONS[d.kind];
  if (disposition.quarantine) {
    await quarantine(deps.publisher, deps.names, msg.body, {
      code: d.reason?.code ?? '2200',
      text: d.reason?.text ?? d.kind,
      ...(d.sender ? { sender: d.sender.id } : {}),
      ...(d.envelope ? { trackingId: d.envelope.trackingId } : {}),
    });
  }
  if (disposition.state !== 'none') {
    await deps.store.complete(id, {
      state: disposition.state,
      at,
      responses,
      ...(d.reason ? { code: d.reason.code, detail: d.reason.text } : {}),
      ...(!d.reason && d.errors[0]
        ? { code: d.errors[0].code, detail: d.errors.map((e) => e.diagnostic).join('; ') }
        : {}),
    });
  }
  log.info('message processed', {
    outcome: d.kind,
    service,
    deliveredTo: delivered,
    errorCodes: codes,
  });
  return { kind: d.kind, service, codes };
}

/** Deliver to every recipient not already confirmed (a redelivery after a crash skips those). */
async function deliver(
  deps: PipelineDeps,
  id: string,
  body: Buffer,
  d: Decision,
  at: Date,
): Promise<string[]> {
  if (d.deliveries.length === 0 || !d.envelope || !d.sender) return [];
  const confirmed = new Set(await deps.store.confirmedDeliveries(id));
  const pending = d.deliveries.filter((x) => !confirmed.has(x.endpointId));
  const facts = {
    trackingId: d.envelope.trackingId,
    service: d.envelope.service,
    senderEndpointId: d.sender.id,
    ...(d.interaction ? { interaction: d.interaction } : {}),
  };
  await Promise.all(
    pending.map((x) =>
      deliverTo(deps.publisher, deps.names, x.endpointId, body, {
        ...facts,
        recipient: x.recipient,
      }),
    ),
  );
  for (const x of pending) {
    await deps.store.addEvent(id, {
      state: 'delivered',
      at,
      endpointId: x.endpointId,
      detail: `to ${x.recipient}`,
    });
  }
  return d.deliveries.map((x) => x.endpointId);
}

/** The router's own answers: a nack, and inf acks on behalf of `acks: router` end points. */
async function answer(
  deps: PipelineDeps,
  d: Decision,
  delivered: readonly string[],
  at: Date,
): Promise<RouterResponse[]> {
  if (!d.sender) return [];
  const responses: RouterResponse[] = [];
  const fallbackTo = d.sender.addresses[0];
  if (DISPOSITIONS[d.kind].nack && d.errors.length > 0 && !isInfAck(d.envelope)) {
    const nack = buildNack({
      ...(d.envelope ? { original: d.envelope } : {}),
      fallbackTo,
      errors: d.errors,
      router: deps.router,
      at,
    });
    responses.push({
      kind: 'inf-nack',
      trackingId: nack.trackingId,
      toEndpointId: d.sender.id,
      xml: nack.xml,
    });
  }
  const e = d.envelope;
  if (
    e &&
    isTrue(e.handlingSpecs.find((s) => s.key === SPEC_KEY.infAckRequested)?.value) &&
    !isInfAck(e) &&
    !isBusinessAck(e)
  ) {
    const table = deps.routeTable();
    for (const endpointId of delivered) {
      if (table.endpoints.get(endpointId)?.acks !== 'router') continue;
      const ack = buildRouterInfAck(e, deps.router, at, fallbackTo);
      responses.push({
        kind: 'inf-ack',
        trackingId: ack.trackingId,
        toEndpointId: d.sender.id,
        xml: ack.xml,
      });
    }
  }
  for (const a of d.answers ?? []) {
    responses.push({
      kind: 'response',
      trackingId: a.trackingId,
      toEndpointId: d.sender.id,
      xml: a.xml,
    });
  }
  await Promise.all(responses.map((r) => publishResponse(deps, r)));
  return responses;
}

/** The address a DE the router built is sent to (its first addresslist entry), and its service. */
const addresseeOf = (xml: string): string | undefined =>
  /<itk:address uri="([^"]*)"/.exec(xml)?.[1];
const serviceOf = (xml: string): string =>
  /<itk:header service="([^"]*)"/.exec(xml)?.[1] ?? SERVICE.infAck;

function publishResponse(deps: PipelineDeps, r: RouterResponse) {
  return deliverTo(deps.publisher, deps.names, r.toEndpointId, Buffer.from(r.xml, 'utf8'), {
    trackingId: r.trackingId,
    service: serviceOf(r.xml),
    senderEndpointId: 'router',
    recipient: addresseeOf(r.xml) ?? r.toEndpointId,
  });
}

async function resendEarlierAnswers(
  deps: PipelineDeps,
  id: string,
  d: Decision,
  at: Date,
): Promise<void> {
  const responses = await deps.store.responsesFor(id);
  await Promise.all(responses.map((r) => publishResponse(deps, r)));
  await deps.store.addEvent(id, {
    state: 'duplicate',
    at,
    detail: `sent again: ${responses.length} earlier answer(s)`,
    ...(d.sender ? { endpointId: d.sender.id } : {}),
  });
}

/** Acks, business acks and care-plan responses name their original: move its state on. */
async function correlate(
  deps: PipelineDeps,
  v: ValidationResult,
  d: Decision,
  at: Date,
): Promise<void> {
  const by = d.sender!.id;
  const ackTrackingId = d.envelope!.trackingId;
  const originalSender = d.deliveries[0]?.endpointId;
  const base = { by, ackTrackingId, at, ...(originalSender ? { originalSender } : {}) };
  if (v.ack) {
    const ack = v.ack;
    const ref = ack.kind === 'inf' ? ack.trackingIdRef : ack.originalTrackingId;
    const state =
      ack.kind === 'bus' ? 'bus-acked' : ack.result === 'Failure' ? 'nacked' : 'inf-acked';
    const code = ack.kind === 'bus' ? ack.typeCode : ack.codes[0];
    await deps.store.correlate(ref, { ...base, state, ...(code ? { code } : {}) });
  } else if (v.carePlan?.inResponseTo) {
    await deps.store.correlate(v.carePlan.inResponseTo, {
      ...base,
      state: 'answered',
      ...(v.carePlan.outcome ? { code: v.carePlan.outcome } : {}),
    });
  }
}
