/** `itk-router overdue` and `itk-router retention`, on a SQLite store of their own. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { main } from '../../../src/tools/cli/main.js';
import { formatLate, groupOverdue } from '../../../src/tools/cli/overdue-command.js';
import type { OverdueAck } from '../../../src/router/08-store/ack-expectations.js';
import type { MessageStore } from '../../../src/router/08-store/message-store.js';
import { openSqliteStore } from '../../../src/router/08-store/sqlite/open-sqlite-store.js';
import { beginNew, incoming } from '../../contract/store-fixtures.js';

let dir: string;
let storePath: string;
let store: MessageStore;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'itk-housekeeping-cli-'));
  storePath = path.join(dir, 'store.sqlite');
  store = await openSqliteStore(storePath);
  await store.migrate();
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the command line with a config naming the test store; returns its exit code and output. */
async function run(args: string[], yaml = ''): Promise<{ code: number; out: string }> {
  const config = path.join(dir, 'router.yaml');
  fs.writeFileSync(config, `store:\n  url: sqlite:${storePath}\n${yaml}`);
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await main(['node', 'itk-router', ...args, '-c', config]);
    return { code, out };
  } finally {
    write.mockRestore();
  }
}

const ack = (over: Partial<OverdueAck>): OverdueAck => ({
  messageId: 'm1',
  trackingId: 'T1',
  senderEndpointId: 'riverside-gp',
  service: 's',
  kind: 'inf',
  endpointId: 'riverside-community',
  dueAt: new Date('2025-03-01T09:00:00Z'),
  markedAt: new Date('2025-03-01T09:00:30Z'),
  ...over,
});

describe('itk-router overdue', () => {
  test('how late, in two units at most', () => {
    expect([0, 45, 190, 7500, 277_200, 90_061].map(formatLate)).toEqual([
      '0s',
      '45s',
      '3m 10s',
      '2h 5m',
      '3d 5h',
      '1d 1h',
    ]);
  });

  test('one line per message and ack, naming every recipient not heard from, latest first', () => {
    const now = new Date('2025-03-01T10:00:00Z');
    const lines = groupOverdue(
      [
        ack({}),
        ack({ endpointId: 'st-marys-hospice' }),
        ack({ kind: 'bus' }),
        ack({ messageId: 'm2', trackingId: 'T2', dueAt: new Date('2025-03-01T08:00:00Z') }),
      ],
      now,
    );
    expect(lines.map((l) => [l.trackingId, l.ack, l.recipients, l.lateSeconds])).toEqual([
      ['T2', 'inf', ['riverside-community'], 7200],
      ['T1', 'inf', ['riverside-community', 'st-marys-hospice'], 3600],
      ['T1', 'bus', ['riverside-community'], 3600],
    ]);
  });

  test('lists what the store has marked overdue, as a table or JSON', async () => {
    expect(await run(['overdue'])).toEqual({ code: 0, out: 'no acknowledgement is overdue\n' });

    const message = incoming({ receivedAt: new Date('2001-01-01T00:00:00Z') });
    const id = await beginNew(store, message);
    const dueAt = new Date('2001-01-01T00:05:00Z');
    await store.complete(id, {
      state: 'delivered',
      at: message.receivedAt,
      responses: [],
      expectedAcks: [
        { kind: 'inf', endpointId: 'riverside-community', dueAt },
        { kind: 'inf', endpointId: 'ward-7', dueAt },
      ],
    });
    await store.acks.markOverdue(new Date('2001-01-01T01:00:00Z'), 10);

    const { code, out } = await run(['overdue']);
    expect(code).toBe(0);
    const [header, row, total] = out.trimEnd().split('\n');
    expect(header).toMatch(/^TRACKING ID\s+SENDER\s+ACK\s+FROM \(NOT RECEIVED\)\s+DUE\s+LATE$/);
    expect(row).toContain(message.trackingId);
    expect(row).toContain(message.senderEndpointId!);
    expect(row).toMatch(
      / inf {2}riverside-community, ward-7 {2}2001-01-01 00:05:00Z {2}\d+d(?: \d+h)?(?: \d+m)?$/,
    );
    expect(total).toBe('1 overdue');

    const json = JSON.parse((await run(['overdue', '--json'])).out) as Record<string, unknown>[];
    expect(json).toEqual([
      expect.objectContaining({
        trackingId: message.trackingId,
        ack: 'inf',
        recipients: ['riverside-community', 'ward-7'],
        dueAt: dueAt.toISOString(),
      }),
    ]);
  });
});

describe('itk-router retention', () => {
  test('says when there is no policy', async () => {
    const { code, out } = await run(['retention', '--dry-run']);
    expect(code).toBe(0);
    expect(out).toMatch(/^no retention policy .*the store keeps everything\n$/);
  });

  test('--dry-run counts what would go; without it, prunes it', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const message = incoming({ receivedAt: new Date('2001-02-01T00:00:00Z') });
      const id = await beginNew(store, message);
      await store.complete(id, { state: 'nacked', at: message.receivedAt, responses: [] });
      ids.push(id);
    }
    const policy = 'retention:\n  bodies: { nacked: 7d }\n  records: { quarantined: 400d }\n';

    const dry = await run(['retention', '--dry-run'], policy);
    expect(dry.code).toBe(0);
    const lines = dry.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^bodies of nacked messages older than 1w \(before \S+Z\): 3 would go$/,
    );
    expect(lines[1]).toMatch(/^records of quarantined messages older than 400d .*: 0 would go$/);
    expect(lines[2]).toBe('3 in all would go (dry run: nothing pruned)');
    for (const id of ids) expect(await store.originalBytes(id)).toBeDefined();

    const wet = await run(['retention'], policy);
    expect(wet.out.trimEnd().split('\n').at(-1)).toBe('3 pruned');
    for (const id of ids) expect(await store.originalBytes(id)).toBeUndefined();

    const json = JSON.parse((await run(['retention', '--dry-run', '--json'], policy)).out);
    expect(json[0]).toMatchObject({
      target: { kind: 'bodies', state: 'nacked' },
      ageSeconds: 604_800,
      count: 0,
    });
  });
});
