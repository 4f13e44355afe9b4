/** Assembles `track`'s story from the read queries (run inside one read snapshot). */
import type { MessageHistory, MessageRecord, MessageStory } from '../message-store.js';
import type { PostgresReads } from './postgres-reads.js';

const byReceived = (a: MessageRecord, b: MessageRecord): number =>
  a.receivedAt.getTime() - b.receivedAt.getTime();

const eachOf = async <T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> => {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
};

export async function readStory(
  reads: PostgresReads,
  trackingId: string,
): Promise<MessageStory | undefined> {
  const own = await reads.recordsByTrackingId(trackingId);
  const ownIds = new Set(own.map((r) => r.id));

  const ackIds = (await eachOf(own, (r) => reads.ackTrackingIds(r.id))).flat();
  const referenceIds = [...new Set(ackIds)].filter((t) => t !== trackingId);
  const references = (await eachOf(referenceIds, (t) => reads.recordsByTrackingId(t)))
    .flat()
    .sort(byReceived);

  const originalIds = (await reads.idsReferencedBy(trackingId)).filter((id) => !ownIds.has(id));
  const originals = (await eachOf(originalIds, (id) => reads.recordById(id)))
    .filter((r): r is MessageRecord => r !== undefined)
    .sort(byReceived);

  if (own.length === 0 && originals.length === 0) return undefined;
  const histories = (records: MessageRecord[]): Promise<MessageHistory[]> =>
    eachOf(records, (r) => reads.history(r));
  return {
    trackingId,
    messages: await histories(own),
    references: await histories(references),
    originals: await histories(originals),
  };
}
