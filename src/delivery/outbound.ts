/**
 * Everything the router publishes, with the properties and headers of the product contract:
 * deliveries (the received bytes unchanged), acks it sends itself, and quarantine copies.
 */
import type { TopologyNames } from '../transport/names.js';
import type { PublishProperties } from '../transport/publish-properties.js';

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

/** Puts the original bytes on the quarantine queue with the reason in headers. */
export function quarantine(
  publisher: Publisher,
  names: TopologyNames,
  body: Buffer,
  reason: QuarantineReason,
): Promise<void> {
  const headers: Record<string, string> = {
    'itk-error-code': reason.code,
    'itk-error-text': reason.text,
  };
  if (reason.sender) headers['itk-sender'] = reason.sender;
  if (reason.trackingId) headers['itk-tracking-id'] = reason.trackingId;
  return publisher.publish(names.quarantineExchange, names.quarantineRoutingKey, body, {
    persistent: true,
    contentType: 'application/xml',
    appId: APP_ID,
    ...(reason.trackingId ? { messageId: reason.trackingId } : {}),
    headers,
  });
}
