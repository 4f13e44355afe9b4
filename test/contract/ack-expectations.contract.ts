/**
 * Acknowledgement timeouts, part of the MessageStore contract (src/router/08-store/ack-expectations.ts):
 * expected acks recorded by `complete`, met by `correlate`, marked overdue once by `markOverdue`
 * (also from two connections at once), listed and counted.
 *
 * The database is shared by every contract test and `markOverdue` scans all of it, so each test
 * works in an era of its own, earlier than every earlier test's (its deadlines are before theirs,
 * and its "now" before their deadlines), and looks only at its own messages.
 */
import type { ExpectedAck, OverdueAck } from '../../src/router/08-store/ack-expectations.js';
import type { MessageStore } from '../../src/router/08-store/message-store.js';
import { beginNew, incoming, newTrackingId } from './store-fixtures.js';

let eras = 0;
/** A time `s` seconds into a new era (1 Jan 1990, 1985, 1980, … for successive calls). */
const newEra = (): ((s: number) => Date) => {
  const start = Date.UTC(1990 - 5 * eras++, 0, 1);
  return (s) => new Date(start + s * 1000);
};

const mine = (acks: readonly OverdueAck[], ids: readonly string[]) =>
  acks
    .filter((a) => ids.includes(a.messageId))
    .map((a) => [a.messageId, a.kind, a.endpointId])
    .sort();

