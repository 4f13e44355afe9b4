/**
 * The pipeline: the only place that knows the order of the steps.
 * validate → identity → route (decide.ts, pure) → duplicate check → care-plan rules →
 * correlate acks → deliver with confirms → the router's answers → quarantine → record.
 */
import { createHash } from 'node:crypto';
import { applyCarePlanRules } from '../careplans/careplan-step.js';
import { quarantine } from '../delivery/outbound.js';
import type { InboundMessage } from '../transport/inbound-message.js';
import { correlate } from './correlate.js';
import type { RouteTable } from '../routing/index.js';
import type { ValidationResult } from '../validation/validator.js';
import { decide, type Decision } from './decide.js';
import { deliver } from './deliver.js';
import { DISPOSITIONS, type OutcomeKind } from './dispositions.js';
import type { KeyedLock } from './keyed-lock.js';
import { PipelineFailure, type FailureContext } from './pipeline-failure.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { answer, resendEarlierAnswers } from './router-answers.js';

export async function processMessage(
  deps: PipelineDeps,
  msg: InboundMessage,
  at: Date,
  lock: KeyedLock,
): Promise<{ kind: OutcomeKind; service: string; codes: string[] }> {
  const { table, validator } = deps.routes(); // one snapshot for the whole message
  const v = validator.validate(msg.body);
  const decided = decide(v, msg.properties.userId, table);
  const trackingId =
    decided.envelope?.trackingId ||
    `unreadable-${createHash('sha256').update(msg.body).digest('hex').slice(0, 32)}`;
  // Two copies of one (sender, tracking id) in flight at once: the second waits for the first.
  const context: { -readonly [K in keyof FailureContext]: FailureContext[K] } = {
    trackingId,
    ...(decided.sender ? { senderEndpointId: decided.sender.id } : {}),
    ...(decided.envelope ? { envelope: decided.envelope } : {}),
  };
  try {
    return await lock.run(`${decided.sender?.id ?? ''} ${trackingId}`, () =>
      recordAndAct(
        deps,
        msg,
        at,
        { table, v, d: decided, trackingId },
        (id) => (context.messageId = id),
      ),
    );
  } catch (err) {
    throw new PipelineFailure(err, context);
  }
}

async function recordAndAct(
  deps: PipelineDeps,
  msg: InboundMessage,
  at: Date,
  m: { table: RouteTable; v: ValidationResult; d: Decision; trackingId: string },
  begunAs: (messageId: string) => void,
): Promise<{ kind: OutcomeKind; service: string; codes: string[] }> {
  const { table, v, trackingId } = m;
  let d = m.d;
  const log = deps.log.child({ trackingId, sender: d.sender?.id ?? msg.properties.userId ?? null });
  const service = d.envelope?.service ?? 'unknown';

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
    return { kind: 'duplicate', service, codes: ['DUPLICATE'] };
  }
  const id = begun.kind === 'new' ? begun.id : begun.record.id;
  begunAs(id);

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
  const responses = await answer(deps, table, d, delivered, at);
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
  const codes = d.errors.map((e) => e.code);
  log.info('message processed', {
    outcome: d.kind,
    service,
    deliveredTo: delivered,
    errorCodes: codes,
  });
  return { kind: d.kind, service, codes };
}
