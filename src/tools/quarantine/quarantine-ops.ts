/**
 * `itk-router quarantine list | show | replay | purge` as a library: what each does with the
 * broker (quarantine-session.ts), the store (when and whose a message was, the duplicate check)
 * and the routes (which end point a broker user is now). The command (src/tools/cli/quarantine-command.ts)
 * only parses options and prints; the integration tests call these directly.
 */
import { randomUUID } from 'node:crypto';
import { loadRoutes, type RouterConfig } from '../../router/01-config/index.js';
import { buildRouteTable, type RouteTable } from '../../router/05-routing/index.js';
import type { MessageHistory, MessageStore } from '../../router/08-store/message-store.js';
import type { TopologyNames } from '../../router/02-transport/names.js';
import { reasonOf, selectEntries, type QuarantineEntry } from './quarantine-entry.js';
import { QuarantineSession, type HeldEntry } from './quarantine-session.js';
import { replayHeaders, type ReplayOrigin } from '../../router/09-pipeline/replay-trust.js';
import { originRecord, planReplay, storeKeyOf, type ReplayPlan } from './replay-plan.js';

export interface QuarantineTools {
  /** The router's own AMQP URL (its broker user is the one the router trusts replays from). */
  readonly amqpUrl: string;
  readonly names: TopologyNames;
  /** The router's store, when it can be read: when each entry was quarantined, whose it was, duplicates. */
  readonly store?: MessageStore;
  /** The routes as they are now: the end point a broker user sends as. */
  readonly table?: RouteTable;
  readonly now?: () => Date;
}

/** The routes folder of `config` as a route table (throws ConfigError when refused). */
export function routeTableOf(config: RouterConfig): RouteTable {
  const routes = loadRoutes(config.routes, { routerAddress: config.router.address });
  return buildRouteTable(routes, {
    routerAddress: config.router.address,
    ...(routes.careplans ? { locatorAddress: routes.careplans.locatorAddress } : {}),
  });
}

/** An entry with what the store adds: when it was quarantined. */
export interface ListedEntry extends QuarantineEntry {
  /** When the router quarantined it (the store's record), else when the broker dead-lettered it. */
  readonly when?: Date;
}

export interface Listing {
  readonly queue: string;
  /** Messages on the queue when the listing was taken (some may be held by another browser). */
  readonly depth: number;
  readonly entries: readonly ListedEntry[];
  /** Entries copied afresh because they had been handed out too often (quarantine-session.ts). */
  readonly refreshed: number;
}

/** Default cap on the entries one command takes from the queue (all are held in memory). */
export const DEFAULT_LIMIT = 1000;