export function describeAckExpectationsContract(
  current: () => MessageStore,
  open: () => Promise<MessageStore>,
): void {
  describe('acknowledgement timeouts', () => {
    const store = () => current();

    /** A message delivered to its recipients at t(0), completed with these expected acks. */
    const delivered = async (
      t: (s: number) => Date,
      expected: (trackingId: string) => ExpectedAck[],
      before?: (trackingId: string, id: string) => Promise<void>,
    ) => {
      const message = incoming({ receivedAt: t(0) });
      const id = await beginNew(store(), message);
      const acks = expected(message.trackingId);
      for (const endpointId of new Set(acks.map((a) => a.endpointId)))
        await store().addEvent(id, { state: 'delivered', at: t(0), endpointId });
      await before?.(message.trackingId, id);
      await store().complete(id, {
        state: 'delivered',
        at: t(0),
        responses: [],
        expectedAcks: acks,
      });
      return { id, message };
    };

    it('marks the acks past their deadline overdue, once, with an event naming each', async () => {
      const t = newEra();
      const { id, message } = await delivered(t, () => [
        { kind: 'inf', endpointId: 'community', dueAt: t(100) },
        { kind: 'inf', endpointId: 'hospice', dueAt: t(100) },
        { kind: 'bus', endpointId: 'community', dueAt: t(1000) },
      ]);
      expect(mine(await store().acks.markOverdue(t(99), 100), [id])).toEqual([]);

      const marked = await store().acks.markOverdue(t(150), 100);
      expect(marked.filter((a) => a.messageId === id)).toEqual([
        {
          messageId: id,
          trackingId: message.trackingId,
          senderEndpointId: message.senderEndpointId,
          service: message.service,
          kind: 'inf',
          endpointId: 'community',
          dueAt: t(100),
          markedAt: t(150),
        },
        expect.objectContaining({ kind: 'inf', endpointId: 'hospice', markedAt: t(150) }),
      ]);
      expect(mine(await store().acks.markOverdue(t(200), 100), [id])).toEqual([]);

      const [history] = await store().findByTrackingId(message.trackingId);
      expect(history?.record.state).toBe('ack-overdue');
      expect(history?.events.filter((e) => e.state === 'ack-overdue')).toEqual([
        {
          state: 'ack-overdue',
          at: t(150),
          detail: `inf ack not received by ${t(100).toISOString()}`,
          endpointId: 'community',
          code: null,
          ackTrackingId: null,
        },
        expect.objectContaining({ state: 'ack-overdue', endpointId: 'hospice' }),
      ]);
      expect(mine(await store().acks.overdue(), [id])).toEqual([
        [id, 'inf', 'community'],
        [id, 'inf', 'hospice'],
      ]);

      const bus = await store().acks.markOverdue(t(1000), 100);
      expect(bus.filter((a) => a.messageId === id)).toEqual([
        expect.objectContaining({ kind: 'bus', endpointId: 'community', dueAt: t(1000) }),
      ]);
      const [after] = await store().findByTrackingId(message.trackingId);
      expect(after?.events.at(-1)?.detail).toBe(
        `business ack not received by ${t(1000).toISOString()}`,
      );
    });

    it('lets a late ack still correlate: the message moves on and that ack is no longer overdue', async () => {
      const t = newEra();
      const { id, message } = await delivered(t, () => [
        { kind: 'inf', endpointId: 'community', dueAt: t(10) },
        { kind: 'inf', endpointId: 'hospice', dueAt: t(10) },
      ]);
      const before = await store().acks.countOverdue();
      await store().acks.markOverdue(t(20), 100);
      expect((await store().acks.countOverdue()).inf).toBe(before.inf + 2);

      const updated = await store().correlate(message.trackingId, {
        state: 'inf-acked',
        by: 'community',
        ackTrackingId: newTrackingId(),
        at: t(30),
      });
      expect(updated.map((r) => r.state)).toEqual(['inf-acked']);
      expect(mine(await store().acks.overdue(), [id])).toEqual([[id, 'inf', 'hospice']]);
      expect(await store().acks.countOverdue()).toEqual({ ...before, inf: before.inf + 1 });
    });

    it('never reports an ack that came in time, even one that overtook the completion', async () => {
      const t = newEra();
      const inTime = await delivered(t, () => [
        { kind: 'inf', endpointId: 'community', dueAt: t(100) },
      ]);
      await store().correlate(inTime.message.trackingId, {
        state: 'inf-acked',
        by: 'community',
        ackTrackingId: newTrackingId(),
        at: t(50),
      });
      const overtaken = await delivered(
        t,
        () => [
          { kind: 'inf', endpointId: 'community', dueAt: t(100) },
          { kind: 'bus', endpointId: 'community', dueAt: t(100) },
        ],
        async (trackingId) => {
          await store().correlate(trackingId, {
            state: 'inf-acked',
            by: 'community',
            ackTrackingId: newTrackingId(),
            at: t(1),
          });
        },
      );
      const ids = [inTime.id, overtaken.id];
      expect(mine(await store().acks.markOverdue(t(200), 100), ids)).toEqual([
        [overtaken.id, 'bus', 'community'],
      ]);
      const [history] = await store().findByTrackingId(inTime.message.trackingId);
      expect(history?.record.state).toBe('inf-acked');
      expect(history?.events.map((e) => e.state)).not.toContain('ack-overdue');
    });

    it('settles by what came: an inf ack the inf ack, a business ack or a nack both; from that recipient only', async () => {
      const t = newEra();
      const both = (): ExpectedAck[] =>
        ['community', 'hospice'].flatMap((endpointId) => [
          { kind: 'inf' as const, endpointId, dueAt: t(10) },
          { kind: 'bus' as const, endpointId, dueAt: t(10) },
        ]);
      const answered = async (state: 'inf-acked' | 'bus-acked' | 'nacked') => {
        const m = await delivered(t, both);
        await store().correlate(m.message.trackingId, {
          state,
          by: 'community',
          ackTrackingId: newTrackingId(),
          at: t(5),
        });
        return m;
      };
      const inf = await answered('inf-acked');
      const bus = await answered('bus-acked');
      const nack = await answered('nacked');
      const ids = [inf.id, bus.id, nack.id];
      const marked = await store().acks.markOverdue(t(20), 100);
      expect(mine(marked, ids)).toEqual(
        [
          [inf.id, 'bus', 'community'],
          [inf.id, 'bus', 'hospice'],
          [inf.id, 'inf', 'hospice'],
          [bus.id, 'bus', 'hospice'],
          [bus.id, 'inf', 'hospice'],
          [nack.id, 'bus', 'hospice'],
          [nack.id, 'inf', 'hospice'],
        ].sort(),
      );
      // forward only: a message already further on keeps its state, with the event in its history
      const [history] = await store().findByTrackingId(bus.message.trackingId);
      expect(history?.record.state).toBe('bus-acked');
      expect(history?.events.filter((e) => e.state === 'ack-overdue')).toHaveLength(2);
      const [nacked] = await store().findByTrackingId(nack.message.trackingId);
      expect(nacked?.record.state).toBe('nacked');
    });

    it('marks at most `limit` at a time, the oldest deadline first', async () => {
      const t = newEra();
      const messages = [];
      for (const due of [30, 10, 20])
        messages.push(
          await delivered(t, () => [{ kind: 'inf', endpointId: 'community', dueAt: t(due) }]),
        );
      const ids = messages.map((m) => m.id);
      const first = await store().acks.markOverdue(t(100), 2);
      expect(first.map((a) => a.messageId)).toEqual([ids[1], ids[2]]);
      const second = await store().acks.markOverdue(t(100), 2);
      expect(second.map((a) => a.messageId)).toEqual([ids[0]]);
      expect(await store().acks.markOverdue(t(100), 2)).toEqual([]);
      const listed = (await store().acks.overdue()).filter((a) => ids.includes(a.messageId));
      expect(listed.map((a) => a.messageId)).toEqual([ids[1], ids[2], ids[0]]);
    });

    it('marks each ack once when two connections scan at once', async () => {
      const t = newEra();
      const other = await open();
      const messages = [];
      for (let i = 0; i < 12; i++)
        messages.push(
          await delivered(t, () => [
            { kind: 'inf', endpointId: 'community', dueAt: t(i) },
            { kind: 'inf', endpointId: 'hospice', dueAt: t(i) },
          ]),
        );
      const ids = messages.map((m) => m.id);
      const scans = await Promise.all([
        store().acks.markOverdue(t(100), 5),
        other.acks.markOverdue(t(100), 5),
        store().acks.markOverdue(t(100), 5),
        other.acks.markOverdue(t(100), 5),
        store().acks.markOverdue(t(100), 5),
        other.acks.markOverdue(t(100), 5),
      ]);
      // a scan that found every candidate held by the other may leave some for the next one
      for (let more: readonly OverdueAck[] = scans.flat(); more.length > 0;) {
        more = await store().acks.markOverdue(t(100), 5);
        scans.push(more);
      }
      const all = mine(scans.flat(), ids);
      expect(all).toHaveLength(24);
      expect(new Set(all.map((a) => a.join(' '))).size).toBe(all.length);
      for (const m of messages) {
        const [history] = await store().findByTrackingId(m.message.trackingId);
        expect(history?.events.filter((e) => e.state === 'ack-overdue')).toHaveLength(2);
      }
      expect(mine(await store().acks.overdue(), ids)).toHaveLength(24);
    });
  });
}
