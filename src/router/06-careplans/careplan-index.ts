/**
 * The care-plan index: which plans exist for a patient, who holds each, its current version and
 * the history of versions. Part of the message store (same database, same implementations).
 */

/** The index's view of one plan (its current version). */
export interface PlanRecord {
  readonly planId: string;
  readonly nhsNumber: string;
  readonly planType: string;
  readonly status: string;
  readonly title: string;
  readonly ownerEndpointId: string;
  readonly ownerAddress: string;
  readonly version: number;
  readonly consentToShare: boolean;
  /** The addresses the owner chose (the address lists of its notifications). */
  readonly sharedWith: readonly string[];
  readonly lastUpdated: string;
  readonly closed: boolean;
}

export interface PlanVersion {
  readonly version: number;
  readonly event: string;
  readonly endpointId: string;
  readonly trackingId: string;
  readonly updateTrackingId: string | null;
  readonly at: Date;
}

/** A notification to apply: the plan as notified, and the version it must replace. */
export interface PlanChange {
  readonly plan: Omit<PlanRecord, 'closed'>;
  readonly event: string;
  /** The version the index must hold now for the change to apply; 0 for a new plan. */
  readonly expectedVersion: number;
  readonly endpointId: string;
  readonly trackingId: string;
  readonly at: Date;
}

export type ApplyResult =
  | { readonly applied: true; readonly updateTrackingId: string | null }
  | { readonly applied: false; readonly current: PlanRecord | undefined };

export interface CarePlanIndex {
  getPlan(planId: string): Promise<PlanRecord | undefined>;
  /** Plans of a patient, newest update first; optionally of one type. */
  findPlans(nhsNumber: string, planType?: string): Promise<readonly PlanRecord[]>;
  /**
   * Compare-and-set, atomically: applies the change only when the index holds `expectedVersion`
   * of the plan (0: no such plan). Applying the same tracking id again (a redelivery) succeeds
   * without change. Links the oldest pending update on the replaced version, if any.
   */
  applyChange(change: PlanChange): Promise<ApplyResult>;
  /** Remember an update proposed to the owner (so the version that accepts it can name it). */
  recordUpdateProposal(p: {
    updateTrackingId: string;
    planId: string;
    baseVersion: number;
    endpointId: string;
    at: Date;
  }): Promise<void>;
  /**
   * Forget a proposed update its plan's owner rejected, so no later version claims to accept it.
   * Only the plan's current owner withdraws, and only the proposal `proposerEndpointId` made: a
   * rejection from anyone else (or naming another proposer's tracking id) changes nothing.
   */
  withdrawUpdateProposal(
    updateTrackingId: string,
    by: { readonly ownerEndpointId: string; readonly proposerEndpointId: string },
  ): Promise<void>;
  history(planId: string): Promise<readonly PlanVersion[]>;
}
