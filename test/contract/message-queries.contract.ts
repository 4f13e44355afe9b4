/**
 * The console's message search and figures, part of the MessageStore contract
 * (src/router/08-store/message-queries.ts): each filter alone and together, newest first, pages
 * that neither skip nor repeat, and the dashboard's counts over a window. Each test works in a
 * day of its own in 1990 + n and with end points of its own, so the shared database's other rows
 * never match.
 */
import { decodeCursor, encodeCursor } from '../../src/router/08-store/message-queries.js';
import type { MessageStore } from '../../src/router/08-store/message-store.js';
import { change, next, plan } from './careplan-fixtures.js';
import { beginNew, incoming, nack, newEndpoint } from './store-fixtures.js';

let days = 0;
const newDay = () => {
  const start = Date.UTC(1990 + days++, 5, 1);
  return (s: number) => new Date(start + s * 1000);
};

export function describeMessageQueriesContract(current: () => MessageStore): void {
  describe('message queries', () => {
    const store = () => current();

    it('finds by each filter, newest first, with recipients and last change', async () => {
      const at = newDay();
      const gp = newEndpoint('gp');
      const hospice = newEndpoint('hospice');
      const ooh = newEndpoint('ooh');
      const svc = `urn:test:service:${gp}`;
      const a = incoming({ senderEndpointId: gp, receivedAt: at(0), service: svc });
      const b = incoming({ senderEndpointId: gp, receivedAt: at(10) });
      const c = incoming({ senderEndpointId: hospice, receivedAt: at(20), service: svc });
      const ida = await beginNew(store(), a);
      const idb = await beginNew(store(), b);
      await beginNew(store(), c);
      await store().addEvent(ida, { state: 'delivered', at: at(1), endpointId: hospice });
      await store().addEvent(ida, { state: 'delivered', at: at(2), endpointId: ooh });
      await store().complete(ida, { state: 'delivered', at: at(3), responses: [] });
      await store().complete(idb, {
        state: 'nacked',
        at: at(11),
        responses: [nack(gp)],
        code: '1000',
      });

      const ids = async (f: Parameters<MessageStore['queries']['search']>[0]) =>
        (await store().queries.search(f, 10)).map((m) => m.trackingId);
      expect(await ids({ sender: gp })).toEqual([b.trackingId, a.trackingId]);
      expect(await ids({ recipient: ooh })).toEqual([a.trackingId]);
      expect(await ids({ service: svc })).toEqual([c.trackingId, a.trackingId]);
      expect(await ids({ trackingId: b.trackingId })).toEqual([b.trackingId]);
      expect(await ids({ sender: gp, state: 'nacked' })).toEqual([b.trackingId]);
      expect(await ids({ service: svc, since: at(5), until: at(30) })).toEqual([c.trackingId]);
      expect(await ids({ service: svc, until: at(20) })).toEqual([a.trackingId]);

      const [found] = await store().queries.search({ trackingId: a.trackingId }, 10);
      expect(found).toEqual({
        id: ida,
        trackingId: a.trackingId,
        senderEndpointId: gp,
        service: svc,
        state: 'delivered',
        outcome: 'delivered',
        receivedAt: at(0),
        lastChange: at(3),
        recipients: [hospice, ooh],
      });
    });

    it('pages through the matches without skipping or repeating one, by cursor', async () => {
      const at = newDay();
      const gp = newEndpoint('gp');
      const sent = [];
      for (let i = 0; i < 7; i++) {
        // two messages per second: the id breaks the tie
        const m = incoming({ senderEndpointId: gp, receivedAt: at(Math.floor(i / 2)) });
        await beginNew(store(), m);
        sent.push(m.trackingId);
      }
      const seen: string[] = [];
      let after;
      for (;;) {
        const page = await store().queries.search({ sender: gp }, 3, after);
        seen.push(...page.map((m) => m.trackingId));
        if (page.length < 3) break;
        const last = page.at(-1)!;
        after = decodeCursor(encodeCursor(last));
      }
      expect(seen).toHaveLength(7);
      expect(new Set(seen)).toEqual(new Set(sent));
    });

    it('names the care-plan versions a tracking id made, and none for another', async () => {
      const v1 = plan();
      const created = change(v1);
      await store().carePlans.applyChange(created);
      const updated = change(next(v1));
      await store().carePlans.applyChange(updated);
      expect(await store().queries.planVersionsOf(updated.trackingId)).toEqual([
        {
          planId: v1.planId,
          version: 2,
          event: 'updated',
          endpointId: v1.ownerEndpointId,
          at: updated.at,
        },
      ]);
      expect(await store().queries.planVersionsOf(created.trackingId)).toHaveLength(1);
      expect(await store().queries.planVersionsOf('NOT-A-PLAN-TRACKING-ID')).toEqual([]);
    });

    it("counts a window's messages by bucket and outcome, nacks by code, and latencies", async () => {
      const at = newDay();
      const gp = newEndpoint('gp');
      const m1 = await beginNew(store(), incoming({ senderEndpointId: gp, receivedAt: at(0) }));
      const m2 = await beginNew(store(), incoming({ senderEndpointId: gp, receivedAt: at(30) }));
      await beginNew(store(), incoming({ senderEndpointId: gp, receivedAt: at(70) }));
      await store().complete(m1, { state: 'delivered', at: at(2), responses: [] });
      await store().complete(m2, {
        state: 'nacked',
        at: at(30.5),
        responses: [nack(gp)],
        code: '2200',
      });
      const s = await store().queries.stats(at(0), at(120), 60);
      expect(s.buckets).toEqual([
        { at: at(0), outcomes: { delivered: 1, nacked: 1 } },
        { at: at(60), outcomes: { 'in-progress': 1 } },
      ]);
      expect(s.nacksByCode).toEqual({ '2200': 1 });
      expect(s.latenciesMs).toEqual([500, 2000]);
    });
  });
}
