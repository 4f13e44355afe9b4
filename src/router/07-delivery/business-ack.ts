/**
 * Business acknowledgements (docs/contract.md, ITK facts: Acknowledgements in ITK): hl7:BusinessResponseMessage, built to the official
 * MCCI_MT020000GB02 schema (UECIT/cdss-tkw TKW/contrib/DMS_Schema/BusinessAcknowledgement, copied
 * in schemas/official/business-ack/), in a DE with service SendBusinessAck-v1-0, profile
 * ITKBusinessAcknowledgement-v2-0 and interaction ITKBusinessAcknowledgement-v1-0, the values
 * TKW's ITK 2.2 rules expect (TKW-x contrib/Common/ITKService/ITKServiceAcknowledgements.conf
 * lines 190-196). Built by end points (the simulator, the demo); routers forward other systems'
 * business acks untouched.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { Envelope, ItkAddress } from '../03-envelope/envelope.js';
import { buildSimpleMessage, newItkId } from '../03-envelope/build-envelope.js';
import { HL7_NS, INTERACTION, OID, PROFILE, SERVICE, SPEC_KEY } from '../03-envelope/itk-names.js';

export interface BusinessAckRequest {
  readonly original: {
    readonly trackingId: string;
    readonly payloadId: string;
    /** The acknowledged message's interaction, named in interactionId (TKW's example does so). */
    readonly interaction?: string;
  };
  readonly typeCode: 'AA' | 'AE' | 'AR';
  readonly to: ItkAddress;
  readonly from: { readonly address: string; readonly identity: string; readonly name?: string };
  /** Why, for AE / AR: the acknowledgementDetail's text (its code is `code`, default the typeCode). */
  readonly text?: string;
  /** The acknowledgementDetail code (code system 2.16.840.1.113883.2.1.3.2.4.17.433). */
  readonly code?: string;
  readonly at?: Date;
  readonly trackingId?: string;
}

const hl7Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
const UUID = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/;
/** HL7 OIDs of NHS identifier kinds (the TKW business ack example uses the same). */
const II = {
  interaction: '2.16.840.1.113883.2.1.3.2.4.12',
  device: '2.16.840.1.113883.2.1.3.2.4.18.24',
  organisation: '2.16.840.1.113883.2.1.3.2.4.19.1',
  template: '2.16.840.1.113883.2.1.3.2.4.18.2',
} as const;

/** The ODS code of an ITK address or identity (its token after `ods:`), else its last token. */
const odsCode = (uri: string) =>
  /:ods:([^:]+)/.exec(uri)?.[1] ?? uri.split(':').filter(Boolean).pop() ?? 'UNKNOWN';

function entity(parent: XMLBuilder, name: string, typeCode: string, address: string) {
  parent
    .ele(HL7_NS, name, { typeCode })
    .ele(HL7_NS, 'entity', { classCode: 'ENT', determinerCode: 'INSTANCE' })
    .ele(HL7_NS, 'id', { root: OID.itkAddress, extension: address });
}

function author(msg: XMLBuilder, req: BusinessAckRequest) {
  const device = msg
    .ele(HL7_NS, 'controlActEvent1', { classCode: 'CACT', moodCode: 'EVN' })
    .ele(HL7_NS, 'author', { typeCode: 'AUT', contextControlCode: 'OP' })
    .ele(HL7_NS, 'COCD_TP145207GB01.AssignedAuthorDevice', { classCode: 'ASSIGNED' });
  device.ele(HL7_NS, 'id', { root: II.device, extension: req.from.address });
  device.ele(HL7_NS, 'templateId', {
    root: II.template,
    extension: 'COCD_TP145207GB01#AssignedAuthorDevice',
  });
  const software = device.ele(HL7_NS, 'assignedAuthoringDevice', {
    classCode: 'DEV',
    determinerCode: 'INSTANCE',
  });
  software.ele(HL7_NS, 'manufacturerModelName').txt('itk-router');
  software.ele(HL7_NS, 'softwareName').txt('itk-router');
  software.ele(HL7_NS, 'templateId', {
    root: II.template,
    extension: 'COCD_TP145207GB01#assignedAuthoringDevice',
  });
  const org = device.ele(HL7_NS, 'representedOrganization', {
    classCode: 'ORG',
    determinerCode: 'INSTANCE',
  });
  org.ele(HL7_NS, 'id', { root: II.organisation, extension: odsCode(req.from.identity) });
  org.ele(HL7_NS, 'name').txt(req.from.name ?? odsCode(req.from.identity));
  org.ele(HL7_NS, 'templateId', {
    root: II.template,
    extension: 'COCD_TP145207GB01#representedOrganization',
  });
}

function detail(parent: XMLBuilder, req: BusinessAckRequest) {
  if (!req.text) return;
  const d = parent.ele(HL7_NS, 'acknowledgementDetail', { typeCode: 'ER' });
  d.ele(HL7_NS, 'code', {
    code: req.code ?? req.typeCode,
    codeSystem: OID.businessAckErrors,
    displayName: req.text,
  });
  d.ele(HL7_NS, 'text').txt(req.text);
}

export function buildBusinessResponse(req: BusinessAckRequest, id: string): string {
  const at = req.at ?? new Date();
  const msg = create().ele(HL7_NS, 'BusinessResponseMessage');
  msg.ele(HL7_NS, 'id', { root: id });
  msg.ele(HL7_NS, 'creationTime', { value: hl7Time(at) });
  msg.ele(HL7_NS, 'interactionId', {
    root: II.interaction,
    extension: req.original.interaction ?? INTERACTION.busAck,
  });
  const ack3 = msg.ele(HL7_NS, 'acknowledgedBy3', { typeCode: req.typeCode });
  ack3.ele(HL7_NS, 'conveyingTransmission').ele(HL7_NS, 'id', {
    root: req.original.trackingId.toUpperCase(),
  });
  detail(ack3, req);
  entity(msg, 'communicationFunction1', 'RCV', req.to.uri);
  entity(msg, 'communicationFunction', 'SND', req.from.address);
  author(msg, req);
  const payloadUuid = UUID.exec(req.original.payloadId)?.[0];
  if (payloadUuid) {
    msg
      .ele(HL7_NS, 'acknowledgedBy2', { typeCode: req.typeCode })
      .ele(HL7_NS, 'conveyingTransmission')
      .ele(HL7_NS, 'id', { root: payloadUuid.toUpperCase() });
  }
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
