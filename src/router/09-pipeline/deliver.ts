import { deliverTo } from '../07-delivery/outbound.js';
import type { Decision } from './decide.js';
import type { PipelineDeps } from './pipeline-deps.js';

/** Deliver to every recipient not already confirmed (a redelivery after a crash skips those). */
export async function deliver(
  deps: PipelineDeps,
  id: string,
  body: Buffer,
  d: Decision,
  at: Date,
): Promise<string[]> {
  if (d.deliveries.length === 0 || !d.envelope || !d.sender) return [];
  const confirmed = new Set(await deps.store.confirmedDeliveries(id));
  const pending = d.deliveries.filter((x) => !confirmed.has(x.endpointId));
  const facts = {
    trackingId: d.envelope.trackingId,
    service: d.envelope.service,
    senderEndpointId: d.sender.id,
    ...(d.interaction ? { interaction: d.interaction } : {}),
  };
  const results = await Promise.allSettled(
    pending.map((x) =>
      deliverTo(deps.publisher, deps.names, x.endpointId, body, {
        ...facts,
        recipient: x.recipient,
      }),
    ),
  );
  // Record every confirmed copy, even when another failed: a retry then skips those.
  await Promise.all(
    pending.map((x, i) =>
      results[i]!.status === 'fulfilled'
        ? deps.store.addEvent(id, {
            state: 'delivered',
            at,
            endpointId: x.endpointId,
            detail: `to ${x.recipient}`,
          })
        : undefined,
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return d.deliveries.map((x) => x.endpointId);
}
