/**
 * Everything the router publishes, with the properties and headers of the product contract:
 * deliveries (the received bytes unchanged), acks it sends itself, and quarantine copies.
 */
import type { TopologyNames } from '../02-transport/names.js';
import type { PublishProperties } from '../02-transport/publish-properties.js';
import {
  clip,
  HEADER_VALUE_MAX_BYTES,
  SHORTSTR_MAX_BYTES,
  tooLong,
} from '../02-transport/amqp-limits.js';

/** The one thing the pipeline needs of the broker: a publish that resolves once confirmed. */
export interface Publisher {
  publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    properties: PublishProperties,
  ): Promise<void>;
}

export interface DeliveryFacts {
  readonly trackingId: string;
  readonly service: string;
  readonly interaction?: string;
  readonly senderEndpointId: string;
  readonly recipient: string;
}

const APP_ID = 'itk-router';

export function deliveryProperties(d: DeliveryFacts): PublishProperties {
  const headers: Record<string, string> = {
    'itk-tracking-id': d.trackingId,
    'itk-service': d.service,
    'itk-sender': d.senderEndpointId,
    'itk-recipient': d.recipient,
  };
  if (d.interaction) headers['itk-interaction'] = d.interaction;
  return {
    persistent: true,
    // A copy no queue takes (an end point queue deleted by hand) fails the publish, never vanishes.
    mandatory: true,
    contentType: 'application/xml',
    messageId: d.trackingId,
    type: d.service,
    appId: APP_ID,
    headers,
  };
}

/** Publishes to an end point's queue through the deliver exchange, confirmed. */
export const deliverTo = (
  publisher: Publisher,
  names: TopologyNames,
  endpointId: string,
  body: Buffer,
  d: DeliveryFacts,
) =>
  publisher.publish(
    names.deliverExchange,
    names.endpointRoutingKey(endpointId),
    body,
    deliveryProperties(d),
  );

export interface QuarantineReason {
  readonly code: string;
  readonly text: string;
  readonly sender?: string;
  readonly trackingId?: string;
}

/**
 * Puts the original bytes on the quarantine queue with the reason in headers. The last resort
 * never fails on what the message carries: each header value is cut to AMQP's limits
 * (transport/amqp-limits.ts, marked with `…`), and a tracking id too long for the `message_id`
 * property is left out of it (the header keeps it, cut if need be).
 */
export function quarantine(
  publisher: Publisher,
  names: TopologyNames,
  body: Buffer,
  reason: QuarantineReason,
): Promise<void> {
  const fit = (value: string) => clip(value, HEADER_VALUE_MAX_BYTES);
  const headers: Record<string, string> = {
    'itk-error-code': fit(reason.code),
    'itk-error-text': fit(reason.text),
  };
  if (reason.sender) headers['itk-sender'] = fit(reason.sender);
  if (reason.trackingId) headers['itk-tracking-id'] = fit(reason.trackingId);
  const messageId =
    reason.trackingId && !tooLong('', reason.trackingId, SHORTSTR_MAX_BYTES)
      ? reason.trackingId
      : undefined;
  return publisher.publish(names.quarantineExchange, names.quarantineRoutingKey, body, {
    persistent: true,
    contentType: 'application/xml',
    appId: APP_ID,
    ...(messageId ? { messageId } : {}),
    headers,
  });
}
