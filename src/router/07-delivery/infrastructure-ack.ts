/**
 * Infrastructure acknowledgements (inf acks and nacks, docs/contract.md, ITK facts: Acknowledgements in ITK): a new DE with a new
 * tracking id, addressed to the original sender, carrying an itk:InfrastructureResponse.
 * Pure: the caller passes the time and the ids it wants (or lets them default).
 */
import { create } from 'xmlbuilder2';
import type { Envelope, ItkAddress } from '../03-envelope/envelope.js';
import { buildSimpleMessage, newItkId } from '../03-envelope/build-envelope.js';
import { INTERACTION, ITK_NS, SERVICE, SPEC_KEY } from '../03-envelope/itk-names.js';
import type { ItkErrorKey } from '../00-common/itk-errors.js';
import { nackErrorInfo, type DeCode } from './nack-codes.js';

export interface AckError {
  /** A DE code, or the Toolkit code of the refusal (nack-codes.ts turns it into a DE code). */
  readonly code: ItkErrorKey;
  /** ErrorDiagnosticText: exactly what failed (after the Toolkit code, for a Toolkit-coded error). */
  readonly diagnostic?: string;
  /** The DE part a Toolkit-coded refusal concerns, when the caller knows it. */
  readonly part?: DeCode;
}

export interface InfrastructureResponse {
  readonly result: 'OK' | 'Failure';
  readonly trackingIdRef: string;
  readonly serviceRef: string;
  /** The acknowledging component's identity (1..4). */
  readonly reportingIdentity: readonly string[];
  readonly errors: readonly AckError[];
  readonly timestamp: Date;
}

const utc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function buildInfrastructureResponse(
  r: InfrastructureResponse,
  errorId: () => string = newItkId,
): string {
  const root = create().ele(ITK_NS, 'itk:InfrastructureResponse', {
    result: r.result,
    timestamp: utc(r.timestamp),
    trackingIdRef: r.trackingIdRef,
    serviceRef: r.serviceRef,
  });
  const identity = root.ele(ITK_NS, 'itk:reportingIdentity');
  for (const uri of r.reportingIdentity) identity.ele(ITK_NS, 'itk:id', { uri });
  // `errors` is required by the official schema, empty for a positive ack
  // (UECIT/cdss-tkw TKW/contrib/DMS_Schema/ITK_Core/Schemas/GenericInfrastructureResponse-v1-0.xsd).
  const errors = root.ele(ITK_NS, 'itk:errors');
  for (const e of r.errors) {
    const info = errors.ele(ITK_NS, 'itk:errorInfo');
    const de = nackErrorInfo(e);
    info.ele(ITK_NS, 'itk:ErrorID').txt(errorId());
    info.ele(ITK_NS, 'itk:ErrorCode', { codeSystem: de.codeSystem }).txt(de.code);
    info.ele(ITK_NS, 'itk:ErrorText').txt(de.text);
    if (de.diagnostic) info.ele(ITK_NS, 'itk:ErrorDiagnosticText').txt(de.diagnostic);
  }
  return root.end({ headless: true });
}

export interface InfAckRequest {
  /** The acknowledged message (its tracking id and service are referenced). */
  readonly original: { readonly trackingId: string; readonly service: string };
  /** Where the ack goes: the original's senderAddress. */
  readonly to?: ItkAddress;
  /** The acknowledging component: its address and identity. */
  readonly from: { readonly address: string; readonly identity: string };
  readonly result: 'OK' | 'Failure';
  readonly errors?: readonly AckError[];
  readonly at?: Date;
  readonly trackingId?: string;
}

/** The whole inf ack / nack Distribution Envelope. */
export function buildInfAck(req: InfAckRequest): {
  trackingId: string;
  envelope: Envelope;
  xml: string;
} {
  return buildSimpleMessage({
    service: SERVICE.infAck,
    ...(req.to ? { to: req.to } : {}),
    from: req.from,
    // TKW identifies an inf ack by this interaction (ITKServiceAcknowledgements.conf lines 1-5).
    handlingSpecs: [{ key: SPEC_KEY.interaction, value: INTERACTION.infAck }],
    ...(req.trackingId ? { trackingId: req.trackingId } : {}),
    payload: buildInfrastructureResponse({
      result: req.result,
      trackingIdRef: req.original.trackingId,
      serviceRef: req.original.service,
      reportingIdentity: [req.from.identity],
      errors: req.errors ?? [],
      timestamp: req.at ?? new Date(),
    }),
  });
}
