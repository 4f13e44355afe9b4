/** Text forms of listings, entries and replay results (pure). */
import { toEntries } from '../../../src/tools/quarantine/quarantine-entry.js';
import {
  entryJson,
  formatEntry,
  formatListing,
  formatReplay,
} from '../../../src/tools/quarantine/quarantine-format.js';

const [entry] = toEntries([
  {
    content: Buffer.from('<itk:header trackingid="T-1"/>'),
    properties: {
      headers: {
        'itk-error-code': '3000',
        'itk-error-text': 'broker user x is not\nan identity of any end point',
        'itk-tracking-id': 'T-1',
        'x-delivery-count': 2,
      },
    },
  },
]);
const listed = { ...entry!, when: new Date('2025-03-01T09:00:00.123Z') };

describe('formatListing', () => {
  test('one row per entry under a header, text on one line', () => {
    const text = formatListing({
      queue: 'itk.router.quarantine',
      depth: 1,
      entries: [listed],
      refreshed: 0,
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('1 message on itk.router.quarantine');
    expect(lines[1]).toMatch(/^ID +CODE +SENDER +TRACKING ID +SIZE +WHEN +SEEN +TEXT$/);
    expect(lines[2]).toMatch(
      new RegExp(
        `^${entry!.id} +3000 +- +T-1 +30 +2025-03-01 09:00:00Z +2 +broker user x is not an identity of any end point$`,
      ),
    );
  });

  test('says when it shows only part of the queue, and when entries were refreshed', () => {
    const text = formatListing({ queue: 'q', depth: 5, entries: [listed], refreshed: 1 });
    expect(text).toContain('1 message on q (showing the first 1 of 5)');
    expect(text).toContain('1 worn entry was copied afresh to the end of the queue');
    expect(formatListing({ queue: 'q', depth: 0, entries: [], refreshed: 0 })).toBe(
      '0 messages on q\n',
    );
  });
});

describe('formatEntry and entryJson', () => {
  test('headers, then the body as text; a binary body in base64', () => {
    const text = formatEntry(listed);
    expect(text).toContain(`id            ${entry!.id}`);
    expect(text).toContain('  itk-error-code: 3000\n');
    expect(text).toMatch(/body:\n<itk:header trackingid="T-1"\/>\n$/);
    const binary = { ...listed, body: Buffer.from([0xff, 0x00, 0x01]) };
    expect(formatEntry(binary)).toContain('base64:\n/wAB\n');
    expect(entryJson(binary, true)).toMatchObject({ bodyBase64: '/wAB', reason: { code: '3000' } });
    expect(entryJson(listed, false)).not.toHaveProperty('body');
  });
});

describe('formatReplay', () => {
  test('what was replayed and how to follow it; what was not, and why', () => {
    expect(
      formatReplay([
        {
          id: 'a',
          status: 'replayed',
          trackingId: 'T-1',
          trackAs: 'T-1',
          replayId: 'r',
          user: 'gp-user',
          senderEndpointId: 'riverside-gp',
        },
        { id: 'b', status: 'refused', reason: 'a duplicate' },
      ]),
    ).toBe(
      "replayed a (T-1) as riverside-gp, broker user gp-user: on the router's inbound queue, " +
        'removed from the quarantine; follow it with: itk-router track T-1\n' +
        'not replayed b: a duplicate (left on the quarantine)\n',
    );
  });
});
