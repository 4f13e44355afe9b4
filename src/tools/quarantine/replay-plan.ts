/**
 * Before a quarantine entry is replayed (pure): whose message it was, which end point that broker
 * user is now (or, for a message that came through the web-service gateway, whether the end point
 * the gateway proved is still trusted), and whether (sender, tracking id) was already processed. The router checks the
 * duplicate again when the replay arrives (store/replay-generations.ts); checking here first
 * leaves a refused entry on the quarantine instead of removing it for nothing.
 */
import type { RouteTable } from '../../router/05-routing/index.js';
import { endpointForIdentity } from '../../router/05-routing/index.js';
import type { MessageHistory, MessageRecord } from '../../router/08-store/message-store.js';
import { gatewayProofRefusal } from '../../router/09-pipeline/gateway-trust.js';
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

/**
 * The end point a web-service gateway call was proven to come from, when `record` is the router's
 * record of one: a sender end point and no broker user (the pipeline records the broker user of
 * every AMQP message it names a sender for, and none for a gateway call, process-message.ts).
 */
export const gatewayEndpointOf = (record: MessageRecord | undefined): string | undefined =>
  record?.senderEndpointId && !record.brokerUser ? record.senderEndpointId : undefined;

/** A replay as planned: the entry, its original sender, and the end point that is now. */
export type ReplayPlan = {
  readonly entry: QuarantineEntry;
  /** The end point the sender is in the routes, when the routes were read. */
  readonly senderEndpointId?: string;
} & (
  | {
      /** The broker user the original came from: `itk-replay-user`. */
      readonly user: string;
      /** Where the user came from, for the operator. */
      readonly userFrom: 'store' | 'user_id' | 'itk-sender';
    }
  | {
      /**
       * A message that came through the web-service gateway: the end point it proved (from the
       * store's record), `itk-replay-gateway-endpoint`, instead of a user.
       */
      readonly gatewayEndpoint: string;
      readonly userFrom: 'gateway';
    }
);

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
  const gatewayEndpoint = gatewayEndpointOf(origin);
  if (gatewayEndpoint) return planGatewayReplay(e, gatewayEndpoint, histories, table, options);
  const named = e.sender ? table?.endpoints.get(e.sender) : undefined;
  if (!origin?.brokerUser && !e.originalUser && named?.identities.length === 0) {
    return {
      ok: false,
      reason:
        `end point ${named.id} has no broker user (it sends through the web-service gateway): ` +
        "only the router's store record of the message can name it as the sender, and none was found",
    };
  }
  const fromSender = e.sender ? (named?.identities[0] ?? e.sender) : undefined;
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
  return duplicateCheck(plan, sender.id, histories, options);
}

/**
 * A message the gateway published: the store's record names the end point its certificate
 * proved; the routes now must still trust that end point (the router checks again on arrival).
 */
function planGatewayReplay(
  e: QuarantineEntry,
  endpointId: string,
  histories: readonly MessageHistory[] | undefined,
  table: RouteTable | undefined,
  options: { readonly ignoreDuplicate: boolean },
): PlanResult {
  const plan = {
    entry: e,
    gatewayEndpoint: endpointId,
    userFrom: 'gateway' as const,
    senderEndpointId: endpointId,
  };
  if (!table) return { ok: true, plan };
  const refusal = gatewayProofRefusal({ endpointId }, table);
  if (refusal) return { ok: false, reason: `${refusal}: not replayed` };
  return duplicateCheck(plan, endpointId, histories, options);
}

/** `plan`, unless (sender, tracking id) was already processed and that is not to be ignored. */
function duplicateCheck(
  plan: ReplayPlan,
  senderId: string,
  histories: readonly MessageHistory[] | undefined,
  options: { readonly ignoreDuplicate: boolean },
): PlanResult {
  if (!histories || options.ignoreDuplicate) return { ok: true, plan };
  const key = storeKeyOf(plan.entry);
  const latest = histories
    .map((h) => h.record)
    .filter((r) => r.senderEndpointId === senderId && r.trackingId === key)
    .sort(latestFirst)[0];
  if (latest?.completedAt && latest.outcome !== 'quarantined') {
    return {
      ok: false,
      duplicate: true,
      reason:
        `${key} from ${senderId} was already processed (outcome ${latest.outcome}, ` +
        `${time(latest.completedAt)}): a duplicate, not replayed; ` +
        'replay with --ignore-duplicate to process it again',
    };
  }
  return { ok: true, plan };
}
