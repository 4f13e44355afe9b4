/** Replay generation keys and lineage (pure parts of src/router/08-store/replay-generations.ts). */
import type { MessageHistory, MessageRecord } from '../../../src/router/08-store/message-store.js';
import {
  GENERATION_MARK,
  generationKey,
  generationKeys,
  MAX_REPLAY_GENERATION,
  recordKeyFields,
  replayDetail,
  replayGeneration,
  replayIdIn,
  splitGenerationKey,
  type ReplayLineage,
} from '../../../src/router/08-store/replay-generations.js';

const lineage: ReplayLineage = {
  replayOf: 'abc123def0',
  by: 'alice',
  reason: 'fixed (really) — retry',
  ignoreDuplicate: false,
  replayId: 'r-1',
};

describe('generation keys', () => {
  test('generation 0 is the tracking id itself; later ones carry the mark and the number', () => {
    expect(generationKey('T', 0)).toBe('T');
    expect(generationKey('T', 3)).toBe(`T${GENERATION_MARK}3`);
    expect(splitGenerationKey(`T${GENERATION_MARK}3`)).toEqual({ trackingId: 'T', generation: 3 });
    expect(splitGenerationKey('T')).toEqual({ trackingId: 'T', generation: 0 });
    expect(splitGenerationKey(`T${GENERATION_MARK}x`)).toEqual({
      trackingId: `T${GENERATION_MARK}x`,
      generation: 0,
    });
    expect(recordKeyFields('T')).toEqual({ trackingId: 'T' });
    expect(recordKeyFields(generationKey('T', 2))).toEqual({ trackingId: 'T', generation: 2 });
  });

  test('every key of a tracking id, generation 0 first', () => {
    const keys = generationKeys('T');
    expect(keys).toHaveLength(MAX_REPLAY_GENERATION + 1);
    expect(keys[0]).toBe('T');
    expect(keys.map((k) => splitGenerationKey(k).generation)).toEqual(keys.map((_, i) => i));
  });
});

describe('lineage', () => {
  test('the received event says where from, by whom and why, and names the replay', () => {
    const detail = replayDetail(lineage);
    expect(detail).toBe(
      'replayed from quarantine entry abc123def0 by alice: fixed (really) — retry (replay r-1)',
    );
    expect(replayIdIn(detail)).toBe('r-1');
    expect(replayIdIn(replayDetail({ ...lineage, ignoreDuplicate: true }))).toBe('r-1');
    expect(replayIdIn('something else')).toBeUndefined();
    expect(replayIdIn(null)).toBeUndefined();
  });
});

describe('replayGeneration', () => {
  const rec = (over: Partial<MessageRecord>): MessageRecord => ({
    id: 'x',
    trackingId: 'T',
    senderEndpointId: 'gp',
    brokerUser: 'gp',
    service: 's',
    interaction: null,
    senderAddress: null,
    receivedAt: new Date(0),
    size: 1,
    state: 'quarantined',
    outcome: 'quarantined',
    completedAt: new Date(1),
    ...over,
  });
  const h = (r: MessageRecord, details: string[] = []): MessageHistory => ({
    record: r,
    events: details.map((detail) => ({
      state: 'received' as const,
      at: new Date(0),
      detail,
      endpointId: null,
      code: null,
      ackTrackingId: null,
    })),
    responses: [],
  });

  test('none yet: a first attempt', () => {
    expect(replayGeneration([], lineage)).toBe(0);
  });
  test('after a quarantined attempt: the next generation', () => {
    expect(replayGeneration([h(rec({}))], lineage)).toBe(1);
    expect(replayGeneration([h(rec({})), h(rec({ generation: 1 }))], lineage)).toBe(2);
  });
  test('an unfinished latest attempt, or this very replay: that one', () => {
    expect(replayGeneration([h(rec({ completedAt: null, outcome: null }))], lineage)).toBe(0);
    const done = rec({ generation: 1, outcome: 'delivered' });
    expect(
      replayGeneration([h(rec({})), h(done, [replayDetail(lineage)])], {
        ...lineage,
        ignoreDuplicate: true,
      }),
    ).toBe(1);
  });
  test('after a processed attempt: that one (a duplicate), unless the check is overridden', () => {
    const delivered = rec({ outcome: 'delivered', state: 'delivered' });
    expect(replayGeneration([h(delivered)], lineage)).toBe(0);
    expect(replayGeneration([h(delivered)], { ...lineage, ignoreDuplicate: true })).toBe(1);
  });
});
