/**
 * Infrastructure acknowledgements (inf acks and nacks, docs/contract.md, ITK facts: Acknowledgements in ITK): a new DE with a new
 * tracking id, addressed to the original sender, carrying an itk:InfrastructureResponse.
 * Pure: the caller passes the time and the ids it wants (or lets them default).
 */
import { create } from 'xmlbuilder2';
import type { Envelope, ItkAddress } from '../envelope/envelope.js';
import { buildSimpleMessage, newItkId } from '../envelope/build-envelope.js';
import { ITK_NS, SERVICE } from '../envelope/itk-names.js';
import { ITK_ERRORS, type ItkErrorKey } from '../validation/itk-errors.js';

export interface AckError {
  readonly code: ItkErrorKey;
  /** ErrorDiagnosticText: exactly what failed. */
  readonly diagnostic?: string;
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
  if (r.errors.length > 0) {
    const errors = root.ele(ITK_NS, 'itk:errors');
    for (const e of r.errors) {
      const info = errors.ele(ITK_NS, 'itk:errorInfo');
      const known = ITK_ERRORS[e.code];
      info.ele(ITK_NS, 'itk:ErrorID').txt(errorId());
      info.ele(ITK_NS, 'itk:ErrorCode', { codeSystem: known.codeSystem }).txt(known.code);
      info.ele(ITK_NS, 'itk:ErrorText').txt(known.text);
      if (e.diagnostic) info.ele(ITK_NS, 'itk:ErrorDiagnosticText').txt(e.diagnostic);
    }
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
