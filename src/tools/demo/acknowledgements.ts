/** The acknowledgements a simulated system sends back: inf acks and business acks (docs/contract.md, ITK facts: Acknowledgements in ITK). */
import { buildBusinessAck } from '../../router/07-delivery/business-ack.js';
import { buildInfAck } from '../../router/07-delivery/infrastructure-ack.js';
import type { Outgoing, Sender } from './outgoing.js';
import type { Arrival } from './read-arrival.js';

const senderOf = (a: Arrival): string[] =>
  a.envelope.senderAddress ? [a.envelope.senderAddress.uri] : [];

/** "Received and valid": to the original sender, naming its tracking id and service. */
export function infAck(me: Sender, a: Arrival, at: Date): Outgoing {
  const to = senderOf(a);
  const { trackingId, xml } = buildInfAck({
    original: { trackingId: a.envelope.trackingId, service: a.envelope.service },
    ...(to[0] ? { to: { uri: to[0] } } : {}),
    from: me,
    result: 'OK',
    at,
  });
  return { trackingId, xml, to, label: 'inf ack', summary: 'the acknowledgement' };
}

/** The application's verdict: AA accepted, AE error, AR rejected (with why). */
export function businessAck(
  me: Sender,
  a: Arrival,
  typeCode: 'AA' | 'AE' | 'AR',
  at: Date,
  text?: string,
): Outgoing {
  const of = a.kind === 'CarePlanUpdate' ? ` of the update to version ${a.plan?.version}` : '';
  const to = senderOf(a);
  const { trackingId, xml } = buildBusinessAck({
    original: { trackingId: a.envelope.trackingId, payloadId: a.envelope.manifest[0]?.id ?? '' },
    typeCode,
    to: { uri: to[0] ?? '' },
    from: me,
    at,
    ...(text ? { text } : {}),
  });
  const verdict = typeCode === 'AA' ? 'acceptance' : 'rejection';
  return { trackingId, xml, to, label: `bus ack ${typeCode}`, summary: `the ${verdict}${of}` };
}
