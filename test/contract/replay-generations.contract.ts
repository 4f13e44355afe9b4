/**
 * Replays from the quarantine, part of the MessageStore contract (message-store.contract.ts):
 * a replay processed as a new attempt of a (sender, tracking id) the store already holds is a
 * replay generation (src/router/08-store/replay-generations.ts), found by its tracking id wherever a
 * tracking id is looked up (findByTrackingId, track, correlate), while `begin` keeps its
 * exact-key duplicate check.
 */
import type { BeginResult, MessageStore } from '../../src/router/08-store/message-store.js';
import {
  beginReplay,
  generationKey,
  replayDetail,
  type ReplayLineage,
} from '../../src/router/08-store/replay-generations.js';
import { at, beginNew, incoming, newTrackingId } from './store-fixtures.js';

const lineage = (over: Partial<ReplayLineage> = {}): ReplayLineage => ({
  replayOf: '3f9a2c1b7e',
  by: 'ops-alice',
  reason: 'routes fixed',
  ignoreDuplicate: false,
  replayId: newTrackingId().toLowerCase(),
  ...over,
});

const newId = (r: BeginResult): string => {
  if (r.kind !== 'new') throw new Error(`expected a new record, got ${JSON.stringify(r)}`);
  return r.id;
};

export function describeReplayGenerationsContract(store: () => MessageStore): void {
  describe('replays from the quarantine (replay generations)', () => {
    it('records a replay of a quarantined (sender, tracking id) as a new attempt, with its lineage', async () => {
      const s = store();
      const message = incoming({ receivedAt: at(0) });
      const first = await beginNew(s, message);
      await s.complete(first, { state: 'quarantined', at: at(1), responses: [], code: '2100' });

      const l = lineage();
      const replay = newId(await beginReplay(s, { ...message, receivedAt: at(5) }, l));
      expect(replay).not.toBe(first);

      const found = await s.findByTrackingId(message.trackingId);
      expect(found.map((h) => [h.record.id, h.record.trackingId, h.record.generation])).toEqual([
        [first, message.trackingId, undefined],
        [replay, message.trackingId, 1],
      ]);
      expect(found[1]!.events.map((e) => [e.state, e.detail])).toEqual([
        ['received', null],
        ['received', replayDetail(l)],
      ]);
      expect(replayDetail(l)).toBe(
        `replayed from quarantine entry 3f9a2c1b7e by ops-alice: routes fixed (replay ${l.replayId})`,
      );
      const story = await s.track(message.trackingId);
      expect(story?.messages.map((h) => h.record.id)).toEqual([first, replay]);

      // A supplier re-sending the tracking id still meets the first attempt: a duplicate.
      const again = await s.begin({ ...message, receivedAt: at(9) });
      expect(again).toMatchObject({ kind: 'existing', record: { id: first } });
    });

    it('refuses a replay of an already processed (sender, tracking id) as a duplicate, unless told to ignore it', async () => {
      const s = store();
      const message = incoming();
      const first = await beginNew(s, message);
      await s.complete(first, { state: 'delivered', at: at(1), responses: [] });

      const refused = await beginReplay(s, message, lineage());
      expect(refused).toMatchObject({
        kind: 'existing',
        record: { id: first, outcome: 'delivered', completedAt: at(1) },
      });

      const l = lineage({ ignoreDuplicate: true });
      const second = newId(await beginReplay(s, { ...message, receivedAt: at(3) }, l));
      const [, replayed] = await s.findByTrackingId(message.trackingId);
      expect(replayed?.record).toMatchObject({ id: second, generation: 1, completedAt: null });
      expect(replayed?.events[1]?.detail).toMatch(/\(replay \S+, duplicate check overridden\)$/);
    });

    it('resumes a redelivered replay, and finds it done once completed, even when told to ignore duplicates', async () => {
      const s = store();
      const message = incoming();
      const first = await beginNew(s, message);
      await s.complete(first, { state: 'quarantined', at: at(1), responses: [] });
      const l = lineage({ ignoreDuplicate: true });
      const replay = newId(await beginReplay(s, message, l));

      const redelivered = await beginReplay(s, message, l);
      expect(redelivered).toMatchObject({
        kind: 'existing',
        record: { id: replay, completedAt: null },
      });
      await s.complete(replay, { state: 'delivered', at: at(2), responses: [] });
      const late = await beginReplay(s, message, l);
      expect(late).toMatchObject({
        kind: 'existing',
        record: { id: replay, outcome: 'delivered' },
      });

      const histories = await s.findByTrackingId(message.trackingId);
      expect(histories).toHaveLength(2);
      expect(histories[1]!.events.filter((e) => e.detail?.includes(l.replayId))).toHaveLength(1);
    });

    it('makes the replay a first attempt when the sender had no record of the tracking id (an unknown sender then)', async () => {
      const s = store();
      const unknown = incoming({ senderEndpointId: null, brokerUser: 'stranger' });
      const original = await beginNew(s, unknown);
      await s.complete(original, { state: 'quarantined', at: at(1), responses: [], code: '3000' });

      const replay = newId(
        await beginReplay(s, { ...unknown, senderEndpointId: 'riverside-gp-x' }, lineage()),
      );
      const found = await s.findByTrackingId(unknown.trackingId);
      expect(
        found.map((h) => [h.record.id, h.record.senderEndpointId, h.record.generation]),
      ).toEqual([
        [original, null, undefined],
        [replay, 'riverside-gp-x', undefined],
      ]);
    });

    it('correlates an ack with every attempt of its original, and tracks the generations by the tracking id', async () => {
      const s = store();
      const message = incoming();
      const first = await beginNew(s, message);
      await s.complete(first, { state: 'quarantined', at: at(1), responses: [] });
      const replay = newId(await beginReplay(s, message, lineage()));
      await s.complete(replay, { state: 'delivered', at: at(2), responses: [] });

      const ack = newTrackingId();
      const updated = await s.correlate(message.trackingId, {
        state: 'inf-acked',
        by: 'ooh-111',
        ackTrackingId: ack,
        at: at(3),
        originalSender: message.senderEndpointId!,
      });
      expect(updated.map((r) => [r.id, r.state])).toEqual([
        [first, 'quarantined'],
        [replay, 'inf-acked'],
      ]);
      expect((await s.track(ack))?.originals.map((h) => h.record.id).sort()).toEqual(
        [first, replay].sort(),
      );
    });

    it('keeps generation keys out of every tracking id it returns', async () => {
      const s = store();
      const message = incoming();
      await beginNew(s, message);
      // As a store holds generation n: under the tracking id and the generation mark.
      const stored = await s.begin({
        ...message,
        trackingId: generationKey(message.trackingId, 2),
      });
      expect(stored.kind).toBe('new');
      const found = await s.findByTrackingId(message.trackingId);
      expect(found.map((h) => [h.record.trackingId, h.record.generation])).toEqual([
        [message.trackingId, undefined],
        [message.trackingId, 2],
      ]);
    });
  });
}
