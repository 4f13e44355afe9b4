/**
 * The pipeline: the only place that knows the order of the steps.
 * validate → identity → route (decide.ts, pure) → duplicate check → care-plan rules →
 * correlate acks → deliver with confirms → the router's answers → quarantine → record.
 */
import { createHash } from 'node:crypto';
import { applyCarePlanRules } from '../06-careplans/careplan-step.js';
import { quarantine } from '../07-delivery/outbound.js';
import { NO_TRACING } from './tracing-port.js';
import type { InboundMessage } from '../02-transport/inbound-message.js';
import { correlate } from './correlate.js';
import type { RouteTable } from '../05-routing/index.js';
import { StoreError } from '../08-store/store-error.js';
import type { ValidationResult } from '../04-validation/validator.js';
import { decide, type Decision } from './decide.js';
import { deliver } from './deliver.js';
import { DISPOSITIONS, type OutcomeKind } from './dispositions.js';
import { expectedAcks } from './expected-acks.js';
import type { KeyedLock } from './keyed-lock.js';
import { PipelineFailure, type FailureContext } from './pipeline-failure.js';
import { beginRecord, recordRefusedReplay } from './replay-record.js';
import { trustedGateway } from './gateway-trust.js';
import { replayTrustedUser, trustedReplay, type TrustedReplay } from './replay-trust.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { answer, answersOf, resendEarlierAnswers } from './router-answers.js';

