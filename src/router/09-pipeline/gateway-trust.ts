/**
 * The headers the web-service gateway puts on a call it publishes to the inbound exchange, and
 * the one rule that decides whether the pipeline believes them.
 *
 * The gateway publishes as the router's own broker user with `user_id` set; RabbitMQ refuses a
 * `user_id` that is not the connection's user (406), so no supplier can publish a message whose
 * `user_id` is the router's. The pipeline believes `itk-gateway-endpoint` only on a message whose
 * `user_id` is the router's user, and only when that user may be trusted at all (not `guest`,
 * not an end point's identity: quarantine/replay-headers.ts `replayTrustedUser`, the same rule as
 * replays). Anything else carrying these headers is an ordinary message: they are ignored and
 * the sender is its own `user_id`.
 *
 * A quarantine replay of such a call carries the end point (`itk-replay-gateway-endpoint`,
 * replay-trust.ts), believed by the replay rule; the proof is then the end point's record in the
 * router's store, re-checked against the routes in force by `gatewayProofRefusal`.
 */
import type { InboundMessage } from '../02-transport/inbound-message.js';
import { clip, HEADER_VALUE_MAX_BYTES } from '../02-transport/amqp-limits.js';
import { headerText } from './replay-trust.js';

export const GATEWAY_HEADER = {
  /** The end point the client certificate proved. */
  endpoint: 'itk-gateway-endpoint',
  /** The certificate name that matched (CN or sha256 fingerprint). */
  certificate: 'itk-gateway-certificate',
  /** The call's wsa:MessageID. */
  messageId: 'itk-gateway-message-id',
  /** The WS-Security username: recorded, never trusted. */
  username: 'itk-gateway-username',
} as const;

export interface GatewayFacts {
  readonly endpointId: string;
  readonly certificate: string;
  readonly messageId: string;
  readonly username: string;
}

/**
 * The end point the gateway proved, as the pipeline judges it: `certificate` is the name that
 * matched on the call; a quarantine replay of a call has none (the store records the end point,
 * not the certificate).
 */
export interface GatewayProof {
  readonly endpointId: string;
  /** The certificate name that matched, as the route table keys it; absent on a replay. */
  readonly certificate?: string;
}

/**
 * Why `proof` does not prove its end point with the routes in force (`table`), or undefined when
 * it does. A call: the certificate must still be listed by that end point (a reload may have
 * removed it since the gateway checked it). A replay: the end point must still be in the routes
 * and still list a certificate (a web-service end point whose certificates were all removed is no
 * longer trusted to have sent anything).
 */
export function gatewayProofRefusal(
  proof: GatewayProof,
  table: {
    readonly certificates: ReadonlyMap<string, string>;
    readonly endpoints: ReadonlyMap<string, { readonly certificates: readonly string[] }>;
  },
): string | undefined {
  const id = proof.endpointId;
  if (proof.certificate !== undefined) {
    return table.certificates.get(proof.certificate) === id
      ? undefined
      : `web-service certificate ${proof.certificate} no longer proves end point ${id}`;
  }
  const endpoint = table.endpoints.get(id);
  if (!endpoint) {
    return `end point ${id}, the web-service sender of the replayed message, is not in the routes`;
  }
  if (endpoint.certificates.length === 0) {
    return `end point ${id} no longer lists a web-service certificate: a replay of a message it sent through the web-service gateway is not trusted`;
  }
  return undefined;
}

export function gatewayHeaders(f: GatewayFacts): Record<string, string> {
  const fit = (v: string) => clip(v, HEADER_VALUE_MAX_BYTES);
  return {
    [GATEWAY_HEADER.endpoint]: f.endpointId,
    [GATEWAY_HEADER.certificate]: fit(f.certificate),
    [GATEWAY_HEADER.messageId]: fit(f.messageId),
    [GATEWAY_HEADER.username]: fit(f.username),
  };
}

/** The gateway facts `msg` carries, when the router may believe them; else undefined. */
export function trustedGateway(
  msg: InboundMessage,
  router: { readonly brokerUser: string | undefined },
): GatewayFacts | undefined {
  if (!router.brokerUser || msg.properties.userId !== router.brokerUser) return undefined;
  const h = msg.properties.headers;
  const endpointId = headerText(h[GATEWAY_HEADER.endpoint])?.trim();
  if (!endpointId) return undefined;
  const text = (key: string) => headerText(h[key])?.trim() ?? '';
  return {
    endpointId,
    certificate: text(GATEWAY_HEADER.certificate),
    messageId: text(GATEWAY_HEADER.messageId),
    username: text(GATEWAY_HEADER.username),
  };
}
