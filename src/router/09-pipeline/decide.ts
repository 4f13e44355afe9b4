/**
 * The pure middle of the pipeline: from a validation result, the broker user and the route table
 * to a decision (which outcome, who gets the message, what a nack says). No I/O.
 */
import type { AckError } from '../07-delivery/infrastructure-ack.js';
import { errorsFromFindings, isInfAck, isItkErrorKey } from '../07-delivery/router-acks.js';
import type { Endpoint } from '../01-config/routes-config.js';
import type { Answer } from '../06-careplans/answers.js';
import type { Envelope } from '../03-envelope/envelope.js';
import { effectiveInteraction, SPEC_KEY } from '../03-envelope/itk-names.js';
import {
  endpointClaimsAddress,
  endpointForIdentity,
  resolve,
  type Delivery,
  type RouteTable,
} from '../05-routing/index.js';
import type { ValidationResult } from '../04-validation/validator.js';
import { amqpMisfit } from './amqp-fit.js';
import { gatewayProofRefusal, type GatewayProof } from './gateway-trust.js';
import type { OutcomeKind } from './dispositions.js';

export interface Decision {
  readonly kind: OutcomeKind;
  readonly envelope?: Envelope;
  readonly sender?: Endpoint;
  readonly interaction?: string;
  /** What a nack carries (empty when none is sent). */
  readonly errors: readonly AckError[];
  /** An unreadable message's tracking id, as far as a bounded scan could read it (its nack names it). */
  readonly unreadableTrackingId?: string;
  /** Why the message is quarantined, when it is. */
  readonly reason?: { readonly code: string; readonly text: string };
  readonly deliveries: readonly Delivery[];
  /** The message was addressed to the care-plan locator (the router's own service). */
  readonly toLocator?: boolean;
  /** Answers the router itself sends the sender (care-plan locator responses). */
  readonly answers?: readonly Answer[];
}

export type { GatewayProof };

const specValue = (e: Envelope, key: string) => e.handlingSpecs.find((s) => s.key === key)?.value;

/**
 * The sender is the end point whose identities list `userId`, or, for a call the router's own
 * web-service gateway published (or a quarantine replay of one), the end point it proved, re-checked
 * against the routes in force (gateway-trust.ts `gatewayProofRefusal`: a reload may have removed
 * the certificate since).
 */
export function decide(
  v: ValidationResult,
  userId: string | undefined,
  table: RouteTable,
  gateway?: GatewayProof,
): Decision {
  const envelope = v.envelope;
  const base = {
    errors: [] as AckError[],
    deliveries: [] as Delivery[],
    ...(envelope ? { envelope } : {}),
  };
  const refusal = gateway ? gatewayProofRefusal(gateway, table) : undefined;
  if (refusal) return { ...base, kind: 'unknown-sender', reason: { code: '3000', text: refusal } };
  const sender = gateway
    ? table.endpoints.get(gateway.endpointId)
    : userId
      ? endpointForIdentity(table, userId)
      : undefined;
  if (!sender) {
    const text = userId
      ? `broker user ${userId} is not an identity of any end point`
      : 'the message has no user_id';
    return { ...base, kind: 'unknown-sender', reason: { code: '3000', text } };
  }
  const withSender = { ...base, sender };
  if (!envelope) {
    const errors = errorsFromFindings(v.findings);
    return {
      ...withSender,
      kind: 'unreadable',
      errors,
      ...(v.unreadableTrackingId ? { unreadableTrackingId: v.unreadableTrackingId } : {}),
      reason: { code: errors[0]?.code ?? '1000', text: errors[0]?.diagnostic ?? 'unreadable' },
    };
  }
  const interaction = specValue(envelope, SPEC_KEY.interaction);
  const withEnvelope = { ...withSender, ...(interaction ? { interaction } : {}) };
  const ackFailed = (text: string, code = '1000'): Decision => ({
    ...withEnvelope,
    kind: 'failed-acknowledgement',
    reason: { code, text },
  });

  const claimed = envelope.senderAddress?.uri;
  if (claimed && !endpointClaimsAddress(table, sender.id, claimed)) {
    const text = `end point ${sender.id} may not send as ${claimed}`;
    return {
      ...withEnvelope,
      kind: 'forbidden-sender',
      errors: [{ code: '3000', diagnostic: text }],
      reason: { code: '3000', text },
    };
  }
  if (!v.valid) {
    const errors = errorsFromFindings(v.findings);
    if (isInfAck(envelope)) {
      return ackFailed(errors.map((e) => e.diagnostic).join('; '), errors[0]?.code);
    }
    return { ...withEnvelope, kind: 'invalid', errors };
  }
  // Every value copied into AMQP properties or headers must fit, or nothing is delivered.
  const misfit = amqpMisfit(envelope, interaction);
  if (misfit) {
    if (isInfAck(envelope)) return ackFailed(misfit);
    return { ...withEnvelope, kind: 'invalid', errors: [{ code: '1000', diagnostic: misfit }] };
  }
  const routedAs = effectiveInteraction(envelope.service, interaction);
  const resolution = resolve(table, {
    service: envelope.service,
    from: sender.id,
    addresses: envelope.addresses.map((a) => a.uri),
    ...(routedAs ? { interaction: routedAs } : {}),
    ...(v.carePlan?.planType ? { planType: v.carePlan.planType } : {}),
  });
  if (resolution.rejectedBy) {
    const { code, text, route } = resolution.rejectedBy;
    const errors: AckError[] = [
      { code: isItkErrorKey(code) ? code : '2200', diagnostic: `${text} (route ${route})` },
    ];
    if (isInfAck(envelope)) return ackFailed(errors[0]!.diagnostic!);
    return { ...withEnvelope, kind: 'rejected', errors };
  }
  // The locator is the router's own care-plan service: only care-plan messages may go there.
  const toLocator = resolution.toLocator && v.carePlan !== undefined;
  const ownAddresses = new Set([table.routerAddress, ...(toLocator ? [] : [table.locatorAddress])]);
  const unresolved = [
    ...resolution.unresolved,
    ...envelope.addresses.map((a) => a.uri).filter((uri) => ownAddresses.has(uri)),
  ];
  const errors: AckError[] = unresolved.map((uri) => ({
    code: 'DE0003',
    diagnostic: `No end point is registered for ${uri}`,
  }));
  if (resolution.deliveries.length === 0 && !toLocator) {
    if (isInfAck(envelope))
      return ackFailed(errors.map((e) => e.diagnostic).join('; ') || 'no recipients');
    const none: AckError[] =
      errors.length > 0
        ? errors
        : [{ code: 'DE0003', diagnostic: 'the message has no recipients' }];
    return { ...withEnvelope, kind: 'unroutable', errors: none };
  }
  const kind = errors.length > 0 && !isInfAck(envelope) ? 'partly-delivered' : 'delivered';
  return {
    ...withEnvelope,
    kind,
    errors: kind === 'delivered' ? [] : errors,
    deliveries: resolution.deliveries,
    toLocator,
  };
}
