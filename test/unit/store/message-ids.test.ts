import { newMessageId } from '../../../src/router/08-store/message-ids.js';

describe('message ids (UUID version 7)', () => {
  test('are UUIDs of version 7, variant 10, that carry the time in their first 48 bits', () => {
    const at = Date.UTC(2026, 10, 26, 3, 0, 0, 123);
    const id = newMessageId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  test('sort in time order across milliseconds, and differ within one', () => {
    const ids = [0, 1, 2, 1000, 86_400_000].map((d) => newMessageId(1_764_000_000_000 + d));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 1000 }, () => newMessageId(1_764_000_000_000)));
    expect(same.size).toBe(1000);
  });
});
