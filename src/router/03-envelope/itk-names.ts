/** Names fixed by ITK 2.x (docs/contract.md, ITK facts this contract relies on) and by the itk-router product contract. */

export const ITK_NS = 'urn:nhs-itk:ns:201005';
export const HL7_NS = 'urn:hl7-org:v3';
export const XENC_NS = 'http://www.w3.org/2001/04/xmlenc#';
export const CAREPLAN_NS = 'urn:itk-router:careplan:v1';

export { OID } from '../00-common/itk-oids.js';

export const SPEC_KEY = {
  infAckRequested: 'urn:nhs-itk:ns:201005:infackrequested',
  busAckRequested: 'urn:nhs-itk:ns:201005:ackrequested',
  interaction: 'urn:nhs-itk:ns:201005:interaction',
} as const;

const SERVICE_PREFIX = 'urn:nhs-itk:services:201005:';
export const SERVICE = {
  sendDistEnvelope: `${SERVICE_PREFIX}sendDistEnvelope`,
  sendRecvDistEnvelope: `${SERVICE_PREFIX}sendRecvDistEnvelope`,
  infAck: `${SERVICE_PREFIX}SendInfrastructureAck-v1-0`,
  busAck: `${SERVICE_PREFIX}SendBusinessAck-v1-0`,
  broadcast: `${SERVICE_PREFIX}BroadcastDocument-v1-0`,
} as const;

/** Services that carry no meaning of their own: the interaction says what the message is. */
export const GENERIC_SERVICES: ReadonlySet<string> = new Set([
  SERVICE.sendDistEnvelope,
  SERVICE.sendRecvDistEnvelope,
]);

export const INTERACTION = {
  infAck: 'urn:nhs-itk:interaction:ITKInfrastructureAcknowledgement-v1-0',
  busAck: 'urn:nhs-itk:interaction:ITKBusinessAcknowledgement-v1-0',
} as const;

export const PROFILE = {
  /** What TKW's ITK 2.2 rules expect (ITKServiceAcknowledgements.conf line 191); -v1-0 is older. */
  busAck: 'urn:nhs-en:profile:ITKBusinessAcknowledgement-v2-0',
  busAckV1: 'urn:nhs-en:profile:ITKBusinessAcknowledgement-v1-0',
} as const;

/** The six care-plan messages of the product contract. */
export const CAREPLAN_MESSAGES = [
  'CarePlanNotification',
  'CarePlanRequest',
  'CarePlanResponse',
  'CarePlanUpdate',
  'LocateCarePlans',
  'LocateCarePlansResponse',
] as const;
export type CarePlanMessageName = (typeof CAREPLAN_MESSAGES)[number];

export const carePlanService = (name: CarePlanMessageName): string =>
  `urn:itk-router:services:${name}-v1-0`;
export const carePlanInteraction = (name: CarePlanMessageName): string =>
  `urn:itk-router:interaction:${name}-v1-0`;
export const carePlanProfile = (name: CarePlanMessageName): string =>
  `urn:itk-router:profile:${name}-v1-0`;

const CAREPLAN_SERVICE = /^urn:itk-router:services:([A-Za-z]+)-v1-0$/;

/**
 * The interaction a message stands for: its interaction spec, else, for a care-plan message sent
 * with its own service name, the equivalent interaction (both forms are equivalent).
 */
export function effectiveInteraction(
  service: string,
  interactionSpec: string | undefined,
): string | undefined {
  if (interactionSpec) return interactionSpec;
  const name = CAREPLAN_SERVICE.exec(service)?.[1];
  return name && (CAREPLAN_MESSAGES as readonly string[]).includes(name)
    ? carePlanInteraction(name as CarePlanMessageName)
    : undefined;
}
