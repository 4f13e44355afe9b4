/**
 * The messages a simulated end point sends, built with the project's own builders (inf acks,
 * business acks, Distribution Envelopes), each with a one-line plain-English summary. Pure.
 */
import { buildBusinessAck } from '../../router/07-delivery/business-ack.js';
import { buildInfAck, type AckError } from '../../router/07-delivery/infrastructure-ack.js';
import { buildEnvelope, buildSimpleMessage } from '../../router/03-envelope/build-envelope.js';
import type { Envelope } from '../../router/03-envelope/envelope.js';
import {
  carePlanProfile,
  carePlanService,
  SERVICE,
  SPEC_KEY,
  type CarePlanMessageName,
} from '../../router/03-envelope/itk-names.js';
import type { ReplyFrom } from './self.js';

export type OutgoingKind = 'inf-ack' | 'inf-nack' | 'business-ack' | CarePlanMessageName;

/** One Distribution Envelope to publish to the router. */
export interface Outgoing {
  readonly kind: OutgoingKind;
  readonly trackingId: string;
  readonly service: string;
  readonly xml: string;
  /** Its address list. */
  readonly to: readonly string[];
  /** The tracking id of the message it answers. */
  readonly inReplyTo: string;
  /** What it is, in plain English: "inf ack (OK)", "business ack AR: version conflict…". */
  readonly summary: string;
}

const senderOf = (original: Envelope): string => original.senderAddress?.uri ?? '';

export function infAck(original: Envelope, from: ReplyFrom, at: Date): Outgoing {
  const to = senderOf(original);
  const { trackingId, xml } = buildInfAck({
    original: { trackingId: original.trackingId, service: original.service },
    to: { uri: to },
    from,
    result: 'OK',
    at,
  });
  return {
    kind: 'inf-ack',
    trackingId,
    service: SERVICE.infAck,
    xml,
    to: [to],
    inReplyTo: original.trackingId,
    summary: 'inf ack (OK)',
  };
}

export function infNack(
  original: Envelope,
  from: ReplyFrom,
  errors: readonly AckError[],
  at: Date,
): Outgoing {
  const to = senderOf(original);
  const { trackingId, xml } = buildInfAck({
    original: { trackingId: original.trackingId, service: original.service },
    to: { uri: to },
    from,
    result: 'Failure',
    errors,
    at,
  });
  const codes = errors.map((e) => e.code).join(', ');
  const why = errors[0]?.diagnostic ? `: ${errors[0].diagnostic}` : '';
  return {
    kind: 'inf-nack',
    trackingId,
    service: SERVICE.infAck,
    xml,
    to: [to],
    inReplyTo: original.trackingId,
    summary: `inf nack (${codes})${why}`,
  };
}

export function businessAck(
  original: Envelope,
  from: ReplyFrom,
  typeCode: 'AA' | 'AE' | 'AR',
  at: Date,
  text?: string,
): Outgoing {
  const to = senderOf(original);
  const { trackingId, xml } = buildBusinessAck({
    original: { trackingId: original.trackingId, payloadId: original.manifest[0]?.id ?? '' },
    typeCode,
    to: { uri: to },
    from,
    at,
    ...(text ? { text } : {}),
  });
  return {
    kind: 'business-ack',
    trackingId,
    service: SERVICE.busAck,
    xml,
    to: [to],
    inReplyTo: original.trackingId,
    summary: `business ack ${typeCode}${text ? `: ${text}` : ''}`,
  };
}

/**
 * A care-plan message (named service, its profile id), asking for an inf ack as an accredited
 * system does, to one or more addresses.
 */
export function carePlanMessage(
  name: CarePlanMessageName,
  payload: string,
  to: readonly string[],
  from: ReplyFrom,
  inReplyTo: string,
  summary: string,
): Outgoing {
  const simple = buildSimpleMessage({
    service: carePlanService(name),
    from,
    profileId: carePlanProfile(name),
    handlingSpecs: [{ key: SPEC_KEY.infAckRequested, value: 'true' }],
    payload,
  });
  const envelope: Envelope = { ...simple.envelope, addresses: to.map((uri) => ({ uri })) };
  return {
    kind: name,
    trackingId: simple.trackingId,
    service: envelope.service,
    xml: buildEnvelope(envelope),
    to: [...to],
    inReplyTo,
    summary,
  };
}
