/**
 * The store's own message ids: UUIDs of version 7 (RFC 9562), whose first 48 bits are the time in
 * milliseconds and the rest random. A new id sorts after older ones, so every index keyed by
 * message id (the messages' primary key, their events, their expected acks) grows at its right-hand
 * edge: one group commit of many messages writes a few shared pages there instead of one random
 * page per message per index. Measured: a third less store time per message (docs/operations.md,
 * "Throughput").
 */
import { randomBytes } from 'node:crypto';

export function newMessageId(now: number = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
