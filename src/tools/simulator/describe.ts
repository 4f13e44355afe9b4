/** One line per message received and sent, in plain English with the tracking ids. Pure. */
import type { CarePlanFacts } from '../../router/03-envelope/careplan-payload.js';
import type { Outgoing } from './outgoing.js';
import type { Received } from './received.js';

function carePlanWhat(f: CarePlanFacts): string {
  switch (f.message) {
    case 'CarePlanNotification':
      return `a care plan notification (${f.event}: plan ${f.planId} version ${f.plan?.version})`;
    case 'CarePlanRequest':
      return f.planId
        ? `a care plan request for plan ${f.planId}`
        : `a care plan request for ${f.planType ? `the ${f.planType} plan` : 'a plan'} of NHS number ${f.nhsNumber}`;
    case 'CarePlanResponse':
      return `a care plan response (${f.outcome}) to ${f.inResponseTo}`;
    case 'CarePlanUpdate':
      return `a care plan update of plan ${f.planId} on version ${f.baseVersion}`;
    case 'LocateCarePlans':
      return `a locate request for NHS number ${f.nhsNumber}`;
    case 'LocateCarePlansResponse':
      return `a locate response (${f.entries.length} plan(s)) to ${f.inResponseTo}`;
  }
}

function what(msg: Received): string {
  const ack = msg.ack;
  if (msg.kind === 'unreadable') return 'an unreadable message';
  if (ack?.kind === 'inf') {
    return ack.result === 'OK'
      ? `an inf ack (OK) of ${ack.trackingIdRef}`
      : `an inf nack (${ack.codes.join(', ') || ack.result}) of ${ack.trackingIdRef}`;
  }
  if (ack?.kind === 'bus') return `a business ack ${ack.typeCode} of ${ack.originalTrackingId}`;
  if (msg.kind === 'inf-ack') return 'an inf ack';
  if (msg.kind === 'business-ack') return 'a business ack';
  if (msg.carePlan) return carePlanWhat(msg.carePlan);
  return `a ${msg.messageType || 'message'} (${msg.envelope?.service})`;
}

function asks(msg: Received): string {
  const wants = [
    ...(msg.handling.infAckRequested ? ['an inf ack'] : []),
    ...(msg.handling.busAckRequested ? ['a business ack'] : []),
  ];
  return wants.length > 0 ? `; asks for ${wants.join(' and ')}` : '';
}

function problems(msg: Received): string {
  const errors = msg.findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) return '';
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `; INVALID: ${first.code} ${first.rule}: ${first.detail}${more}`;
}

export function describeReceived(msg: Received): string {
  const env = msg.envelope;
  const from = env?.senderAddress ? ` from ${env.senderAddress.uri}` : '';
  const id = env ? ` [tracking id ${env.trackingId}]` : '';
  return `received ${what(msg)}${from}${id}${asks(msg)}${problems(msg)}`;
}

export function describeSent(o: Outgoing): string {
  return `sent ${o.summary} in reply to ${o.inReplyTo}, to ${o.to.join(', ')} [tracking id ${o.trackingId}]`;
}
