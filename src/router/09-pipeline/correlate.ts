/**
 * Acks, business acks and care-plan responses name their original: move its state on, but only
 * when the ack comes from an end point the original was delivered to (docs/contract.md, "What the
 * router reads is what it validated"). An ack from anyone else (a third end point, the original's
 * own sender) is still routed like any message; it is recorded on its own record as uncorrelated
 * (visible in `itk-router track`) and moves nothing: not the original's state, not an expected
 * ack, not a pending care-plan update.
 */
import { StoreError } from '../08-store/store-error.js';
import type { MessageHistory } from '../08-store/message-store.js';
import type { ValidationResult } from '../04-validation/validator.js';
import type { Decision } from './decide.js';
import type { PipelineDeps } from './pipeline-deps.js';

/** How long an ack may wait for its original's delivery to be recorded (they can cross). */
const DELIVERY_RECORD_GRACE_MS = 30_000;

const deliveredTo = (m: MessageHistory, endpointId: string) =>
  m.events.some((e) => e.state === 'delivered' && e.endpointId === endpointId);

/**
 * Whether `by` may move the originals of `ref` sent by `originalSender`: it received one of them.
 * None known: nothing to move (the store's correlate finds none either). An original still in the
 * pipeline (its `delivered` events not all written: an end point can ack before the router has
 * recorded the confirm) is waited for, as a retry in place, for a short while.
 */
async function fromARecipient(
  deps: PipelineDeps,
  ref: string,
  by: string,
  originalSender: string | undefined,
  at: Date,
): Promise<boolean> {
  const originals = (await deps.store.findByTrackingId(ref)).filter(
    (m) => originalSender === undefined || m.record.senderEndpointId === originalSender,
  );
  if (originals.length === 0 || originals.some((m) => deliveredTo(m, by))) return true;
  const unfinished = originals.some(
    (m) =>
      m.record.completedAt === null &&
      at.getTime() - m.record.receivedAt.getTime() < DELIVERY_RECORD_GRACE_MS,
  );
  if (unfinished) {
    throw new StoreError('in-progress', `the original ${ref} is still being delivered`);
  }
  return false;
}

export async function correlate(
  deps: PipelineDeps,
  v: ValidationResult,
  d: Decision,
  at: Date,
  messageId: string,
): Promise<void> {
  const by = d.sender!.id;
  const ackTrackingId = d.envelope!.trackingId;
  const originalSender = d.deliveries[0]?.endpointId;
  const base = { by, ackTrackingId, at, ...(originalSender ? { originalSender } : {}) };
  const ack = v.ack;
  const ref = ack ? (ack.kind === 'inf' ? ack.trackingIdRef : ack.originalTrackingId) : undefined;
  const named = ref ?? v.carePlan?.inResponseTo;
  if (!named) return;
  if (!(await fromARecipient(deps, named, by, originalSender, at))) {
    const what = !ack ? 'care-plan response' : ack.kind === 'inf' ? 'inf ack' : 'business ack';
    await deps.store.addEvent(messageId, {
      state: 'routed',
      at,
      endpointId: by,
      detail: `uncorrelated: this ${what} names ${named}, which was not delivered to ${by}: the original is unchanged`,
    });
    deps.log.warn('an acknowledgement from an end point the original was not delivered to', {
      trackingId: ackTrackingId,
      sender: by,
      names: named,
    });
    return;
  }
  if (ack && ref) {
    const state =
      ack.kind === 'bus' ? 'bus-acked' : ack.result === 'Failure' ? 'nacked' : 'inf-acked';
    const code = ack.kind === 'bus' ? ack.typeCode : ack.codes[0];
    await deps.store.correlate(ref, { ...base, state, ...(code ? { code } : {}) });
    // The owner rejecting a proposed care-plan update: no later version accepts it. Only the
    // plan's owner withdraws, and only the proposal of the end point the rejection goes to.
    if (ack.kind === 'bus' && (ack.typeCode === 'AR' || ack.typeCode === 'AE') && originalSender) {
      await deps.store.carePlans.withdrawUpdateProposal(ref, {
        ownerEndpointId: by,
        proposerEndpointId: originalSender,
      });
    }
  } else if (v.carePlan?.inResponseTo) {
    await deps.store.correlate(v.carePlan.inResponseTo, {
      ...base,
      state: 'answered',
      ...(v.carePlan.outcome ? { code: v.carePlan.outcome } : {}),
    });
  }
}
