/**
 * Group commit, part of the MessageStore contract (message-store.contract.ts): the writes asked
 * for in one turn of the event loop share a transaction, yet each one succeeds or fails on its
 * own, and the processing lease each `begin` takes holds as if it had its own transaction.
 */
import type { BeginResult, MessageStore } from '../../src/router/08-store/message-store.js';
import { StoreError } from '../../src/router/08-store/store-error.js';
import { at, beginNew, incoming, nack, newTrackingId } from './store-fixtures.js';

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

    it('judges several writes of one message in a turn one after another, as if each ran alone', async () => {
      const s = store();
      const [a, b, c] = [incoming(), incoming(), incoming()];
      const [ida, idb, idc] = [await beginNew(s, a), await beginNew(s, b), await beginNew(s, c)];
      const responseB = nack(b.senderEndpointId!);
      const due = at(60);

      // One turn: the same key begun twice, three events of one message, several completions
      // with responses and expected acks, one of which an ack overtook.
      const again = incoming({ trackingId: newTrackingId(), senderEndpointId: 'hospice-1' });
      const results = await Promise.allSettled([
        s.begin(again),
        s.begin({ ...again, receivedAt: at(1) }),
        s.addEvent(ida, { state: 'delivered', at: at(1), endpointId: 'ooh-111' }),
        s.addEvent(ida, { state: 'delivered', at: at(2), endpointId: 'hospice' }),
        s.addEvent(ida, { state: 'quarantined', at: at(3), detail: 'x' }),
        s.addEvent('not-a-uuid', { state: 'delivered', at: at(1), endpointId: 'x' }),
        s.complete(idb, { state: 'nacked', at: at(4), responses: [responseB], code: '2200' }),
        s.complete(idc, {
          state: 'delivered',
          at: at(4),
          responses: [],
          expectedAcks: [
            { kind: 'inf', endpointId: 'ooh-111', dueAt: due },
            { kind: 'bus', endpointId: 'ooh-111', dueAt: due },
          ],
        }),
        s.correlate(c.trackingId, {
          state: 'inf-acked',
          by: 'ooh-111',
          ackTrackingId: newTrackingId(),
          at: at(3),
        }),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect((results[5] as PromiseRejectedResult).reason).toMatchObject({
        code: 'unknown-message',
      });
      const [first, second] = results.slice(0, 2).map((r) => {
        return (r as PromiseFulfilledResult<BeginResult>).value;
      });
      expect(first!.kind).toBe('new');
      expect(second).toMatchObject({ kind: 'existing', record: { id: idOf(first!) } });
      expect(await s.findByTrackingId(again.trackingId)).toHaveLength(1);

      const [historyA] = await s.findByTrackingId(a.trackingId);
      expect(historyA!.events.map((e) => [e.state, e.endpointId])).toEqual([
        ['received', null],
        ['delivered', 'ooh-111'],
        ['delivered', 'hospice'],
        ['quarantined', null],
      ]);
      expect(historyA!.record.state).toBe('quarantined');
      expect(await s.confirmedDeliveries(ida)).toEqual(['ooh-111', 'hospice']);

      const [historyB] = await s.findByTrackingId(b.trackingId);
      expect(historyB!.record).toMatchObject({ state: 'nacked', outcome: 'nacked' });
      expect(historyB!.events.at(-1)).toMatchObject({ state: 'nacked', code: '2200' });
      expect(await s.responsesFor(idb)).toEqual([responseB]);

      // The inf ack was correlated in the same turn: whichever ran first, it is met (at the
      // ack's time) or never expected; the business ack is still awaited.
      const [historyC] = await s.findByTrackingId(c.trackingId);
      expect(historyC!.record).toMatchObject({ outcome: 'delivered', state: 'inf-acked' });
      const overdue = await s.acks.markOverdue(at(61), 1000);
      expect(overdue.filter((o) => o.messageId === idc).map((o) => o.kind)).toEqual(['bus']);
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
