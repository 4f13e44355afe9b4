/**
 * Before a quarantine entry is replayed (pure): whose message it was, which end point that broker
 * user is now, and whether (sender, tracking id) was already processed. The router checks the
 * duplicate again when the replay arrives (store/replay-generations.ts); checking here first
 * leaves a refused entry on the quarantine instead of removing it for nothing.
 */
import type { RouteTable } from '../../router/05-routing/index.js';
import { endpointForIdentity } from '../../router/05-routing/index.js';
import type { MessageHistory, MessageRecord } from '../../router/08-store/message-store.js';
import type { QuarantineEntry } from './quarantine-entry.js';

const time = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

/** The key the router recorded the entry under: its tracking id, else the unreadable key. */
export const storeKeyOf = (e: QuarantineEntry): string => e.trackingId ?? e.unreadableKey;

const latestFirst = (a: MessageRecord, b: MessageRecord): number =>
  (b.generation ?? 0) - (a.generation ?? 0) || b.receivedAt.getTime() - a.receivedAt.getTime();

/**
 * The store record the entry came from: the latest quarantined record under its key whose sender
 * is the entry's `itk-sender` (an end point id or, failing that, the broker user), or that had
 * no sender when the entry names none. Undefined when the store has none (or was not asked).
 */
export function originRecord(
  e: QuarantineEntry,
  histories: readonly MessageHistory[],
): MessageRecord | undefined {
  const keys = new Set([e.trackingId, e.unreadableKey].filter(Boolean));
  const candidates = histories
    .map((h) => h.record)
    .filter((r) => keys.has(r.trackingId))
    .filter((r) =>
      e.sender
        ? r.senderEndpointId === e.sender ||
          (r.senderEndpointId === null && r.brokerUser === e.sender)
        : r.senderEndpointId === null || e.deadLettered !== undefined,
    )
    .sort(latestFirst);
  return candidates.find((r) => r.outcome === 'quarantined') ?? candidates[0];
}

export interface ReplayPlan {
  readonly entry: QuarantineEntry;
  /** The broker user the original came from: `itk-replay-user`. */
  readonly user: string;
  /** The end point that user is in the routes, when the routes were read. */
  readonly senderEndpointId?: string;
  /** Where the user came from, for the operator. */
  readonly userFrom: 'store' | 'user_id' | 'itk-sender';
}

export type PlanResult =
  | { readonly ok: true; readonly plan: ReplayPlan }
  | { readonly ok: false; readonly reason: string; readonly duplicate?: boolean };

/**
 * Plans the replay of `e`. `histories`: the store's records under the entry's keys (undefined
 * when the store could not be read: no duplicate check here then). `table`: the routes as they are
 * now (undefined: the sender is not checked here then).
 */
export function planReplay(
  e: QuarantineEntry,
  histories: readonly MessageHistory[] | undefined,
  table: RouteTable | undefined,
  options: { readonly ignoreDuplicate: boolean },
): PlanResult {
  const origin = histories ? originRecord(e, histories) : undefined;
  const fromSender = e.sender
    ? (table?.endpoints.get(e.sender)?.identities[0] ?? e.sender)
    : undefined;
  const [user, userFrom] = origin?.brokerUser
    ? [origin.brokerUser, 'store' as const]
    : e.originalUser
      ? [e.originalUser, 'user_id' as const]
      : fromSender
        ? [fromSender, 'itk-sender' as const]
        : [undefined, undefined];
  if (!user || !userFrom) {
    return {
      ok: false,
      reason: 'no sender is known (the message came without a user_id): it cannot be replayed',
    };
  }
  if (!table) return { ok: true, plan: { entry: e, user, userFrom } };
  const sender = endpointForIdentity(table, user);
  if (!sender) {
    return {
      ok: false,
      reason:
        `broker user ${user} is not an identity of any end point in the routes: ` +
        'add it to the right end point (and reload the router) before replaying',
    };
  }
  const plan = { entry: e, user, userFrom, senderEndpointId: sender.id };
  if (!histories || options.ignoreDuplicate) return { ok: true, plan };
  const key = storeKeyOf(e);
  const latest = histories
    .map((h) => h.record)
    .filter((r) => r.senderEndpointId === sender.id && r.trackingId === key)
    .sort(latestFirst)[0];
  if (latest?.completedAt && latest.outcome !== 'quarantined') {
    return {
      ok: false,
      duplicate: true,
      reason:
        `${key} from ${sender.id} was already processed (outcome ${latest.outcome}, ` +
        `${time(latest.completedAt)}): a duplicate, not replayed; ` +
        'replay with --ignore-duplicate to process it again',
    };
  }
  return { ok: true, plan };
}
