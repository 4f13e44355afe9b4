/**
 * Business acknowledgements (docs/contract.md, ITK facts: Acknowledgements in ITK): hl7:BusinessResponseMessage in a DE with service
 * SendBusinessAck-v1-0. Built by end points (the simulator) and by the router where it answers
 * itself; routers forward other systems' business acks untouched.
 */
import { create } from 'xmlbuilder2';
import type { Envelope, ItkAddress } from '../envelope/envelope.js';
import { buildSimpleMessage, newItkId } from '../envelope/build-envelope.js';
import { HL7_NS, INTERACTION, PROFILE, SERVICE, SPEC_KEY } from '../envelope/itk-names.js';

export interface BusinessAckRequest {
  readonly original: { readonly trackingId: string; readonly payloadId: string };
  readonly typeCode: 'AA' | 'AE' | 'AR';
  readonly to: ItkAddress;
  readonly from: { readonly address: string; readonly identity: string };
  /** Why, for AE / AR. */
  readonly text?: string;
  readonly at?: Date;
  readonly trackingId?: string;
}

const hl7Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

export function buildBusinessResponse(req: BusinessAckRequest, id: string): string {
  const at = req.at ?? new Date();
  const msg = create().ele(HL7_NS, 'BusinessResponseMessage');
  msg.ele(HL7_NS, 'id', { root: id });
  msg.ele(HL7_NS, 'creationTime', { value: hl7Time(at) });
  msg.ele(HL7_NS, 'interactionId', {
    root: '2.16.840.1.113883.2.1.3.2.4.12',
    extension: 'BusinessResponseMessage',
  });
  const ack3 = msg.ele(HL7_NS, 'acknowledgedBy3', { typeCode: req.typeCode });
  ack3.ele(HL7_NS, 'conveyingTransmission').ele(HL7_NS, 'id', { root: req.original.trackingId });
  if (req.text) ack3.ele(HL7_NS, 'acknowledgementDetail').ele(HL7_NS, 'text').txt(req.text);
  const ack2 = msg.ele(HL7_NS, 'acknowledgedBy2', { typeCode: req.typeCode });
  ack2
    .ele(HL7_NS, 'conveyingTransmission')
    .ele(HL7_NS, 'id', { root: req.original.payloadId.replace(/^uuid_/, '') });
  return msg.end({ headless: true });
}

export function buildBusinessAck(req: BusinessAckRequest): {
  trackingId: string;
  envelope: Envelope;
  xml: string;
} {
  return buildSimpleMessage({
    service: SERVICE.busAck,
    to: req.to,
    from: req.from,
    profileId: PROFILE.busAck,
    handlingSpecs: [
      { key: SPEC_KEY.infAckRequested, value: 'true' },
      { key: SPEC_KEY.interaction, value: INTERACTION.busAck },
    ],
    ...(req.trackingId ? { trackingId: req.trackingId } : {}),
    payload: buildBusinessResponse(req, newItkId()),
  });
}
