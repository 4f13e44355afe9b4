/**
 * The acks a delivered message waits for (acknowledgement timeouts, store/ack-expectations.ts):
 * an inf ack from each recipient when `infackrequested` is true, except from `acks: router` end
 * points (the router sent theirs already); a business ack from each recipient when `ackrequested`
 * is true. Never for acks themselves. Pure.
 */
import { isBusinessAck, isInfAck } from '../07-delivery/router-acks.js';
import type { Envelope } from '../03-envelope/envelope.js';
import { SPEC_KEY } from '../03-envelope/itk-names.js';
import type { RouteTable } from '../05-routing/index.js';
import type { ExpectedAck } from '../08-store/ack-expectations.js';

/** How long each ack may take (config `acks`). */
export interface AckTimeouts {
  readonly infAckTimeoutSeconds: number;
  readonly busAckTimeoutSeconds: number;
}

const requested = (e: Envelope, key: string): boolean =>
  e.handlingSpecs
    .find((s) => s.key === key)
    ?.value.trim()
    .toLowerCase() === 'true';

/** What `envelope`, delivered at `at` to `delivered` (end point ids), waits for. */
export function expectedAcks(
  envelope: Envelope | undefined,
  delivered: readonly string[],
  table: RouteTable,
  timeouts: AckTimeouts | undefined,
  at: Date,
): ExpectedAck[] {
  if (!envelope || !timeouts || isInfAck(envelope) || isBusinessAck(envelope)) return [];
  const due = (seconds: number) => new Date(at.getTime() + seconds * 1000);
  const recipients = [...new Set(delivered)];
  const inf = requested(envelope, SPEC_KEY.infAckRequested)
    ? recipients
        .filter((id) => table.endpoints.get(id)?.acks !== 'router')
        .map((endpointId) => ({
          kind: 'inf' as const,
          endpointId,
          dueAt: due(timeouts.infAckTimeoutSeconds),
        }))
    : [];
  const bus = requested(envelope, SPEC_KEY.busAckRequested)
    ? recipients.map((endpointId) => ({
        kind: 'bus' as const,
        endpointId,
        dueAt: due(timeouts.busAckTimeoutSeconds),
      }))
    : [];
  return [...inf, ...bus];
}
