/**
 * What the console asks of the store about many messages: search by filters, newest first, one
 * page at a time, and the figures of the dashboard over a window. Every filter is answered through
 * an index (migrations/sqlite/008-console.sql says which), never by reading bodies or scanning the table.
 * Pure types and the cursor here; SQLite and PostgreSQL implement {@link MessageQueries}.
 */
import type { MessageId } from './message-ids.js';
import type { FinalState, MessageState } from './states.js';

export interface MessageFilter {
  /** Exact tracking id (any replay generation of it). */
  readonly trackingId?: string;
  /** The sending end point id. */
  readonly sender?: string;
  /** An end point the message was delivered to (a `delivered` event names it). */
  readonly recipient?: string;
  readonly state?: MessageState;
  readonly service?: string;
  /** Received at or after. */
  readonly since?: Date;
  /** Received before. */
  readonly until?: Date;
}

/** Where the previous page ended: its last row's receipt time and id (keyset pagination). */
export interface PageAfter {
  readonly receivedAt: Date;
  readonly id: MessageId;
}

export interface MessageSummary {
  readonly id: MessageId;
  readonly trackingId: string;
  readonly senderEndpointId: string | null;
  readonly service: string;
  readonly state: MessageState;
  readonly outcome: FinalState | null;
  readonly receivedAt: Date;
  /** The latest event's time. */
  readonly lastChange: Date;
  /** The end points a `delivered` event names, in order of first delivery. */
  readonly recipients: readonly string[];
}

/** The figures of one window, as the store holds them. */
export interface StoreStats {
  /** Messages received per bucket (start of bucket), by outcome (`in-progress` while unfinished). */
  readonly buckets: readonly {
    readonly at: Date;
    readonly outcomes: Readonly<Record<string, number>>;
  }[];
  /** The window's messages nacked or quarantined, by the code of that event (those with one). */
  readonly nacksByCode: Readonly<Record<string, number>>;
  /** Receipt-to-completion times in ms of the latest completed messages (at most 10,000), sorted. */
  readonly latenciesMs: readonly number[];
}

/** A care-plan version a message made (its notification's tracking id). */
export interface PlanVersionOf {
  readonly planId: string;
  readonly version: number;
  readonly event: string;
  readonly endpointId: string;
  readonly at: Date;
}

export interface MessageQueries {
  /** Matching messages, newest first (receipt time, then id), at most `limit`, after `after`. */
  search(
    filter: MessageFilter,
    limit: number,
    after?: PageAfter,
  ): Promise<readonly MessageSummary[]>;
  /** The care-plan versions a tracking id made, oldest first (careplan_versions_tracking). */
  planVersionsOf(trackingId: string): Promise<readonly PlanVersionOf[]>;
  /** The window [since, until) in buckets of `bucketSeconds`. */
  stats(since: Date, until: Date, bucketSeconds: number): Promise<StoreStats>;
}

/** The latency sample's size bound. */
export const LATENCY_SAMPLE = 10_000;

/** An opaque cursor for the page after `p`. */
export const encodeCursor = (p: PageAfter): string =>
  Buffer.from(JSON.stringify([p.receivedAt.toISOString(), p.id]), 'utf8').toString('base64url');

/** The page a cursor names; undefined when it is not one this store made. */
export function decodeCursor(cursor: string): PageAfter | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value as unknown[];
    if (typeof at !== 'string' || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id))
      return undefined;
    const receivedAt = new Date(at);
    return Number.isNaN(receivedAt.getTime()) ? undefined : { receivedAt, id };
  } catch {
    return undefined;
  }
}

/** The p-th percentile (0–100) of sorted values, nearest rank; undefined when there are none. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}
