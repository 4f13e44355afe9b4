/**
 * Retention: what the store may prune, by age and state (config `retention`, docs/operations.md).
 *
 * - `bodies`: a message's original bytes are cleared (the record, its history and the router's
 *   own answers stay: the duplicate check and `track` still work; `originalBytes` then answers
 *   undefined, so it can no longer be replayed);
 * - `records`: the record itself goes, with its events, the router's answers and its expected
 *   acks. The duplicate check forgets it: a sender repeating that tracking id afterwards is
 *   treated as new;
 * - `closed-care-plans`: a CLOSED plan's index entry, version history and pending proposals, once
 *   its last version is that old. An open plan is never pruned.
 *
 * A message's age is the time since the router received it. Only completed messages are pruned
 * (one still being processed, or waiting for a redelivery, never is). Bodies go before records.
 * Pure types and rule building here; SQLite and PostgreSQL implement {@link RetentionStore}.
 */
import type { MessageState } from './states.js';

export type RetentionTarget =
  | { readonly kind: 'bodies'; readonly state: MessageState }
  | { readonly kind: 'records'; readonly state: MessageState }
  | { readonly kind: 'closed-care-plans' };

/** One thing to prune once it is older than `ageSeconds`. */
export interface RetentionRule {
  readonly target: RetentionTarget;
  readonly ageSeconds: number;
}

/** Ages in seconds, by message state; a state not listed is kept forever. */
export type AgesByState = Readonly<Partial<Record<MessageState, number>>>;

export interface RetentionAges {
  readonly bodies: AgesByState;
  readonly records: AgesByState;
  /** Closed care plans' index entries; undefined: kept forever. */
  readonly closedCarePlans?: number | undefined;
}

/** The rules of a policy in the order they run: every body rule, then records, then care plans. */
export function retentionRules(ages: RetentionAges): RetentionRule[] {
  const byState = (kind: 'bodies' | 'records', map: AgesByState): RetentionRule[] =>
    (Object.entries(map) as [MessageState, number | undefined][])
      .filter((e): e is [MessageState, number] => e[1] !== undefined)
      .map(([state, ageSeconds]) => ({ target: { kind, state }, ageSeconds }));
  return [
    ...byState('bodies', ages.bodies),
    ...byState('records', ages.records),
    ...(ages.closedCarePlans === undefined
      ? []
      : [{ target: { kind: 'closed-care-plans' } as const, ageSeconds: ages.closedCarePlans }]),
  ];
}

/** The time before which a rule prunes, at `now`. */
export const cutoff = (rule: RetentionRule, now: Date): Date =>
  new Date(now.getTime() - rule.ageSeconds * 1000);

export const describeTarget = (t: RetentionTarget): string =>
  t.kind === 'closed-care-plans' ? 'closed care plans' : `${t.kind} of ${t.state} messages`;

/** The store's part of retention. */
export interface RetentionStore {
  /**
   * Prunes at most `limit` rows of the rule's target older than its age at `now`, in ONE
   * transaction; returns how many (fewer than `limit`: nothing more is due). Rows another writer
   * holds are skipped, not waited for (several router instances may prune at once).
   */
  prune(rule: RetentionRule, now: Date, limit: number): Promise<number>;
  /** How many rows {@link prune} would touch at `now`, in all (for `retention --dry-run`). */
  count(rule: RetentionRule, now: Date): Promise<number>;
}
