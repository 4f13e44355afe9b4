/**
 * A message as a simulated end point sees it arrive on its queue: the envelope, what kind of
 * message it is, and the facts the demo tells and acts on (the plan, the acknowledged tracking id,
 * the error a nack carries). The router has validated it; this only reads.
 */
import type { ConsumeMessage } from '../../router/02-transport/open-connection.js';
import type { Envelope } from '../../router/03-envelope/envelope.js';
import {
  readCarePlanFacts,
  type CarePlanFacts,
} from '../../router/03-envelope/careplan-payload.js';
import {
  CAREPLAN_NS,
  HL7_NS,
  ITK_NS,
  SPEC_KEY,
  type CarePlanMessageName,
} from '../../router/03-envelope/itk-names.js';
import {
  childNamed,
  childrenNamed,
  parseLite,
  type LiteElement,
} from '../../router/03-envelope/lite-xml.js';
import { parseEnvelope } from '../../router/04-validation/parse-envelope.js';
import { readPlan, type PlanData } from './plan-data.js';

export type ArrivalKind = CarePlanMessageName | 'inf-ack' | 'inf-nack' | 'bus-ack' | 'other';

export interface AckError {
  readonly code: string;
  readonly text: string;
  readonly diagnostic: string;
}

/** An inf ack / nack (`result`) or a business ack (`typeCode`). */
export interface AckFacts {
  /** The tracking id of the acknowledged message. */
  readonly ref: string;
  readonly result?: string;
  readonly reportingIdentity?: string;
  readonly errors: readonly AckError[];
  readonly typeCode?: string;
  readonly text?: string;
}

export interface Arrival {
  /** The receiving end point. */
  readonly to: string;
  /** The sending end point id, or `router` (the `itk-sender` header). */
  readonly from: string;
  /** The address (or `copy:<route>`, `subscription:<type>`) that brought it here (`itk-recipient`). */
  readonly recipient: string;
  readonly envelope: Envelope;
  readonly kind: ArrivalKind;
  readonly infAckRequested: boolean;
  readonly busAckRequested: boolean;
  readonly facts?: CarePlanFacts;
  /** The plan (or proposed plan) it carries, whole. */
  readonly plan?: PlanData;
  /** A request's reason, an update's summary. */
  readonly words?: string;
  readonly ack?: AckFacts;
}

const spec = (e: Envelope, key: string) =>
  e.handlingSpecs
    .find((s) => s.key === key)
    ?.value.trim()
    .toLowerCase() === 'true';
const header = (msg: ConsumeMessage, name: string): string => {
  const v = (msg.properties.headers ?? {})[name] as unknown;
  return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : '';
};
const itkText = (el: LiteElement | undefined, name: string) =>
  childNamed(el, name, ITK_NS)?.text.trim() ?? '';

function readInfrastructureResponse(root: LiteElement): AckFacts {
  const errors = childrenNamed(childNamed(root, 'errors', ITK_NS), 'errorInfo', ITK_NS).map(
    (e) => ({
      code: itkText(e, 'ErrorCode'),
      text: itkText(e, 'ErrorText'),
      diagnostic: itkText(e, 'ErrorDiagnosticText'),
    }),
  );
  const reporting = childNamed(childNamed(root, 'reportingIdentity', ITK_NS), 'id', ITK_NS);
  return {
    ref: root.attrs.get('trackingIdRef') ?? '',
    result: root.attrs.get('result') ?? '',
    errors,
    ...(reporting?.attrs.get('uri') ? { reportingIdentity: reporting.attrs.get('uri')! } : {}),
  };
}

function readBusinessResponse(root: LiteElement): AckFacts {
  const ack = childNamed(root, 'acknowledgedBy3', HL7_NS);
  const id = childNamed(childNamed(ack, 'conveyingTransmission', HL7_NS), 'id', HL7_NS);
  const text = childNamed(childNamed(ack, 'acknowledgementDetail', HL7_NS), 'text', HL7_NS);
  return {
    ref: id?.attrs.get('root') ?? '',
    typeCode: ack?.attrs.get('typeCode') ?? '',
    errors: [],
    ...(text ? { text: text.text.trim() } : {}),
  };
}

export function readArrival(to: string, msg: ConsumeMessage): Arrival {
  const envelope = parseEnvelope(msg.content);
  const base = {
    to,
    from: header(msg, 'itk-sender') || '(unknown)',
    recipient: header(msg, 'itk-recipient'),
    envelope,
    infAckRequested: spec(envelope, SPEC_KEY.infAckRequested),
    busAckRequested: spec(envelope, SPEC_KEY.busAckRequested),
  };
  const content = envelope.payloads[0]?.content;
  if (content === undefined || envelope.payloads[0]?.encoding !== 'xml')
    return { ...base, kind: 'other' };
  const root = parseLite(content);
  if (root.ns === ITK_NS && root.name === 'InfrastructureResponse') {
    const ack = readInfrastructureResponse(root);
    return { ...base, kind: ack.result === 'OK' ? 'inf-ack' : 'inf-nack', ack };
  }
  if (root.ns === HL7_NS && root.name === 'BusinessResponseMessage')
    return { ...base, kind: 'bus-ack', ack: readBusinessResponse(root) };
  const facts = readCarePlanFacts(root);
  if (!facts) return { ...base, kind: 'other' };
  const planEl =
    childNamed(root, 'plan', CAREPLAN_NS) ?? childNamed(root, 'proposedPlan', CAREPLAN_NS);
  const words = (
    childNamed(root, 'reason', CAREPLAN_NS) ?? childNamed(root, 'summary', CAREPLAN_NS)
  )?.text.trim();
  return {
    ...base,
    kind: facts.message,
    facts,
    ...(planEl ? { plan: readPlan(planEl) } : {}),
    ...(words ? { words } : {}),
  };
}
