/**
 * The processing lease, part of the MessageStore contract (message-store.contract.ts): several
 * router instances share one store, each store connection acting for an instance of its own.
 * `begin` claims a message for its instance until `receivedAt` + 30 s (the default lease); another
 * instance is told of a live claim (`heldBy`) and must wait; the holder takes its own claim again
 * at once; an expired claim is taken over by exactly one instance; `complete` clears it.
 */
import type { BeginResult, MessageStore } from '../../src/router/08-store/message-store.js';
import { at, beginNew, incoming } from './store-fixtures.js';

/** The default lease, in the seconds of `at()`. */
const LEASE_S = 30;

const heldBy = (r: BeginResult | undefined) => (r?.kind === 'existing' ? r.heldBy : undefined);

export function describeProcessingLeaseContract(
  store: () => MessageStore,
  open: () => Promise<MessageStore>,
): void {
  describe('processing lease (several router instances)', () => {
    it('gives each connection an instance id of its own', async () => {
      const other = await open();
      expect(store().instanceId).toEqual(expect.any(String));
      expect(store().instanceId).not.toBe('');
      expect(other.instanceId).not.toBe(store().instanceId);
    });

    it('tells another instance that a live claim holds an unfinished message: whose, until when', async () => {
      const a = store();
      const b = await open();
      const message = incoming({ receivedAt: at(0) });
      const id = await beginNew(a, message);

      const seen = await b.begin({ ...message, receivedAt: at(10) });
      expect(seen).toEqual({
        kind: 'existing',
        record: expect.objectContaining({ id, state: 'received', completedAt: null }),
        heldBy: { instanceId: a.instanceId, until: at(LEASE_S) },
      });
      // Being told changes nothing: the claim is still a's, until the same time.
      const later = await b.begin({ ...message, receivedAt: at(LEASE_S - 0.001) });
      expect(heldBy(later)).toEqual({ instanceId: a.instanceId, until: at(LEASE_S) });
    });

    it('lets the holder take its own claim again at once (its retry), renewing it', async () => {
      const a = store();
      const b = await open();
      const message = incoming({ receivedAt: at(0) });
      const id = await beginNew(a, message);

      const retry = await a.begin({ ...message, receivedAt: at(20) });
      expect(retry).toEqual({ kind: 'existing', record: expect.objectContaining({ id }) });
      expect(heldBy(retry)).toBeUndefined();
      const other = await b.begin({ ...message, receivedAt: at(LEASE_S + 10) });
      expect(heldBy(other)).toEqual({ instanceId: a.instanceId, until: at(20 + LEASE_S) });
    });

    it('lets another instance take over once the claim has run out (its holder died), keeping what was confirmed', async () => {
      const a = store();
      const b = await open();
      const message = incoming({ receivedAt: at(0) });
      const id = await beginNew(a, message);
      await a.addEvent(id, { state: 'delivered', at: at(1), endpointId: 'ooh-111' });

      const takeover = await b.begin({ ...message, receivedAt: at(LEASE_S) });
      expect(takeover).toEqual({
        kind: 'existing',
        record: expect.objectContaining({ id, state: 'delivered', completedAt: null }),
      });
      expect(heldBy(takeover)).toBeUndefined();
      expect(await b.confirmedDeliveries(id)).toEqual(['ooh-111']);

      // Now b holds it: a (come back to life, or another copy) is told so.
      const late = await a.begin({ ...message, receivedAt: at(LEASE_S + 5) });
      expect(heldBy(late)).toEqual({ instanceId: b.instanceId, until: at(2 * LEASE_S) });
    });

    it('makes a completed message a duplicate for every instance: complete clears the claim', async () => {
      const a = store();
      const b = await open();
      const message = incoming({ receivedAt: at(0) });
      const id = await beginNew(a, message);
      await a.complete(id, { state: 'delivered', at: at(1), responses: [] });

      for (const s of [b, a]) {
        const again = await s.begin({ ...message, receivedAt: at(2) });
        expect(again).toEqual({
          kind: 'existing',
          record: expect.objectContaining({ id, outcome: 'delivered', completedAt: at(1) }),
        });
        expect(heldBy(again)).toBeUndefined();
      }
      // Completed by the instance that took it over, too.
      const other = incoming({ receivedAt: at(0) });
      const otherId = await beginNew(a, other);
      await b.begin({ ...other, receivedAt: at(LEASE_S + 1) });
      await b.complete(otherId, { state: 'nacked', at: at(LEASE_S + 2), responses: [] });
      const duplicate = await a.begin({ ...other, receivedAt: at(LEASE_S + 3) });
      expect(duplicate.kind === 'existing' && duplicate.record.completedAt).toEqual(
        at(LEASE_S + 2),
      );
      expect(heldBy(duplicate)).toBeUndefined();
    });

    it('tells the instance that lost the race to record a new message that the winner holds it', async () => {
      const a = store();
      const b = await open();
      const messages = Array.from({ length: 20 }, () => incoming({ receivedAt: at(0) }));
      const results = await Promise.all(messages.flatMap((m) => [a.begin(m), b.begin(m)]));
      for (let i = 0; i < messages.length; i++) {
        const [fromA, fromB] = [results[2 * i], results[2 * i + 1]];
        const [winner, loser] = fromA?.kind === 'new' ? [a, fromB] : [b, fromA];
        expect(loser?.kind).toBe('existing');
        expect(heldBy(loser)).toEqual({ instanceId: winner.instanceId, until: at(LEASE_S) });
      }
    });

    it('lets exactly one of several instances take over an expired claim at once', async () => {
      const a = store();
      const others = await Promise.all([open(), open(), open()]);
      const messages = Array.from({ length: 10 }, () => incoming({ receivedAt: at(0) }));
      await Promise.all(messages.map((m) => beginNew(a, m)));

      const when = at(LEASE_S + 10);
      const results = await Promise.all(
        messages.map((m) => Promise.all(others.map((s) => s.begin({ ...m, receivedAt: when })))),
      );
      for (const perInstance of results) {
        expect(perInstance.every((r) => r.kind === 'existing')).toBe(true);
        const takers = others.filter((_, i) => heldBy(perInstance[i]) === undefined);
        expect(takers).toHaveLength(1);
        const claim = { instanceId: takers[0]!.instanceId, until: at(2 * LEASE_S + 10) };
        for (const [i, r] of perInstance.entries())
          if (others[i] !== takers[0]) expect(heldBy(r)).toEqual(claim);
      }
    });
  });
}
