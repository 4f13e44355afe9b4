/** The router's background housekeeping: the ack-overdue watch and retention, on fake stores. */
import { jest } from '@jest/globals';
import type { AckExpectations, OverdueAck } from '../../../src/router/08-store/ack-expectations.js';
import type { RetentionRule, RetentionStore } from '../../../src/router/08-store/retention.js';
import { markOverdueAcks, watchIntervalMs } from '../../../src/router/10-ops/ack-overdue-watch.js';
import { silentLogger } from '../../../src/router/00-common/logger.js';
import { startPeriodicTask } from '../../../src/router/10-ops/periodic-task.js';
import {
  previewRetention,
  pruneOnce,
  summarize,
} from '../../../src/router/10-ops/retention-task.js';
import type { RetentionConfig } from '../../../src/router/01-config/index.js';

const now = new Date('2025-03-01T10:00:00.000Z');
const overdue = (i: number): OverdueAck => ({
  messageId: `m${i}`,
  trackingId: `T${i}`,
  senderEndpointId: 'riverside-gp',
  service: 'urn:nhs-itk:services:201005:sendDistEnvelope',
  kind: 'inf',
  endpointId: 'riverside-community',
  dueAt: new Date(now.getTime() - 90_000),
  markedAt: now,
});

describe('the ack-overdue watch', () => {
  test('checks every quarter of the shorter timeout, at most every 30 s', () => {
    expect(watchIntervalMs({ infAckTimeoutSeconds: 2, busAckTimeoutSeconds: 3600 })).toBe(500);
    expect(watchIntervalMs({ infAckTimeoutSeconds: 300, busAckTimeoutSeconds: 86_400 })).toBe(
      30_000,
    );
  });

  test('marks batch after batch until a batch is short, and logs each with its tracking id', async () => {
    const batches = [[overdue(1), overdue(2)], [overdue(3), overdue(4)], [overdue(5)]];
    const calls: [Date, number][] = [];
    const acks: AckExpectations = {
      markOverdue: async (at, limit) => {
        calls.push([at, limit]);
        return batches.shift() ?? [];
      },
      overdue: async () => [],
      countOverdue: async () => ({ inf: 0, bus: 0 }),
    };
    const log = silentLogger();
    const warn = jest.spyOn(log, 'warn');
    const marked = await markOverdueAcks({ acks, log, batchSize: 2, now });
    expect(marked.map((a) => a.trackingId)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5']);
    expect(calls).toEqual([
      [now, 2],
      [now, 2],
      [now, 2],
    ]);
    expect(warn).toHaveBeenCalledTimes(5);
    expect(warn).toHaveBeenCalledWith('acknowledgement overdue', {
      trackingId: 'T1',
      sender: 'riverside-gp',
      ack: 'inf',
      from: 'riverside-community',
      dueAt: '2025-03-01T09:58:30.000Z',
      lateSeconds: 90,
      detail: 'no inf ack from riverside-community',
    });
  });
});

describe('retention', () => {
  const policy: RetentionConfig = {
    intervalSeconds: 60,
    batchSize: 3,
    bodies: { delivered: 7 * 86_400 },
    records: { nacked: 30 * 86_400 },
    closedCarePlans: 365 * 86_400,
  };
  const fakeStore = (due: Record<string, number>) => {
    const calls: string[] = [];
    const key = (r: RetentionRule) =>
      r.target.kind === 'closed-care-plans' ? 'plans' : `${r.target.kind}.${r.target.state}`;
    const store: RetentionStore = {
      prune: async (rule, _at, limit) => {
        const k = key(rule);
        calls.push(k);
        const n = Math.min(limit, due[k] ?? 0);
        due[k] = (due[k] ?? 0) - n;
        return n;
      },
      count: async (rule) => due[key(rule)] ?? 0,
    };
    return { store, calls };
  };

  test('prunes bodies, then records, then closed plans, a batch at a time until a batch is short', async () => {
    const { store, calls } = fakeStore({ 'bodies.delivered': 7, 'records.nacked': 3, plans: 1 });
    const counts = await pruneOnce(store, policy, { now });
    expect(calls).toEqual([
      'bodies.delivered',
      'bodies.delivered',
      'bodies.delivered',
      'records.nacked',
      'records.nacked',
      'plans',
    ]);
    expect(counts.map((c) => c.count)).toEqual([7, 3, 1]);
    expect(counts[0]!.before).toEqual(new Date('2025-02-22T10:00:00.000Z'));
    expect(summarize(counts)).toEqual({
      'bodies.delivered': 7,
      'records.nacked': 3,
      closedCarePlans: 1,
    });
  });

  test('stops between batches once aborted', async () => {
    const { store, calls } = fakeStore({ 'bodies.delivered': 100, 'records.nacked': 3 });
    const aborter = new AbortController();
    const counting: RetentionStore = {
      ...store,
      prune: async (...args) => {
        const n = await store.prune(...args);
        if (calls.length === 2) aborter.abort();
        return n;
      },
    };
    const counts = await pruneOnce(counting, policy, { now, signal: aborter.signal });
    expect(calls).toEqual(['bodies.delivered', 'bodies.delivered']);
    expect(counts.map((c) => c.count)).toEqual([6]);
  });

  test('a dry run only counts', async () => {
    const { store, calls } = fakeStore({ 'bodies.delivered': 7, plans: 2 });
    const counts = await previewRetention(store, policy, now);
    expect(counts.map((c) => c.count)).toEqual([7, 0, 2]);
    expect(calls).toEqual([]);
  });
});

describe('periodic tasks', () => {
  test('run every interval, never two at once, survive a failing run, and stop waiting for the current one', async () => {
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const log = silentLogger();
    const warn = jest.spyOn(log, 'warn');
    const task = startPeriodicTask({
      name: 'test task',
      intervalMs: 5,
      log,
      run: async () => {
        runs++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((resolve) => setTimeout(resolve, 10));
        concurrent--;
        if (runs === 2) throw new Error('store busy');
      },
    });
    await Promise.all([task.runNow(), task.runNow()]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await task.stop();
    const after = runs;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(after);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(maxConcurrent).toBe(1);
    expect(concurrent).toBe(0);
    expect(warn).toHaveBeenCalledWith('test task failed; trying again at the next interval', {
      error: 'store busy',
    });
  });
});
