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
