/** Messages and values the contract tests build; every id is fresh, so tests never collide. */
import { randomUUID } from 'node:crypto';
import type {
  IncomingMessage,
  MessageStore,
  RouterResponse,
} from '../../src/router/08-store/message-store.js';

const T0 = Date.parse('2025-03-01T09:00:00.000Z');
/** A fixed time `s` seconds after T0, so stored times can be compared exactly. */
export const at = (s: number): Date => new Date(T0 + s * 1000);

/** A fresh upper-case tracking id, as ITK senders make them. */
export const newTrackingId = (): string => randomUUID().toUpperCase();
export const newEndpoint = (name: string): string => `${name}-${randomUUID().slice(0, 8)}`;

export function incoming(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  const trackingId = overrides.trackingId ?? newTrackingId();
  return {
    trackingId,
    senderEndpointId: newEndpoint('riverside-gp'),
    brokerUser: 'riverside-gp',
    service: 'urn:nhs-itk:services:201005:sendDistEnvelope',
    interaction: 'urn:itk-router:interaction:CarePlanNotification-v1-0',
    senderAddress: 'urn:nhs-uk:addressing:ods:A83001',
    receivedAt: at(0),
    bytes: Buffer.from(`<itk:DistributionEnvelope trackingid="${trackingId}"/>`, 'utf8'),
    ...overrides,
  };
}

export const nack = (toEndpointId: string, trackingId = newTrackingId()): RouterResponse => ({
  kind: 'inf-nack',
  trackingId,
  toEndpointId,
  service: 'urn:nhs-itk:services:201005:InfrastructureAcknowledgment',
  xml: `<itk:DistributionEnvelope trackingid="${trackingId}"><nack/></itk:DistributionEnvelope>`,
});

/** Begins a message that must be new, and returns its id. */
export async function beginNew(store: MessageStore, message: IncomingMessage): Promise<string> {
  const result = await store.begin(message);
  if (result.kind !== 'new') throw new Error(`expected ${message.trackingId} to be new`);
  return result.id;
}
