/**
 * Group commit, part of the MessageStore contract (message-store.contract.ts): the writes asked
 * for in one turn of the event loop share a transaction, yet each one succeeds or fails on its
 * own, and the processing lease each `begin` takes holds as if it had its own transaction.
 */
import type { BeginResult, MessageStore } from '../../src/router/08-store/message-store.js';
import { StoreError } from '../../src/router/08-store/store-error.js';
import { at, beginNew, incoming, nack } from './store-fixtures.js';

const LEASE_S = 30;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const idOf = (r: BeginResult): string => (r.kind === 'new' ? r.id : r.record.id);

export function describeGroupCommitContract(
  store: () => MessageStore,
  open: () => Promise<MessageStore>,
): void {
  describe('group commit (the writes of one turn in one transaction)', () => {
    it('fails only the write that failed: the others of the same turn commit', async () => {
      const s = store();
      const [a, b, c] = [incoming(), incoming(), incoming()];
      const ida = await beginNew(s, a);
      const idb = await beginNew(s, b);
      const response = nack(a.senderEndpointId!);

      // All asked for in one turn, so in one batch.
      const results = await Promise.allSettled([
        s.complete(ida, { state: 'nacked', at: at(1), responses: [response], code: '1000' }),
        s.addEvent(UNKNOWN_ID, { state: 'delivered', at: at(1), endpointId: 'x' }),
        s.addEvent(idb, { state: 'delivered', at: at(1), endpointId: 'ooh-111' }),
        s.complete(ida, { state: 'delivered', at: at(2), responses: [] }),
        s.begin(c),
        s.complete(UNKNOWN_ID, { state: 'delivered', at: at(2), responses: [] }),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'rejected',
        'fulfilled',
        'rejected',
      ]);
      const reason = (i: number) => (results[i] as PromiseRejectedResult).reason as StoreError;
      expect(reason(1)).toMatchObject({ code: 'unknown-message' });
      expect(reason(3)).toMatchObject({ code: 'already-completed' });
      expect(reason(5)).toMatchObject({ code: 'unknown-message' });

      // The first complete stands, whole; the second left nothing behind.
      const [historyA] = await s.findByTrackingId(a.trackingId);
      expect(historyA!.record).toMatchObject({ state: 'nacked', outcome: 'nacked' });
      expect(historyA!.events.map((e) => e.state)).toEqual(['received', 'nacked']);
      expect(await s.responsesFor(ida)).toEqual([response]);
      expect(await s.confirmedDeliveries(idb)).toEqual(['ooh-111']);
      // The begin's id is the one stored, though its batch ran again after a failure.
      const begun = (results[4] as PromiseFulfilledResult<BeginResult>).value;
      expect(begun.kind).toBe('new');
      const [historyC] = await s.findByTrackingId(c.trackingId);
      expect(historyC!.record.id).toBe(idOf(begun));
    });

    it('holds the claims of a whole batch of begins for the lease, against another instance', async () => {
      const a = store();
      const b = await open();
      const messages = Array.from({ length: 20 }, () => incoming({ receivedAt: at(0) }));
      // One batch of begins, with a failing write at its end.
      const begins = messages.map((m) => a.begin(m));
      const failing = a.addEvent(UNKNOWN_ID, { state: 'delivered', at: at(0), endpointId: 'x' });
      await expect(failing).rejects.toMatchObject({ code: 'unknown-message' });
      const ids = (await Promise.allSettled(begins)).map((r) => {
        if (r.status !== 'fulfilled' || r.value.kind !== 'new') throw new Error('not new');
        return r.value.id;
      });

      const seen = await Promise.all(messages.map((m) => b.begin({ ...m, receivedAt: at(10) })));
      seen.forEach((r, i) => {
        expect(r).toEqual({
          kind: 'existing',
          record: expect.objectContaining({ id: ids[i], completedAt: null }),
          heldBy: { instanceId: a.instanceId, until: at(LEASE_S) },
        });
      });
      // Once the lease has run out, b takes each over, and a is then told b holds them.
      const takeovers = await Promise.all(
        messages.map((m) => b.begin({ ...m, receivedAt: at(LEASE_S) })),
      );
      expect(takeovers.every((r) => r.kind === 'existing' && r.heldBy === undefined)).toBe(true);
      const late = await Promise.all(
        messages.map((m) => a.begin({ ...m, receivedAt: at(LEASE_S + 1) })),
      );
      for (const r of late)
        expect(r.kind === 'existing' && r.heldBy).toEqual({
          instanceId: b.instanceId,
          until: at(2 * LEASE_S),
        });
    });

    it('gives each message to exactly one of two instances that begin the same batch at once', async () => {
      const a = store();
      const b = await open();
      const messages = Array.from({ length: 20 }, () => incoming({ receivedAt: at(0) }));
      // Opposite orders: two batches that lock the same keys the other way round.
      const [fromA, fromB] = await Promise.all([
        Promise.all(messages.map((m) => a.begin(m))),
        Promise.all([...messages].reverse().map((m) => b.begin(m))),
      ]);
      fromB.reverse();
      messages.forEach((_, i) => {
        const pair = [fromA[i]!, fromB[i]!];
        expect(pair.filter((r) => r.kind === 'new')).toHaveLength(1);
        const other = pair.find((r) => r.kind === 'existing');
        const winner = pair[0]!.kind === 'new' ? a : b;
        expect(other).toEqual({
          kind: 'existing',
          record: expect.objectContaining({ id: idOf(pair[0]!) }),
          heldBy: { instanceId: winner.instanceId, until: at(LEASE_S) },
        });
      });
    });
  });
}
