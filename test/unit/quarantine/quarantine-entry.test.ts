/** Quarantine entries as the ops tool sees them: ids, reasons, selection (pure). */
import { createHash } from 'node:crypto';
import {
  amqpTime,
  reasonOf,
  selectEntries,
  sniffTrackingId,
  toEntries,
  unreadableKey,
  type QuarantinedMessage,
} from '../../../src/tools/quarantine/quarantine-entry.js';

const TID = '6B1C0C1E-8F0D-4D84-9C2B-3A0B6C9D1E2F';
const de = (trackingId = TID) =>
  Buffer.from(
    `<?xml version="1.0"?><itk:DistributionEnvelope xmlns:itk="urn:nhs-itk:ns:201005">` +
      `<itk:header service="urn:x" trackingid="${trackingId}"/></itk:DistributionEnvelope>`,
  );

const quarantined = (
  body: Buffer,
  headers: Record<string, unknown>,
  properties: Partial<QuarantinedMessage['properties']> = {},
): QuarantinedMessage => ({
  content: body,
  properties: { contentType: 'application/xml', headers, ...properties },
});

const unknownSender = (count = 0, body = de()) =>
  quarantined(body, {
    'itk-error-code': '3000',
    'itk-error-text': 'broker user x is not an identity of any end point',
    'itk-tracking-id': TID,
    'x-delivery-count': count,
  });

describe('toEntries', () => {
  test('reads the reason headers, size, delivery count and content type, in queue order', () => {
    const [e] = toEntries([unknownSender(3)]);
    expect(e).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{10}$/),
      position: 1,
      code: '3000',
      text: 'broker user x is not an identity of any end point',
      trackingId: TID,
      size: de().byteLength,
      deliveryCount: 3,
      contentType: 'application/xml',
    });
    expect(e!.sender).toBeUndefined();
    expect(e!.body.equals(de())).toBe(true);
  });

  test('gives an entry the same id however often it was browsed', () => {
    const [a] = toEntries([unknownSender(0)]);
    const [b] = toEntries([unknownSender(7)]);
    expect(b!.id).toBe(a!.id);
  });

  test('tells apart entries by bytes and by reason; numbers identical ones in queue order', () => {
    const other = quarantined(de(), {
      'itk-error-code': '2100',
      'itk-error-text': 'processing failed',
      'itk-tracking-id': TID,
    });
    const entries = toEntries([unknownSender(), other, unknownSender(), unknownSender(0, de('X'))]);
    const [a, b, c, d] = entries.map((e) => e.id);
    expect(new Set([a, b, d]).size).toBe(3);
    expect(c).toBe(`${a}-2`);
    expect(entries.map((e) => e.position)).toEqual([1, 2, 3, 4]);
  });

  test('reads the tracking id from the envelope when no header names it, and the key of unreadable bytes', () => {
    const [e] = toEntries([quarantined(de(), {})]);
    expect(e!.trackingId).toBe(TID);
    const bytes = Buffer.from('<not xml');
    const [u] = toEntries([quarantined(bytes, { 'itk-error-code': '1000' })]);
    expect(u!.trackingId).toBeUndefined();
    // As process-message.ts records a message without a readable tracking id.
    expect(u!.unreadableKey).toBe(
      `unreadable-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`,
    );
    expect(unreadableKey(bytes)).toBe(u!.unreadableKey);
    expect(sniffTrackingId(Buffer.from('<header trackingid="A"/>'))).toBe('A');
    expect(sniffTrackingId(Buffer.from('<payload trackingid="A"/>'))).toBeUndefined();
  });

  test('describes a copy the broker dead-lettered: when, from where, why, and its user_id', () => {
    const [e] = toEntries([
      quarantined(
        de(),
        {
          'x-death': [
            {
              count: 1,
              reason: 'delivery_limit',
              queue: 'itk.router.inbound',
              time: { '!': 'timestamp', value: 1764100000 },
              exchange: 'itk.inbound',
            },
          ],
        },
        { userId: 'riverside-gp' },
      ),
    ]);
    expect(e).toMatchObject({
      originalUser: 'riverside-gp',
      trackingId: TID,
      deadLettered: {
        reason: 'delivery_limit',
        queue: 'itk.router.inbound',
        at: new Date(1764100000 * 1000),
      },
    });
    expect(reasonOf(e!)).toEqual({
      code: '2100',
      text: 'dead-lettered by the broker from itk.router.inbound (delivery_limit)',
    });
  });

  test('takes the higher of x-delivery-count and x-acquired-count (RabbitMQ 4)', () => {
    const [e] = toEntries([quarantined(de(), { 'x-delivery-count': 1, 'x-acquired-count': 12 })]);
    expect(e!.deliveryCount).toBe(12);
  });
});

describe('amqpTime', () => {
  test('seconds since the epoch, as a number or an amqplib timestamp', () => {
    expect(amqpTime(10)).toEqual(new Date(10_000));
    expect(amqpTime({ '!': 'timestamp', value: 10 })).toEqual(new Date(10_000));
    expect(amqpTime(undefined)).toBeUndefined();
  });
});

describe('selectEntries', () => {
  const entries = toEntries([
    unknownSender(),
    quarantined(de('B-1'), { 'itk-error-code': '1000', 'itk-tracking-id': 'B-1' }),
    quarantined(de('B-1'), { 'itk-error-code': '2100', 'itk-tracking-id': 'B-1' }),
  ]);
  const [a, b, c] = entries;

  test('by id, unique id prefix (4 or more characters) or a tracking id only one entry has', () => {
    expect(selectEntries(entries, [c!.id, a!.id.slice(0, 6)])).toEqual({
      ok: true,
      entries: [a, c],
    });
    expect(selectEntries(entries, [TID.toLowerCase()])).toEqual({ ok: true, entries: [a] });
    expect(selectEntries(entries, [a!.id, a!.id])).toEqual({ ok: true, entries: [a] });
  });

  test('refuses names that match nothing or several, and then selects nothing', () => {
    const result = selectEntries(entries, ['B-1', 'zzzzzz', a!.id.slice(0, 3)]);
    expect(result).toEqual({
      ok: false,
      problems: [
        `B-1 names 2 entries (${b!.id}, ${c!.id}): use an id`,
        'no quarantine entry zzzzzz',
        `no quarantine entry ${a!.id.slice(0, 3)}`,
      ],
    });
  });
});
