/**
 * A message as the simulator receives it: validated the way an accredited system validates it
 * (the project's validator: safety, DE schema and rules, payload schema, business rules), with
 * the facts the simulator acts on. Validation is the only step here; `respond` is pure.
 */
import { isBusinessAck, isInfAck } from '../../router/07-delivery/router-acks.js';
import type { CarePlanFacts } from '../../router/03-envelope/careplan-payload.js';
import type { Envelope, Handling } from '../../router/03-envelope/envelope.js';
import { effectiveInteraction, SPEC_KEY } from '../../router/03-envelope/itk-names.js';
import { parseEnvelope } from '../../router/04-validation/parse-envelope.js';
import type { Validator } from '../../router/04-validation/create-validator.js';
import type { AckFacts } from '../../router/04-validation/business-rules.js';
import type { Finding } from '../../router/04-validation/finding.js';

/** What kind of message it is, for the acknowledgement rules. */
export type ReceivedKind = 'inf-ack' | 'business-ack' | 'message' | 'unreadable';

export interface Received {
  readonly kind: ReceivedKind;
  /** No error findings (warnings allowed). */
  readonly valid: boolean;
  readonly findings: readonly Finding[];
  /** The envelope, when the bytes were a readable Distribution Envelope (even an invalid one). */
  readonly envelope?: Envelope;
  readonly handling: Handling;
  /** The local name of the first payload's root element (`CarePlanRequest`, `InfrastructureResponse`…), or ''. */
  readonly messageType: string;
  readonly carePlan?: CarePlanFacts;
  readonly ack?: AckFacts;
}

const isTrue = (value: string | undefined) => value?.trim().toLowerCase() === 'true';

export function handlingOf(envelope: Envelope | undefined): Handling {
  const spec = (key: string) => envelope?.handlingSpecs.find((s) => s.key === key)?.value;
  const interaction = envelope
    ? effectiveInteraction(envelope.service, spec(SPEC_KEY.interaction))
    : undefined;
  return {
    infAckRequested: isTrue(spec(SPEC_KEY.infAckRequested)),
    busAckRequested: isTrue(spec(SPEC_KEY.busAckRequested)),
    ...(interaction ? { interaction } : {}),
  };
}

function kindOf(envelope: Envelope | undefined): ReceivedKind {
  if (!envelope) return 'unreadable';
  if (isInfAck(envelope)) return 'inf-ack';
  if (isBusinessAck(envelope)) return 'business-ack';
  return 'message';
}

/** The payload root's name; for base64 / gzip payloads, what the decoded payload turned out to be. */
function messageTypeOf(rootName: string | undefined, carePlan?: CarePlanFacts, ack?: AckFacts) {
  if (rootName) return rootName;
  if (carePlan) return carePlan.message;
  if (ack) return ack.kind === 'inf' ? 'InfrastructureResponse' : 'BusinessResponseMessage';
  return '';
}

/**
 * The envelope with its payloads' content: a validator made without `payloadContent` leaves it
 * out, so the bytes (already found safe and well-formed) are read again.
 */
export function withPayloadContent(bytes: Uint8Array, envelope: Envelope): Envelope {
  const missing = envelope.payloads.some((p) => p.content === undefined && p.encoding === 'xml');
  return missing ? parseEnvelope(bytes) : envelope;
}

/** Validates `bytes` and reads what the simulator needs from them. */
export function readReceived(bytes: Uint8Array, validator: Validator): Received {
  const v = validator.validate(bytes);
  const envelope = v.envelope && withPayloadContent(bytes, v.envelope);
  const firstPayload = envelope?.payloads[0];
  return Object.freeze({
    kind: kindOf(envelope),
    valid: v.valid,
    findings: v.findings,
    ...(envelope ? { envelope } : {}),
    handling: handlingOf(envelope),
    messageType: messageTypeOf(firstPayload?.rootName, v.carePlan, v.ack),
    ...(v.carePlan ? { carePlan: v.carePlan } : {}),
    ...(v.ack ? { ack: v.ack } : {}),
  });
}