export async function processMessage(
  deps: PipelineDeps,
  msg: InboundMessage,
  at: Date,
  lock: KeyedLock,
): Promise<{ kind: OutcomeKind; service: string; codes: string[] }> {
  const { table, validator } = deps.routes(); // one snapshot for the whole message
  const t = deps.tracing ?? NO_TRACING;
  const v = t.stage('validate', () => validator.validate(msg.body));
  // A quarantine replay the router published itself names the original sender's broker user, or
  // the end point the web-service gateway proved for it.
  const replay = trustedReplay(msg, {
    inboundExchange: deps.names.inboundExchange,
    brokerUser: replayTrustedUser(deps.brokerUser, table),
  });
  // A call the router's web-service gateway published names the end point its certificate proved.
  const gateway = replay
    ? replay.gatewayEndpoint !== undefined
      ? { endpointId: replay.gatewayEndpoint }
      : undefined
    : trustedGateway(msg, { brokerUser: replayTrustedUser(deps.brokerUser, table) });
  const decided = t.stage('route', () =>
    decide(v, replay?.user ?? (gateway ? undefined : msg.properties.userId), table, gateway),
  );
  const trackingId =
    decided.envelope?.trackingId ||
    `unreadable-${createHash('sha256').update(msg.body).digest('hex').slice(0, 32)}`;
  t.annotate({
    'itk.tracking_id': trackingId,
    'itk.service': decided.envelope?.service,
    'itk.sender': decided.sender?.id ?? msg.properties.userId,
  });
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
        {
          table,
          v,
          d: decided,
          trackingId,
          replay,
          viaGateway: gateway !== undefined,
          ...(gateway && 'messageId' in gateway && gateway.messageId
            ? { soapMessageId: gateway.messageId }
            : {}),
        },
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
  m: {
    table: RouteTable;
    v: ValidationResult;
    d: Decision;
    trackingId: string;
    replay: TrustedReplay | undefined;
    /** Came through the web-service gateway: no broker user of the sender's own. */
    viaGateway: boolean;
    /** The call's wsa:MessageID, for the log line that ties the call to its outcome. */
    soapMessageId?: string;
  },
  begunAs: (messageId: string) => void,
): Promise<{ kind: OutcomeKind; service: string; codes: string[] }> {
  const { table, v, trackingId } = m;
  let d = m.d;
  const log = deps.log.child({ trackingId, sender: d.sender?.id ?? msg.properties.userId ?? null });
  const service = d.envelope?.service ?? 'unknown';
  const t = deps.tracing ?? NO_TRACING;

  const brokerUser = m.replay?.user ?? (m.viaGateway ? undefined : msg.properties.userId);
  const begun = await t.stage('record', () =>
    beginRecord(deps.store, m.replay, {
      trackingId,
      senderEndpointId: d.sender?.id ?? null,
      service,
      receivedAt: at,
      bytes: msg.body,
      ...(brokerUser ? { brokerUser } : {}),
      ...(d.interaction ? { interaction: d.interaction } : {}),
      ...(d.envelope?.senderAddress ? { senderAddress: d.envelope.senderAddress.uri } : {}),
    }),
  );
  if (begun.kind === 'existing' && begun.record.completedAt) {
    if (m.replay) await recordRefusedReplay(deps.store, begun.record, m.replay, at);
    else await t.stage('answer', () => resendEarlierAnswers(deps, begun.record.id, d, at));
    t.annotate({ 'itk.outcome': 'duplicate' });
    log.info('duplicate tracking id: earlier answers sent again, not delivered again', {
      outcome: 'duplicate',
    });
    return { kind: 'duplicate', service, codes: ['DUPLICATE'] };
  }
  if (begun.kind === 'existing' && begun.heldBy) {
    // Another router instance is processing a copy right now: not a crash redelivery. Retried in
    // place (an outage to this message) until it is a duplicate, or the claim runs out.
    const { instanceId, until } = begun.heldBy;
    throw new StoreError(
      'in-progress',
      `being processed by router instance ${instanceId} (claimed until ${until.toISOString()})`,
    );
  }
  const id = begun.kind === 'new' ? begun.id : begun.record.id;
  begunAs(id);
  // Taken over after a crash: what an earlier attempt already delivered, or answered, is not
  // judged again (the care-plan step); its recorded answers are what a new answer replaces.
  const taken = begun.kind === 'existing';
  const earlierAnswers = taken ? answersOf(await deps.store.responsesFor(id)) : [];

  const { envelope, sender } = d;
  if (
    v.carePlan &&
    envelope &&
    sender &&
    (d.kind === 'delivered' || d.kind === 'partly-delivered')
  ) {
    const plan = v.carePlan;
    const routed = {
      kind: d.kind,
      envelope,
      sender,
      deliveries: d.deliveries,
      toLocator: d.toLocator,
      earlierDeliveries: taken ? await deps.store.confirmedDeliveries(id) : [],
      earlierAnswers,
    };
    const ctx = { index: deps.store.carePlans, table, router: deps.router, at };
    const {
      earlierDeliveries: _d,
      earlierAnswers: _a,
      ...r
    } = await t.stage('careplan', () => applyCarePlanRules(routed, plan, ctx));
    d = { ...d, ...r };
  }
  if (d.kind === 'delivered' || d.kind === 'partly-delivered')
    await t.stage('correlate', () => correlate(deps, v, d, at, id));
  const delivered = await t.stage('deliver', () => deliver(deps, id, msg.body, d, at));
  const responses = await t.stage('answer', () =>
    answer(
      deps,
      table,
      d,
      delivered,
      at,
      id,
      earlierAnswers.map((a) => a.trackingId),
    ),
  );
  const disposition = DISPOSITIONS[d.kind];
  if (disposition.quarantine) {
    await t.stage('quarantine', () =>
      quarantine(deps.publisher, deps.names, msg.body, {
        code: d.reason?.code ?? '2200',
        text: d.reason?.text ?? d.kind,
        ...(d.sender ? { sender: d.sender.id } : {}),
        ...(d.envelope ? { trackingId: d.envelope.trackingId } : {}),
      }),
    );
  }
  if (disposition.state !== 'none') {
    const state = disposition.state;
    await t.stage('complete', () =>
      deps.store.complete(id, {
        state,
        at,
        responses,
        ...(d.reason ? { code: d.reason.code, detail: d.reason.text } : {}),
        ...(!d.reason && d.errors[0]
          ? {
              code: d.errors[0].code,
              detail: d.errors.map((e) => e.diagnostic).join('; '),
            }
          : {}),
        ...(disposition.state === 'delivered'
          ? { expectedAcks: expectedAcks(d.envelope, delivered, table, deps.acks, at) }
          : {}),
      }),
    );
  }
  const codes = d.errors.map((e) => e.code);
  t.annotate({ 'itk.outcome': d.kind, 'itk.error_code': d.reason?.code ?? codes[0] });
  // Quarantined bytes need someone to look at them: a warning, not routine news.
  log[disposition.quarantine ? 'warn' : 'info']('message processed', {
    outcome: d.kind,
    service,
    deliveredTo: delivered,
    errorCodes: codes,
    ...(m.soapMessageId ? { soapMessageId: m.soapMessageId } : {}),
  });
  return { kind: d.kind, service, codes };
}
