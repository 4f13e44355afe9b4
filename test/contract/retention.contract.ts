/**
 * Retention, part of the MessageStore contract (src/router/08-store/retention.ts): bodies cleared and
 * records deleted by age and state, in batches, completed messages only; closed care plans'
 * index entries after their age, open plans never.
 *
 * The database is shared by every contract test, so each test works in an era of its own (1 Jan
 * 1960, 1955, … for successive tests), earlier than everything else in it: a rule's cutoff then
 * falls inside that era, and only the test's own rows are old enough to count.
 */
import type { MessageStore } from '../../src/router/08-store/message-store.js';
import type { RetentionRule } from '../../src/router/08-store/retention.js';
import type { MessageState } from '../../src/router/08-store/states.js';
import { change, next, plan } from './careplan-fixtures.js';
import { beginNew, incoming, nack, newTrackingId } from './store-fixtures.js';

const DAY = 86_400;
let eras = 0;
/** A time `d` days into a new era. */
const newEra = (): ((d: number) => Date) => {
  const start = Date.UTC(1960 - 5 * eras++, 0, 1);
  return (d) => new Date(start + d * DAY * 1000);
};

const bodies = (state: MessageState, days: number): RetentionRule => ({
  target: { kind: 'bodies', state },
  ageSeconds: days * DAY,
});
const records = (state: MessageState, days: number): RetentionRule => ({
  target: { kind: 'records', state },
  ageSeconds: days * DAY,
});

export function describeRetentionContract(current: () => MessageStore): void {
  describe('retention', () => {
    const store = () => current();

    /** A message received at `receivedAt`, completed in `state` unless `completed` is false. */
    const message = async (
      receivedAt: Date,
      state: 'delivered' | 'nacked' = 'delivered',
      completed = true,
    ) => {
      const m = incoming({ receivedAt });
      const id = await beginNew(store(), m);
      if (completed) {
        await store().complete(id, {
          state,
          at: receivedAt,
          responses: state === 'nacked' ? [nack(m.senderEndpointId!)] : [],
        });
      }
      return { id, m };
    };

    it('clears the bodies of old completed messages in a state, keeping their records', async () => {
      const t = newEra();
      const old = await message(t(0));
      const recent = await message(t(20));
      const oldNacked = await message(t(0), 'nacked');
      const unfinished = await message(t(0), 'delivered', false);
      const rule = bodies('delivered', 10);

      expect(await store().retention.count(rule, t(15))).toBe(1);
      expect(await store().retention.prune(rule, t(15), 500)).toBe(1);
      expect(await store().retention.count(rule, t(15))).toBe(0);
      expect(await store().retention.prune(rule, t(15), 500)).toBe(0);

      expect(await store().originalBytes(old.id)).toBeUndefined();
      const [history] = await store().findByTrackingId(old.m.trackingId);
      expect(history?.record).toMatchObject({
        id: old.id,
        state: 'delivered',
        size: old.m.bytes.byteLength,
      });
      expect(history?.events.map((e) => e.state)).toEqual(['received', 'delivered']);
      // the duplicate check still knows it
      expect((await store().begin(old.m)).kind).toBe('existing');
      for (const kept of [recent, oldNacked, unfinished])
        expect(await store().originalBytes(kept.id)).toEqual(Buffer.from(kept.m.bytes));
    });

    it('deletes old records in a state with their events and answers, a batch at a time', async () => {
      const t = newEra();
      const old = [];
      for (let i = 0; i < 5; i++) old.push(await message(t(i), 'nacked'));
      const recent = await message(t(40), 'nacked');
      const delivered = await message(t(0));
      const unfinished = await message(t(0), 'delivered', false);
      const rule = records('nacked', 30);

      expect(await store().retention.count(rule, t(45))).toBe(5);
      const batches = [];
      for (let n = -1; n !== 0;) {
        n = await store().retention.prune(rule, t(45), 2);
        batches.push(n);
      }
      expect(batches).toEqual([2, 2, 1, 0]);

      for (const gone of old) {
        expect(await store().findByTrackingId(gone.m.trackingId)).toEqual([]);
        expect(await store().track(gone.m.trackingId)).toBeUndefined();
        expect(await store().responsesFor(gone.id)).toEqual([]);
      }
      // the duplicate check has forgotten it: the same tracking id again is new
      expect((await store().begin(old[0]!.m)).kind).toBe('new');
      for (const kept of [recent, delivered, unfinished])
        expect(await store().findByTrackingId(kept.m.trackingId)).toHaveLength(1);
    });

    it("takes a message's expected acks with its record", async () => {
      const t = newEra();
      const m = incoming({ receivedAt: t(0) });
      const id = await beginNew(store(), m);
      await store().addEvent(id, { state: 'delivered', at: t(0), endpointId: 'community' });
      await store().complete(id, {
        state: 'delivered',
        at: t(0),
        responses: [],
        expectedAcks: [{ kind: 'inf', endpointId: 'community', dueAt: t(1) }],
      });
      await store().acks.markOverdue(t(2), 100);
      expect((await store().acks.overdue()).map((a) => a.messageId)).toContain(id);

      expect(await store().retention.prune(records('ack-overdue', 10), t(20), 500)).toBe(1);
      expect((await store().acks.overdue()).map((a) => a.messageId)).not.toContain(id);
    });

    it('prunes a closed care plan after its age, never an open one', async () => {
      const t = newEra();
      const index = store().carePlans;
      const created = async (at: Date) => {
        const p = plan();
        await index.applyChange(change(p, { at }));
        return p;
      };
      const closed = async (at: Date) => {
        const p = await created(at);
        await index.applyChange(change(next(p, { status: 'closed' }), { event: 'closed', at }));
        await index.recordUpdateProposal({
          updateTrackingId: newTrackingId(),
          planId: p.planId,
          baseVersion: 2,
          endpointId: 'community',
          at,
        });
        return p;
      };
      const oldClosed = await closed(t(0));
      const recentlyClosed = await closed(t(50));
      const oldOpen = await created(t(0));
      const rule: RetentionRule = { target: { kind: 'closed-care-plans' }, ageSeconds: 30 * DAY };

      expect(await store().retention.count(rule, t(60))).toBe(1);
      expect(await store().retention.prune(rule, t(60), 500)).toBe(1);
      expect(await store().retention.prune(rule, t(60), 500)).toBe(0);
      expect(await index.getPlan(oldClosed.planId)).toBeUndefined();
      expect(await index.history(oldClosed.planId)).toEqual([]);
      expect((await index.getPlan(recentlyClosed.planId))?.closed).toBe(true);
      expect(await index.history(recentlyClosed.planId)).toHaveLength(2);
      expect((await index.getPlan(oldOpen.planId))?.closed).toBe(false);
      // much later, still only closed plans go
      expect(await store().retention.prune(rule, t(5000), 500)).toBe(1);
      expect(await index.getPlan(oldOpen.planId)).toBeDefined();
    });
  });
}
