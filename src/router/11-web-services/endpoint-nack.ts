/**
 * The inf nack the original sender gets when a web-service end point refused its message (an ITK
 * fault) or could not be reached within the retry budget (2100). Pure but for re-reading the
 * delivered bytes with the routes' validator (the same reading the pipeline did).
 * A refusal's nack reports the end point itself (`reportingIdentity` = its identity, derived from
 * its first address: `urn:nhs-uk:addressing:X` → `urn:nhs-uk:identity:X`); a delivery the router
 * gave up on reports the router. An inf ack is never nacked.
 */
import type { Endpoint } from '../01-config/routes-config.js';
import type { RouterIdentity } from '../05-routing/router-identity.js';
import type { Validator } from '../04-validation/create-validator.js';
import { buildNack, isInfAck, isItkErrorKey, ownAddressOf } from '../07-delivery/router-acks.js';
import { SERVICE } from '../03-envelope/itk-names.js';

const ADDRESSING = 'urn:nhs-uk:addressing:';

/** An end point's identity and address as the component acknowledging for itself. */
export function endpointIdentity(endpoint: Endpoint): RouterIdentity | undefined {
  const address = ownAddressOf(endpoint);
  if (!address) return undefined;
  const identity = address.startsWith(ADDRESSING)
    ? `urn:nhs-uk:identity:${address.slice(ADDRESSING.length)}`
    : address;
  return { address, identity };
}

export interface EndpointNack {
  readonly xml: string;
  readonly trackingId: string;
  readonly service: string;
  /** The address the nack is sent to. */
  readonly addressee?: string;
}

export function endpointNack(i: {
  readonly body: Buffer;
  readonly validator: Validator;
  readonly sender: Endpoint;
  /** The refusing end point; undefined when the router reports (it gave up). */
  readonly reporter?: Endpoint;
  readonly router: RouterIdentity;
  /** The end point's ErrorCode; a code outside the Toolkit vocabulary is reported as 2200. */
  readonly code: string;
  readonly text: string;
  readonly at: Date;
}): EndpointNack | undefined {
  const original = i.validator.validate(i.body).envelope;
  if (!original || isInfAck(original)) return undefined;
  const reporter = (i.reporter && endpointIdentity(i.reporter)) ?? i.router;
  const code = isItkErrorKey(i.code) ? i.code : '2200';
  const fallbackTo = ownAddressOf(i.sender);
  const nack = buildNack({
    original,
    ...(fallbackTo ? { fallbackTo } : {}),
    errors: [{ code, diagnostic: i.text }],
    router: reporter,
    at: i.at,
  });
  const addressee = nack.envelope.addresses[0]?.uri;
  return {
    xml: nack.xml,
    trackingId: nack.trackingId,
    service: SERVICE.infAck,
    ...(addressee ? { addressee } : {}),
  };
}
