/**
 * The simulator's state: the small store of care plans it keeps (seeded from plan files, plus
 * every plan it receives in a notification), and how often each fault rule has been applied.
 * Immutable: every change returns a new state.
 */
import type { CarePlanSummary } from '../../router/03-envelope/careplan-payload.js';

/** One plan the simulator holds, at the newest version it has seen. */
export interface HeldPlan {
  readonly planId: string;
  readonly version: number;
  readonly planType: string;
  readonly status: string;
  readonly title: string;
  readonly owner: string;
  readonly nhsNumber: string;
  readonly consentToShare: boolean;
  readonly lastUpdated: string;
  /** The plan as a standalone `plan` element in the care-plan namespace. */
  readonly xml: string;
  /** The address list of the notification that brought (or sent) this version. */
  readonly sharedWith: readonly string[];
}

export interface SimulatorState {
  readonly plans: ReadonlyMap<string, HeldPlan>;
  /** Messages each fault rule has been applied to, by rule index (for `times`). */
  readonly faultUses: readonly number[];
}

export const emptyState = (plans: readonly HeldPlan[] = []): SimulatorState =>
  Object.freeze({
    plans: new Map(plans.map((p) => [p.planId, Object.freeze(p)])),
    faultUses: Object.freeze([]),
  });

export function heldPlan(
  summary: CarePlanSummary,
  xml: string,
  sharedWith: readonly string[],
): HeldPlan {
  return Object.freeze({
    planId: summary.planId,
    version: summary.version,
    planType: summary.planType,
    status: summary.status,
    title: summary.title,
    owner: summary.owner,
    nhsNumber: summary.nhsNumber ?? '',
    consentToShare: summary.consentToShare,
    lastUpdated: summary.lastUpdated,
    xml,
    sharedWith: Object.freeze([...sharedWith]),
  });
}

/** `plan` kept, unless the state already holds the same or a newer version of it. */
export function keepPlan(state: SimulatorState, plan: HeldPlan): SimulatorState {
  const held = state.plans.get(plan.planId);
  if (held && held.version >= plan.version) return state;
  const plans = new Map(state.plans);
  plans.set(plan.planId, Object.freeze(plan));
  return Object.freeze({ ...state, plans });
}

/** Completed and cancelled plans are closed: no more versions. */
export const isClosed = (plan: HeldPlan): boolean =>
  plan.status === 'completed' || plan.status === 'cancelled';

/** The plan a CarePlanRequest asks for: by id, else the patient's newest open plan (of the type). */
export function findRequested(
  state: SimulatorState,
  q: { readonly planId?: string; readonly nhsNumber?: string; readonly planType?: string },
): HeldPlan | undefined {
  if (q.planId) return state.plans.get(q.planId);
  const open = [...state.plans.values()].filter(
    (p) =>
      p.nhsNumber === q.nhsNumber && !isClosed(p) && (!q.planType || p.planType === q.planType),
  );
  // xs:dateTime in UTC (Z) compares as text; the newest first
  return open.sort((a, b) => (a.lastUpdated < b.lastUpdated ? 1 : -1)).at(0);
}
