/**
 * The audit log, part of the MessageStore contract (src/router/08-store/audit-log.ts): rows kept
 * as written, listed newest first by every filter, paged, pruned oldest first by age.
 * The database is shared by the contract tests: each test uses actors of its own and an era of
 * its own (1970s, before everything else) for pruning.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../../src/router/08-store/audit-log.js';
import type { MessageStore } from '../../src/router/08-store/message-store.js';

const actor = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;
const t = (s: number) => new Date(Date.UTC(2026, 11, 8, 9, 0, s));

export function describeAuditLogContract(current: () => MessageStore): void {
  describe('audit log', () => {
    const store = () => current();

    it('keeps each row as written and lists them newest first, by user, action and time', async () => {
      const alice = actor('alice');
      const bob = actor('bob');
      const rows: AuditEntry[] = [
        {
          at: t(1),
          actor: alice,
          role: 'operator',
          action: 'sign-in',
          outcome: 'ok',
          client: '10.0.0.1',
        },
        {
          at: t(2),
          actor: alice,
          role: 'operator',
          action: 'body-view',
          target: 'A-TRACKING-ID',
          outcome: 'ok',
          client: '10.0.0.1',
        },
        { at: t(3), actor: bob, action: 'sign-in-refused', outcome: 'refused', client: '10.0.0.2' },
        {
          at: t(4),
          actor: alice,
          role: 'operator',
          action: 'quarantine-replay',
          target: 'abc123',
          detail: 'fixed the routes',
          outcome: 'ok',
          client: '10.0.0.1',
        },
      ];
      for (const r of rows) await store().audit.record(r);

      const mine = await store().audit.list({ actor: alice, limit: 10 });
      expect(mine.map(({ seq: _seq, ...rest }) => rest)).toEqual([rows[3], rows[1], rows[0]]);
      expect(mine[0]!.seq).toBeGreaterThan(mine[1]!.seq);

      expect((await store().audit.list({ actor: bob, limit: 10 })).map((r) => r.action)).toEqual([
        'sign-in-refused',
      ]);
      const views = await store().audit.list({ actor: alice, action: 'body-view', limit: 10 });
      expect(views.map((r) => r.target)).toEqual(['A-TRACKING-ID']);
      const window = await store().audit.list({
        actor: alice,
        since: t(2),
        until: t(4),
        limit: 10,
      });
      expect(window.map((r) => r.action)).toEqual(['body-view']);
    });

    it('pages by sequence number', async () => {
      const carol = actor('carol');
      for (let i = 0; i < 5; i++)
        await store().audit.record({
          at: t(10 + i),
          actor: carol,
          action: 'careplan-lookup',
          target: `943476591${i}`,
          outcome: 'ok',
          client: 'x',
        });
      const first = await store().audit.list({ actor: carol, limit: 2 });
      const second = await store().audit.list({ actor: carol, limit: 2, beforeSeq: first[1]!.seq });
      const third = await store().audit.list({ actor: carol, limit: 2, beforeSeq: second[1]!.seq });
      expect([...first, ...second, ...third].map((r) => r.target)).toEqual([
        '9434765914',
        '9434765913',
        '9434765912',
        '9434765911',
        '9434765910',
      ]);
    });

    it('prunes rows older than a time, oldest first, at most a batch at a time', async () => {
      const dave = actor('dave');
      const old = (d: number) => new Date(Date.UTC(1970, 0, d));
      for (const d of [1, 2, 3])
        await store().audit.record({
          at: old(d),
          actor: dave,
          action: 'sign-in',
          outcome: 'ok',
          client: 'x',
        });
      await store().audit.record({
        at: t(0),
        actor: dave,
        action: 'sign-out',
        outcome: 'ok',
        client: 'x',
      });
      expect(await store().audit.prune(old(3), 1)).toBe(1);
      expect((await store().audit.list({ actor: dave, limit: 10 })).map((r) => r.at)).toEqual([
        t(0),
        old(3),
        old(2),
      ]);
      expect(await store().audit.prune(old(3), 10)).toBe(1);
      expect(await store().audit.prune(old(3), 10)).toBe(0);
      expect((await store().audit.list({ actor: dave, limit: 10 })).map((r) => r.action)).toEqual([
        'sign-out',
        'sign-in',
      ]);
    });
  });
}
