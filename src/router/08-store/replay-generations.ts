/**
 * Replay generations: how a message replayed from the quarantine is recorded without breaking
 * the duplicate key (sender, tracking id).
 *
 * The first attempt of (S, T) is stored under the key (S, T), as always. A replay that is to be
 * processed as a NEW attempt while (S, T) already exists (the earlier attempt was quarantined, or
 * the operator overrode the duplicate check) is stored under (S, T + U+0001 + n), generation n =
 * 1, 2, … U+0001 cannot occur in any XML document (not even as a character reference), so no real
 * tracking id ever collides with a generation key. The stores strip the mark when they read a
 * record (`trackingId` is T, `generation` is n) and every lookup by tracking id finds every
 * generation (track, correlate), while `begin` keeps its exact-key duplicate check: a supplier
 * re-sending T still meets the first attempt. Generations are bounded
 * ({@link MAX_REPLAY_GENERATION}), so a lookup is a fixed list of exact keys (index probes).
 *
 * {@link beginReplay} works over the public MessageStore interface: every write it makes is a
 * `begin` (so the duplicate key and the processing lease apply unchanged) or an `addEvent`.
 */
import type {
  BeginResult,
  IncomingMessage,
  MessageHistory,
  MessageStore,
} from './message-store.js';
import { StoreError } from './store-error.js';

/** Separates a tracking id from its replay generation in the store's key. */
export const GENERATION_MARK = '\u0001';

/** Replays of one (sender, tracking id) processed as new attempts, at most. */
export const MAX_REPLAY_GENERATION = 20;

/** The key generation `n` of `trackingId` is stored under (`n` = 0: the tracking id itself). */
export function generationKey(trackingId: string, generation: number): string {
  return generation === 0 ? trackingId : `${trackingId}${GENERATION_MARK}${generation}`;
}

/** A stored key back to its tracking id and generation. */
export function splitGenerationKey(key: string): { trackingId: string; generation: number } {
  const at = key.lastIndexOf(GENERATION_MARK);
  if (at < 0) return { trackingId: key, generation: 0 };
  const generation = Number(key.slice(at + 1));
  return Number.isInteger(generation) && generation > 0
    ? { trackingId: key.slice(0, at), generation }
    : { trackingId: key, generation: 0 };
}

/** Every key a record of `trackingId` may be stored under, generation 0 first. */
export function generationKeys(trackingId: string): string[] {
  return Array.from({ length: MAX_REPLAY_GENERATION + 1 }, (_, n) => generationKey(trackingId, n));
}

/** Where a replayed message comes from, who replayed it and why (headers `itk-replay-*`). */
export interface ReplayLineage {
  /** The quarantine entry replayed (its short id, `itk-replay-of`). */
  readonly replayOf: string;
  /** Who replayed it (`itk-replayed-by`). */
  readonly by: string;
  /** Why (`itk-replay-reason`). */
  readonly reason: string;
  /** Process it again even when (sender, tracking id) was already processed (`itk-replay-ignore-duplicate`). */
  readonly ignoreDuplicate: boolean;
  /** This replay's own id (the AMQP `message_id` of the replayed copy): a redelivery of it never counts twice. */
  readonly replayId: string;
}

/** The detail of the `received` event that records a replay's lineage. */
export function replayDetail(l: ReplayLineage): string {
  const override = l.ignoreDuplicate ? ', duplicate check overridden' : '';
  return `replayed from quarantine entry ${l.replayOf} by ${l.by}: ${l.reason} (replay ${l.replayId}${override})`;
}

const REPLAY_ID = /\(replay ([^\s,)]+)(?:, [^)]*)?\)$/;

/** The replay id a `received` event's detail names, if it records a replay. */
export function replayIdIn(detail: string | null | undefined): string | undefined {
  return detail ? REPLAY_ID.exec(detail)?.[1] : undefined;
}

const replayIdsOf = (h: MessageHistory): string[] =>
  h.events
    .filter((e) => e.state === 'received')
    .map((e) => replayIdIn(e.detail))
    .filter((id): id is string => id !== undefined);

/**
 * Which generation a replay of (sender, tracking id) goes to, given every record of that pair:
 * - none yet: generation 0 (a first attempt, e.g. the original came from an unknown sender);
 * - the latest unfinished, or already this very replay: that one (a redelivery resumes it, or
 *   finds it completed: a duplicate);
 * - the latest completed as quarantined, or the duplicate check overridden: the next generation;
 * - otherwise the latest: completed, so the caller treats the replay as a duplicate.
 */
export function replayGeneration(
  histories: readonly MessageHistory[],
  lineage: ReplayLineage,
): number {
  if (histories.length === 0) return 0;
  const latest = histories.reduce((a, b) =>
    (b.record.generation ?? 0) > (a.record.generation ?? 0) ? b : a,
  );
  const generation = latest.record.generation ?? 0;
  if (!latest.record.completedAt) return generation;
  if (replayIdsOf(latest).includes(lineage.replayId)) return generation;
  if (latest.record.outcome === 'quarantined' || lineage.ignoreDuplicate) return generation + 1;
  return generation;
}

/**
 * `begin` for a replayed message: picks its generation ({@link replayGeneration}), begins it under
 * that key, and records its lineage as a `received` event (once, also after a crash between the
 * two writes). The result reads as `begin`'s: `existing` with `completedAt` is a duplicate.
 */
export async function beginReplay(
  store: Pick<MessageStore, 'findByTrackingId' | 'begin' | 'addEvent'>,
  message: IncomingMessage,
  lineage: ReplayLineage,
): Promise<BeginResult> {
  const sender = message.senderEndpointId;
  const own =
    sender === null
      ? []
      : (await store.findByTrackingId(message.trackingId)).filter(
          (h) => h.record.senderEndpointId === sender,
        );
  const generation = replayGeneration(own, lineage);
  if (generation > MAX_REPLAY_GENERATION) {
    throw new StoreError(
      'invalid-argument',
      `${message.trackingId} from ${sender} was replayed as a new attempt ${MAX_REPLAY_GENERATION} times already`,
    );
  }
  const begun = await store.begin({
    ...message,
    trackingId: generationKey(message.trackingId, generation),
  });
  const lineageEvent = {
    state: 'received' as const,
    at: message.receivedAt,
    detail: replayDetail(lineage),
  };
  if (begun.kind === 'new') {
    await store.addEvent(begun.id, lineageEvent);
  } else if (!begun.record.completedAt && !('heldBy' in begun && begun.heldBy)) {
    const known = own.find((h) => h.record.id === begun.record.id);
    if (!known || !replayIdsOf(known).includes(lineage.replayId))
      await store.addEvent(begun.record.id, lineageEvent);
  }
  return begun;
}

/** A record's `trackingId` (and `generation`, when not the first attempt) from its stored key. */
export function recordKeyFields(key: string): { trackingId: string; generation?: number } {
  const { trackingId, generation } = splitGenerationKey(key);
  return generation === 0 ? { trackingId } : { trackingId, generation };
}
