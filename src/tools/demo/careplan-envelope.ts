/**
 * A care-plan message as a whole Distribution Envelope, the way the simulated systems send it:
 * the named service, one XML payload with its profile id, the sender's address and identity, and
 * the handling flags an accredited system sets.
 */
import { create } from 'xmlbuilder2';
import { buildEnvelope, newItkId, newPayloadId } from '../../router/03-envelope/build-envelope.js';
import {
  CAREPLAN_NS,
  carePlanProfile,
  carePlanService,
  SPEC_KEY,
  type CarePlanMessageName,
} from '../../router/03-envelope/itk-names.js';
import type { SentNote } from './journal.js';
import type { XmlNode } from './plan-data.js';

/** A message ready to publish, with what the journal keeps of it. */
export interface Outgoing extends Omit<SentNote, 'from'> {
  readonly trackingId: string;
  readonly xml: string;
}

export interface Sender {
  readonly address: string;
  readonly identity: string;
}

export interface Flags {
  readonly infAck: boolean;
  readonly busAck: boolean;
}

export function carePlanMessage(
  name: CarePlanMessageName,
  body: (root: XmlNode) => void,
  from: Sender,
  to: readonly string[],
  flags: Flags,
  note: Omit<SentNote, 'from' | 'to'>,
): Outgoing {
  const root = create().ele(CAREPLAN_NS, name);
  body(root);
  const payloadId = newPayloadId();
  const trackingId = newItkId();
  const xml = buildEnvelope({
    service: carePlanService(name),
    trackingId,
    addresses: to.map((uri) => ({ uri })),
    auditIdentity: [{ uri: from.identity }],
    manifest: [
      {
        id: payloadId,
        mimeType: 'text/xml',
        profileId: carePlanProfile(name),
        base64: false,
        compressed: false,
        encrypted: false,
      },
    ],
    senderAddress: { uri: from.address },
    handlingSpecs: [
      { key: SPEC_KEY.infAckRequested, value: String(flags.infAck) },
      { key: SPEC_KEY.busAckRequested, value: String(flags.busAck) },
    ],
    payloads: [{ id: payloadId, encoding: 'xml', content: root.end({ headless: true }) }],
  });
  return { trackingId, xml, to, ...note };
}