async function withSession<T>(
  t: QuarantineTools,
  work: (s: QuarantineSession) => Promise<T>,
): Promise<T> {
  const session = await QuarantineSession.open(t.amqpUrl, t.names);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

/** The store's records under an entry's keys (undefined when there is no store to ask). */
async function historiesOf(
  t: QuarantineTools,
  e: QuarantineEntry,
): Promise<readonly MessageHistory[] | undefined> {
  if (!t.store) return undefined;
  const keys = [...new Set([e.trackingId, e.unreadableKey].filter((k): k is string => !!k))];
  const found: MessageHistory[] = [];
  for (const key of keys) found.push(...(await t.store.findByTrackingId(key)));
  return found;
}

async function withWhen(t: QuarantineTools, e: QuarantineEntry): Promise<ListedEntry> {
  const histories = await historiesOf(t, e).catch(() => undefined);
  const origin = histories ? originRecord(e, histories) : undefined;
  const when = origin?.completedAt ?? origin?.receivedAt ?? e.deadLettered?.at;
  return when ? { ...e, when } : e;
}

async function listHeld(
  t: QuarantineTools,
  s: QuarantineSession,
  limit: number,
): Promise<{ depth: number; held: HeldEntry[]; refreshed: number }> {
  const depth = await s.depth();
  const held = await s.browse(limit);
  const refreshed = await s.refreshWorn(held);
  return { depth, held, refreshed };
}

/** Every entry on the quarantine queue (up to `limit`), none removed. */
export async function listQuarantine(
  t: QuarantineTools,
  options: { readonly limit?: number } = {},
): Promise<Listing> {
  return withSession(t, async (s) => {
    const { depth, held, refreshed } = await listHeld(t, s, options.limit ?? DEFAULT_LIMIT);
    const entries: ListedEntry[] = [];
    for (const h of held) entries.push(await withWhen(t, h.entry));
    return { queue: t.names.quarantineQueue, depth, entries, refreshed };
  });
}

/** One entry, by id, id prefix or tracking id; throws when none or several match. */
export async function showQuarantined(
  t: QuarantineTools,
  selector: string,
  options: { readonly limit?: number } = {},
): Promise<ListedEntry> {
  return withSession(t, async (s) => {
    const { held } = await listHeld(t, s, options.limit ?? DEFAULT_LIMIT);
    const chosen = selectEntries(
      held.map((h) => h.entry),
      [selector],
    );
    if (!chosen.ok) throw new QuarantineError(chosen.problems.join('; '));
    return withWhen(t, chosen.entries[0]!);
  });
}

export class QuarantineError extends Error {
  override readonly name = 'QuarantineError';
}

export interface ReplayOptions {
  /** Entry ids (or unique prefixes, or tracking ids); ignored with `all`. */
  readonly selectors?: readonly string[];
  readonly all?: boolean;
  readonly reason: string;
  readonly by: string;
  readonly ignoreDuplicate?: boolean;
  readonly limit?: number;
}

export type ReplayResult =
  | {
      readonly id: string;
      readonly status: 'replayed';
      readonly trackingId?: string;
      /** The replay's own id (`message_id` of the copy; named in the store's lineage event). */
      readonly replayId: string;
      /** What `itk-router track` finds it under: its tracking id, else its unreadable key. */
      readonly trackAs: string;
      /** The original's broker user, or (a web-service call) the end point the gateway proved. */
      readonly user?: string;
      readonly gatewayEndpoint?: string;
      readonly senderEndpointId?: string;
    }
  | {
      readonly id: string;
      readonly status: 'refused' | 'failed';
      readonly trackingId?: string;
      readonly reason: string;
      readonly duplicate?: boolean;
    };

/**
 * Replays entries: for each, checks whose it was and the duplicate (replay-plan.ts), publishes the
 * original bytes to the router's inbound queue with the replay headers, and removes the entry
 * only once that publish is confirmed. Refused or failed entries stay on the quarantine.
 */
export async function replayQuarantined(
  t: QuarantineTools,
  o: ReplayOptions,
): Promise<ReplayResult[]> {
  const reason = o.reason.trim();
  if (!reason) throw new QuarantineError('a replay needs a reason (--reason)');
  if (!o.all && (o.selectors ?? []).length === 0)
    throw new QuarantineError('name the entries to replay, or --all');
  return withSession(t, async (s) => {
    const held = await s.browse(o.limit ?? DEFAULT_LIMIT);
    let chosen: readonly HeldEntry[] = held;
    if (!o.all) {
      const selection = selectEntries(
        held.map((h) => h.entry),
        o.selectors ?? [],
      );
      if (!selection.ok) throw new QuarantineError(selection.problems.join('; '));
      chosen = held.filter((h) => selection.entries.includes(h.entry));
    }
    const results: ReplayResult[] = [];
    for (const h of chosen) results.push(await replayOne(t, s, h, { ...o, reason }));
    return results;
  });
}

async function replayOne(
  t: QuarantineTools,
  s: QuarantineSession,
  h: HeldEntry,
  o: ReplayOptions,
): Promise<ReplayResult> {
  const e = h.entry;
  const base = { id: e.id, ...(e.trackingId ? { trackingId: e.trackingId } : {}) };
  let histories: readonly MessageHistory[] | undefined;
  try {
    histories = await historiesOf(t, e);
  } catch (err) {
    return {
      ...base,
      status: 'failed',
      reason: `cannot read the store: ${(err as Error).message}`,
    };
  }
  const planned = planReplay(e, histories, t.table, {
    ignoreDuplicate: o.ignoreDuplicate ?? false,
  });
  if (!planned.ok) {
    return {
      ...base,
      status: 'refused',
      reason: planned.reason,
      ...(planned.duplicate ? { duplicate: true } : {}),
    };
  }
  const { plan } = planned;
  const replayId = randomUUID();
  try {
    await s.publish('', t.names.routerInboundQueue, e.body, {
      messageId: replayId,
      userId: s.brokerUser,
      contentType: e.contentType ?? 'application/xml',
      appId: 'itk-router-quarantine',
      timestamp: Math.floor((t.now?.() ?? new Date()).getTime() / 1000),
      headers: replayHeaders({
        replayOf: e.id,
        by: o.by,
        reason: o.reason,
        ...originOf(plan),
        ignoreDuplicate: o.ignoreDuplicate ?? false,
      }),
    });
  } catch (err) {
    return { ...base, status: 'failed', reason: (err as Error).message };
  }
  s.ack(h); // only now: the replay is on the inbound queue
  return {
    ...base,
    status: 'replayed',
    replayId,
    trackAs: storeKeyOf(e),
    ...originOf(plan),
    ...(plan.senderEndpointId ? { senderEndpointId: plan.senderEndpointId } : {}),
  };
}

/** The sender a replay names: the broker user, else the end point the gateway proved. */
const originOf = (plan: ReplayPlan): ReplayOrigin =>
  'gatewayEndpoint' in plan ? { gatewayEndpoint: plan.gatewayEndpoint } : { user: plan.user };

/**
 * Removes entries: the named ones (each taken and acknowledged), or, with none named, the whole
 * queue. Returns the ids removed (with none named: how many).
 */
export async function purgeQuarantine(
  t: QuarantineTools,
  options: { readonly selectors?: readonly string[]; readonly limit?: number } = {},
): Promise<{ readonly purged: number; readonly ids?: readonly string[] }> {
  return withSession(t, async (s) => {
    const selectors = options.selectors ?? [];
    if (selectors.length === 0) return { purged: await s.purge() };
    const held = await s.browse(options.limit ?? DEFAULT_LIMIT);
    const selection = selectEntries(
      held.map((h) => h.entry),
      selectors,
    );
    if (!selection.ok) throw new QuarantineError(selection.problems.join('; '));
    const chosen = held.filter((h) => selection.entries.includes(h.entry));
    for (const h of chosen) s.ack(h);
    return { purged: chosen.length, ids: chosen.map((h) => h.entry.id) };
  });
}

/** The key `itk-router track` finds an entry's record under. */
export { storeKeyOf, reasonOf };
