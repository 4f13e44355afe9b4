/** Assembles `track`'s story from the read queries. */
import type { MessageHistory, MessageRecord, MessageStory } from '../message-store.js';
import type { SqliteReads } from './sqlite-reads.js';

const byReceived = (a: MessageRecord, b: MessageRecord): number =>
  a.receivedAt.getTime() - b.receivedAt.getTime();

export function readStory(reads: SqliteReads, trackingId: string): MessageStory | undefined {
  const own = reads.recordsByTrackingId(trackingId);
  const ownIds = new Set(own.map((r) => r.id));

  const referenceIds = [...new Set(own.flatMap((r) => reads.ackTrackingIds(r.id)))];
  const references = referenceIds
    .filter((t) => t !== trackingId)
    .flatMap((t) => reads.recordsByTrackingId(t))
    .sort(byReceived);

  const originals = reads
    .idsReferencedBy(trackingId)
    .filter((id) => !ownIds.has(id))
    .map((id) => reads.recordById(id))
    .filter((r): r is MessageRecord => r !== undefined)
    .sort(byReceived);

  if (own.length === 0 && originals.length === 0) return undefined;
  const histories = (records: MessageRecord[]): MessageHistory[] =>
    records.map((r) => reads.history(r));
  return {
    trackingId,
    messages: histories(own),
    references: histories(references),
    originals: histories(originals),
  };
}
