import type { ValidationResult } from '../validation/validator.js';
import type { Decision } from './decide.js';
import type { PipelineDeps } from './pipeline-deps.js';

/** Acks, business acks and care-plan responses name their original: move its state on. */
export async function correlate(
  deps: PipelineDeps,
  v: ValidationResult,
  d: Decision,
  at: Date,
): Promise<void> {
  const by = d.sender!.id;
  const ackTrackingId = d.envelope!.trackingId;
  const originalSender = d.deliveries[0]?.endpointId;
  const base = { by, ackTrackingId, at, ...(originalSender ? { originalSender } : {}) };
  if (v.ack) {
    const ack = v.ack;
    const ref = ack.kind === 'inf' ? ack.trackingIdRef : ack.originalTrackingId;
    const state =
      ack.kind === 'bus' ? 'bus-acked' : ack.result === 'Failure' ? 'nacked' : 'inf-acked';
    const code = ack.kind === 'bus' ? ack.typeCode : ack.codes[0];
    await deps.store.correlate(ref, { ...base, state, ...(code ? { code } : {}) });
    // An owner rejecting a proposed care-plan update: no later version accepts it.
    if (ack.kind === 'bus' && (ack.typeCode === 'AR' || ack.typeCode === 'AE')) {
      await deps.store.carePlans.withdrawUpdateProposal(ref);
    }
  } else if (v.carePlan?.inResponseTo) {
    await deps.store.correlate(v.carePlan.inResponseTo, {
      ...base,
      state: 'answered',
      ...(v.carePlan.outcome ? { code: v.carePlan.outcome } : {}),
    });
  }
}
