/**
 * The care-plan index part of the MessageStore contract: compare-and-set per version (also
 * between two connections at once), idempotent redelivery, update proposals linked to the
 * version that accepts them, lookups by patient, and history.
 */
import type { MessageStore } from '../../src/router/08-store/message-store.js';
import { change, newNhsNumber, next, plan, type PlanFields } from './careplan-fixtures.js';
import { at, newEndpoint, newTrackingId } from './store-fixtures.js';

const indexed = (p: PlanFields, closed = false) => ({ ...p, closed });

export function describeCarePlanIndexContract(
  current: () => MessageStore,
  open: () => Promise<MessageStore>,
): void {
  describe('care-plan index', () => {
    const index = () => current().carePlans;

    it('creates a plan at version 1, and reads it back exactly', async () => {
      const p = plan({ consentToShare: false, sharedWith: [] });
      expect(await index().getPlan(p.planId)).toBeUndefined();
      expect(await index().applyChange(change(p))).toEqual({
        applied: true,
        updateTrackingId: null,
      });
      expect(await index().getPlan(p.planId)).toEqual(indexed(p));
      const shared = plan({ sharedWith: ['urn:a', 'urn:b', 'urn:c'] });
      await index().applyChange(change(shared));
      expect((await index().getPlan(shared.planId))?.sharedWith).toEqual([
        'urn:a',
        'urn:b',
        'urn:c',
      ]);
    });

    it('applies a version only over the expected one, else says what the index holds', async () => {
      const v1 = plan();
      await index().applyChange(change(v1));
      expect(await index().applyChange(change(v1))).toEqual({
        applied: false,
        current: indexed(v1),
      });

      const v2 = next(v1, { title: 'Revised', status: 'active', sharedWith: ['urn:x'] });
      expect(await index().applyChange(change(v2))).toEqual({
        applied: true,
        updateTrackingId: null,
      });
      expect(await index().getPlan(v1.planId)).toEqual(indexed(v2));

      const stale = next(v1, { title: 'Stale copy' });
      expect(await index().applyChange(change(stale))).toEqual({
        applied: false,
        current: indexed(v2),
      });
      const skipping = next(next(v2));
      expect(await index().applyChange(change(skipping, { expectedVersion: 1 }))).toEqual({
        applied: false,
        current: indexed(v2),
      });
      const unknown = plan({ version: 4 });
      expect(await index().applyChange(change(unknown))).toEqual({
        applied: false,
        current: undefined,
      });
      expect(await index().getPlan(unknown.planId)).toBeUndefined();
      expect((await index().history(v1.planId)).map((v) => v.version)).toEqual([1, 2]);
    });

    it('marks a plan closed by a `closed` notification', async () => {
      const v1 = plan();
      await index().applyChange(change(v1));
      const v2 = next(v1, { status: 'closed' });
      await index().applyChange(change(v2, { event: 'closed' }));
      expect(await index().getPlan(v1.planId)).toEqual(indexed(v2, true));
    });

    it('succeeds without change when the same notification is applied again', async () => {
      const v1 = plan();
      const created = change(v1);
      await index().applyChange(created);
      const v2 = next(v1, { title: 'Revised' });
      await index().applyChange(change(v2));
      const before = await index().history(v1.planId);

      // The redelivered creation: the index already moved on to version 2.
      expect(await index().applyChange(created)).toMatchObject({ applied: true });
      expect(await index().applyChange({ ...created, at: at(50) })).toMatchObject({
        applied: true,
      });
      expect(await index().getPlan(v1.planId)).toEqual(indexed(v2));
      expect(await index().history(v1.planId)).toEqual(before);
    });

    it('judges each change of one turn on its own: new plans, versions, conflicts, redeliveries', async () => {
      const [held, stale] = [plan(), plan()];
      const redelivered = change(plan());
      for (const c of [change(held), change(stale), redelivered]) await index().applyChange(c);
      const staleV2 = next(stale, { title: 'Moved on' });
      await index().applyChange(change(staleV2));
      const [a, b] = [plan(), plan({ sharedWith: [] })];
      const heldV2 = next(held, { title: 'Second' });
      const closedA = next(a, { status: 'closed' });
      const createA = change(a);

      // All asked for in one turn, so in one batch of the store.
      const results = await Promise.all([
        index().applyChange(createA),
        index().applyChange(change(heldV2)),
        index().applyChange(change(next(stale), { expectedVersion: 1 })),
        index().applyChange(redelivered),
        index().applyChange(change(b)),
        index().applyChange(createA), // the same notification twice in the turn
        index().applyChange(change(plan({ version: 3 }))),
      ]);
      expect(results).toEqual([
        { applied: true, updateTrackingId: null },
        { applied: true, updateTrackingId: null },
        { applied: false, current: indexed(staleV2) },
        { applied: true, updateTrackingId: null },
        { applied: true, updateTrackingId: null },
        { applied: true, updateTrackingId: null },
        { applied: false, current: undefined },
      ]);
      expect(await index().getPlan(a.planId)).toEqual(indexed(a));
      expect(await index().getPlan(b.planId)).toEqual(indexed(b));
      expect(await index().getPlan(held.planId)).toEqual(indexed(heldV2));
      expect((await index().history(a.planId)).map((v) => v.version)).toEqual([1]);

      // A plan's versions in one turn, each over the one before: applied in the order asked.
      expect(
        await Promise.all([
          index().applyChange(change(closedA, { event: 'closed' })),
          index().applyChange(change(next(closedA))),
        ]),
      ).toEqual([
        { applied: true, updateTrackingId: null },
        { applied: true, updateTrackingId: null },
      ]);
      const plans = await Promise.all([a, b, held].map((p) => index().getPlan(p.planId)));
      expect(plans.map((p) => p?.version)).toEqual([3, 1, 2]);
      expect((await index().history(a.planId)).map((v) => v.event)).toEqual([
        'created',
        'closed',
        'updated',
      ]);
    });

    it('lets exactly one of two connections apply the same version at once', async () => {
      const other = await open();
      const plans = Array.from({ length: 10 }, () => plan());
      await Promise.all(plans.map((p) => index().applyChange(change(p))));
      const rivals = plans.map((p) => [
        change(next(p, { title: 'From this connection' })),
        change(next(p, { title: 'From the other' }), { endpointId: newEndpoint('hospice') }),
      ]);
      const results = await Promise.all(
        rivals.flatMap(([a, b]) => [index().applyChange(a!), other.carePlans.applyChange(b!)]),
      );
      for (const [i, p] of plans.entries()) {
        const pair = [results[2 * i]!, results[2 * i + 1]!];
        const winner = pair.findIndex((r) => r.applied);
        expect(pair.filter((r) => r.applied)).toHaveLength(1);
        const won = rivals[i]![winner]!;
        expect(pair[1 - winner]).toEqual({ applied: false, current: indexed(won.plan) });
        const history = await other.carePlans.history(p.planId);
        expect(history.map((v) => [v.version, v.trackingId])).toEqual([
          [1, expect.any(String)],
          [2, won.trackingId],
        ]);
      }
    });

    it('lets exactly one of two connections create the same plan at once', async () => {
      const other = await open();
      const plans = Array.from({ length: 10 }, () => plan());
      const results = await Promise.all(
        plans.flatMap((p) => [
          index().applyChange(change(p)),
          other.carePlans.applyChange(change({ ...p, title: 'Rival' })),
        ]),
      );
      for (const [i, p] of plans.entries()) {
        const pair = [results[2 * i]!, results[2 * i + 1]!];
        expect(pair.filter((r) => r.applied)).toHaveLength(1);
        const held = await index().getPlan(p.planId);
        expect(pair.find((r) => !r.applied)).toEqual({ applied: false, current: held });
        expect(await index().history(p.planId)).toHaveLength(1);
      }
    });

    it('applies one notification delivered to two connections at once exactly once', async () => {
      const other = await open();
      const plans = Array.from({ length: 10 }, () => plan());
      await Promise.all(plans.map((p) => index().applyChange(change(p))));
      const changes = plans.map((p) => change(next(p)));
      const results = await Promise.all(
        changes.flatMap((c) => [index().applyChange(c), other.carePlans.applyChange(c)]),
      );
      expect(results.every((r) => r.applied)).toBe(true);
      for (const c of changes) {
        const history = await index().history(c.plan.planId);
        expect(history.map((v) => [v.version, v.trackingId])).toEqual([
          [1, expect.any(String)],
          [2, c.trackingId],
        ]);
      }
    });

    it('links the oldest pending update on the replaced version to the version that accepts it', async () => {
      const v1 = plan();
      await index().applyChange(change(v1));
      const proposal = (baseVersion: number, second: number, id = newTrackingId()) => ({
        updateTrackingId: id,
        planId: v1.planId,
        baseVersion,
        endpointId: newEndpoint('hospice'),
        at: at(second),
      });
      const later = proposal(1, 20);
      const oldest = proposal(1, 10);
      const onV2 = proposal(2, 5);
      for (const p of [later, oldest, onV2]) await index().recordUpdateProposal(p);
      // Recording the same update again (a redelivery) keeps the first record.
      await index().recordUpdateProposal({ ...oldest, at: at(30) });
      await index().recordUpdateProposal({ ...later, at: at(1) });

      const v2 = next(v1);
      expect(await index().applyChange(change(v2))).toEqual({
        applied: true,
        updateTrackingId: oldest.updateTrackingId,
      });
      const v3 = next(v2);
      expect(await index().applyChange(change(v3))).toEqual({
        applied: true,
        updateTrackingId: onV2.updateTrackingId,
      });
      const v4 = next(v3);
      expect(await index().applyChange(change(v4))).toEqual({
        applied: true,
        updateTrackingId: null,
      });
      const linked = (await index().history(v1.planId)).map((v) => [v.version, v.updateTrackingId]);
      expect(linked).toEqual([
        [1, null],
        [2, oldest.updateTrackingId],
        [3, onV2.updateTrackingId],
        [4, null],
      ]);
    });

    it('never links an update the owner rejected (withdrawn) to a later version', async () => {
      const v1 = plan();
      await index().applyChange(change(v1));
      const rejected = {
        updateTrackingId: newTrackingId(),
        planId: v1.planId,
        baseVersion: 1,
        endpointId: newEndpoint('community'),
        at: at(1),
      };
      await index().recordUpdateProposal(rejected);
      const owner = v1.ownerEndpointId;
      // not the owner, or not the proposer named: nothing is withdrawn
      const stranger = newEndpoint('hospice');
      const by = { ownerEndpointId: owner, proposerEndpointId: rejected.endpointId };
      await index().withdrawUpdateProposal(rejected.updateTrackingId, {
        ...by,
        ownerEndpointId: stranger,
      });
      await index().withdrawUpdateProposal(rejected.updateTrackingId, {
        ...by,
        proposerEndpointId: stranger,
      });
      const kept = await index().applyChange(change(next(v1)));
      expect(kept).toEqual({ applied: true, updateTrackingId: rejected.updateTrackingId });
      const v2 = next(v1);
      const again = { ...rejected, updateTrackingId: newTrackingId(), baseVersion: 2, at: at(2) };
      await index().recordUpdateProposal(again);
      await index().withdrawUpdateProposal(again.updateTrackingId, by);
      await index().withdrawUpdateProposal(newTrackingId(), by); // an unknown one: nothing happens
      expect(await index().applyChange(change(next(v2)))).toEqual({
        applied: true,
        updateTrackingId: null,
      });
    });

    it("finds a patient's plans, newest update first, optionally of one type", async () => {
      const nhsNumber = newNhsNumber();
      const mk = (planType: string, lastUpdated: string) =>
        plan({ nhsNumber, planType, lastUpdated });
      const oldest = mk('eolc', '2025-01-05T10:00:00Z');
      const newest = mk('mental-health', '2025-03-02T08:00:00Z');
      const tieA = mk('eolc', '2025-02-01T12:00:00Z');
      const tieB = mk('eolc', '2025-02-01T12:00:00Z');
      const elsewhere = plan({ planType: 'eolc' });
      for (const p of [oldest, tieB, newest, elsewhere, tieA]) await index().applyChange(change(p));
      const ties = [tieA, tieB].sort((a, b) => (a.planId < b.planId ? -1 : 1));

      const all = await index().findPlans(nhsNumber);
      expect(all.map((p) => p.planId)).toEqual([newest, ...ties, oldest].map((p) => p.planId));
      expect(all[0]).toEqual(indexed(newest));
      const eolc = await index().findPlans(nhsNumber, 'eolc');
      expect(eolc.map((p) => p.planId)).toEqual([...ties, oldest].map((p) => p.planId));
      expect(await index().findPlans(nhsNumber, 'asthma')).toEqual([]);
      expect(await index().findPlans(newNhsNumber())).toEqual([]);

      // An update that makes the oldest the newest moves it to the front.
      await index().applyChange(change(next(oldest, { lastUpdated: '2025-04-01T00:00:00Z' })));
      expect((await index().findPlans(nhsNumber))[0]?.planId).toBe(oldest.planId);
    });

    it("keeps every version's history, oldest first, and none for an unknown plan", async () => {
      const v1 = plan();
      const c1 = change(v1, { at: at(1) });
      const c2 = change(next(v1, { ownerEndpointId: newEndpoint('hospice') }), {
        event: 'owner-changed',
        endpointId: v1.ownerEndpointId,
        at: at(2),
      });
      const c3 = change(next(c2.plan, { status: 'closed' }), { event: 'closed', at: at(3) });
      for (const c of [c1, c2, c3]) await index().applyChange(c);
      expect(await index().history(v1.planId)).toEqual(
        [c1, c2, c3].map((c) => ({
          version: c.plan.version,
          event: c.event,
          endpointId: c.endpointId,
          trackingId: c.trackingId,
          updateTrackingId: null,
          at: c.at,
        })),
      );
      expect(await index().history(plan().planId)).toEqual([]);
    });
  });
}
