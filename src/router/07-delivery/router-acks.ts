/**
 * The acknowledgements the router itself sends: nacks for what it could not process, and positive
 * inf acks on behalf of `acks: router` end points. Pure: returns the DE to publish.
 */
import type { Envelope, ItkAddress } from '../03-envelope/envelope.js';
import { INTERACTION, SERVICE, SPEC_KEY } from '../03-envelope/itk-names.js';
import type { Finding } from '../04-validation/finding.js';
import { ITK_ERRORS, type ItkErrorKey } from '../00-common/itk-errors.js';
import { buildInfAck, type AckError } from './infrastructure-ack.js';
import { DE_CODE_BY_OUTCOME, deCodeForRule } from './nack-codes.js';
import type { RouterIdentity } from '../05-routing/router-identity.js';

export type { RouterIdentity };

/** The reference a nack names when the failed message had no readable tracking id. */
export const UNKNOWN_TRACKING_ID = '00000000-0000-0000-0000-000000000000';

/** An end point's own address for acks sent to it: its first address (a claimed subtree `X:*` names X). */
export const ownAddressOf = (endpoint: {
  readonly addresses: readonly string[];
}): string | undefined => endpoint.addresses[0]?.replace(/:\*$/, '');

export const isItkErrorKey = (code: string): code is ItkErrorKey => code in ITK_ERRORS;

/** Inf acks are never acknowledged, not even with a nack (docs/contract.md, ITK facts: Acknowledgements in ITK). */
export function isInfAck(envelope: Envelope | undefined): boolean {
  if (!envelope) return false;
  const interaction = envelope.handlingSpecs.find((s) => s.key === SPEC_KEY.interaction)?.value;
  return envelope.service === SERVICE.infAck || interaction === INTERACTION.infAck;
}

export function isBusinessAck(envelope: Envelope): boolean {
  const interaction = envelope.handlingSpecs.find((s) => s.key === SPEC_KEY.interaction)?.value;
  return envelope.service === SERVICE.busAck || interaction === INTERACTION.busAck;
}

export const errorsFromFindings = (findings: readonly Finding[]): AckError[] =>
  findings
    .filter((f) => f.severity === 'error' && isItkErrorKey(f.code))
    .map((f) => {
      const part = deCodeForRule(f.rule, f.location.part);
      return {
        code: f.code as ItkErrorKey,
        diagnostic: `${f.rule}: ${f.detail}${f.location.line !== undefined ? ` (line ${f.location.line})` : ''}`,
        ...(part ? { part } : {}),
      };
    });

export interface NackInput {
  readonly original?: Envelope;
  /** Where the nack is addressed when the original had no senderAddress: the sender end point's first address. */
  readonly fallbackTo?: string;
  /** Address the nack to `fallbackTo` even when the original names a sender address (a forged one). */
  readonly ignoreSenderAddress?: boolean;
  readonly errors: readonly AckError[];
  /** The pipeline outcome refused: the DE part its errors concern when they name none (nack-codes.ts). */
  readonly outcome?: string;
  readonly router: RouterIdentity;
  readonly at: Date;
  /** The tracking id to name when there is no readable original (a bounded scan found it). */
  readonly trackingIdRef?: string;
}

const addressOf = (
  original: Envelope | undefined,
  fallback: string | undefined,
): ItkAddress | undefined => original?.senderAddress ?? (fallback ? { uri: fallback } : undefined);

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

export function buildNack(input: NackInput) {
  const to = addressOf(input.ignoreSenderAddress ? undefined : input.original, input.fallbackTo);
  const ref = input.original?.trackingId ?? input.trackingIdRef ?? '';
  const part = input.outcome ? DE_CODE_BY_OUTCOME[input.outcome] : undefined;
  return buildInfAck({
    original: {
      // The official response schema takes an upper-case UUID only: a lower-case reference is
      // upper-cased (it still names the message), anything else is the nil UUID.
      trackingId: UUID.test(ref) ? ref.toUpperCase() : UNKNOWN_TRACKING_ID,
      service: input.original?.service || 'unknown',
    },
    ...(to ? { to } : {}),
    from: input.router,
    result: 'Failure',
    errors: part ? input.errors.map((e) => (e.part ? e : { ...e, part })) : input.errors,
    at: input.at,
  });
}

export function buildRouterInfAck(
  original: Envelope,
  router: RouterIdentity,
  at: Date,
  fallbackTo?: string,
) {
  const to = addressOf(original, fallbackTo);
  return buildInfAck({
    original: { trackingId: original.trackingId, service: original.service },
    ...(to ? { to } : {}),
    from: router,
    result: 'OK',
    at,
  });
}
