/**
 * `itk-router quarantine list | show | replay | purge` on the real broker, with the router
 * in-process (test/support/router-harness.ts): a message is quarantined, listed and shown without
 * leaving the queue, its cause fixed (the routes reloaded), replayed through the router with its
 * lineage recorded, and removed from the quarantine only once the replay is confirmed; a replay of
 * an already delivered tracking id is refused as a duplicate unless told otherwise; the router
 * trusts replay headers only from its own broker user off its inbound exchange; purge empties it.
 */
import fs from 'node:fs';
import { jest } from '@jest/globals';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import YAML from 'yaml';
import { formatStory } from '../../src/tools/cli/track-command.js';
import { main } from '../../src/tools/cli/main.js';
import { loadRouterConfig } from '../../src/router/01-config/index.js';
import { createLogger } from '../../src/router/00-common/logger.js';
import {
  listQuarantine,
  purgeQuarantine,
  replayQuarantined,
  routeTableOf,
  showQuarantined,
  type QuarantineTools,
} from '../../src/tools/quarantine/quarantine-ops.js';
import { REFRESH_AT } from '../../src/tools/quarantine/quarantine-session.js';
import { replayHeaders } from '../../src/router/09-pipeline/replay-trust.js';
import type { MessageStory } from '../../src/router/08-store/message-store.js';
import { publishAs } from '../support/messages.js';
import { useRouterHarness } from '../support/router-harness.js';
import { sleep } from '../support/wait-for.js';
import { ADDR, cda, de, headersOf, readInfAck } from './pipeline/de-messages.js';

/** The router's log lines (JSON), to see at which level a quarantine is logged. */
const logLines: { level: string; message: string; trackingId?: string; outcome?: string }[] = [];
const logStream = new PassThrough();
logStream.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
    logLines.push(JSON.parse(line) as (typeof logLines)[number]);
});
const h = useRouterHarness({
  strangers: ['stranger', 'late-gp', 'twin-gp', 'lost'],
  logger: createLogger('info', logStream),
});
const Q = (id: string) => h.queue(id);
const everywhere = () => [...h.endpointIds.map(Q), h.names.quarantineQueue];
const routesDir = () => path.join(path.dirname(h.storePath), 'routes');
const env = () => ({
  AMQP_URL: h.routerUrl, // the router's own broker user (not guest): its replays are trusted
  ITK_ROUTER_ROUTES: routesDir(),
  ITK_ROUTER_STORE: `sqlite:${h.storePath}`,
});

/** What the command gives the library: the router's URL, its store, the routes as they are now. */
function tools(): QuarantineTools {
  const config = loadRouterConfig(undefined, env());
  return { amqpUrl: config.amqp.url, names: h.names, store: h.store, table: routeTableOf(config) };
}

/** Lets broker user `user` send as end point `endpointId` (the fix), and reloads the router. */
async function addIdentity(endpointId: string, user: string): Promise<void> {
  const file = path.join(routesDir(), 'endpoints.yaml');
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  const identities = doc.getIn(['endpoints', endpointId, 'identities']) as YAML.YAMLSeq;
  identities.add(user);
  fs.writeFileSync(file, doc.toString());
  expect(await h.router.reload('test: identity added')).toBe(true);
}

async function quarantineDepth(n: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { messageCount } = await h.client.channel.checkQueue(h.names.quarantineQueue);
    if (messageCount === n) return;
    if (Date.now() > deadline)
      throw new Error(`expected ${n} messages on the quarantine, found ${messageCount}`);
    await sleep(25);
  }
}

const completedAll = (trackingId: string, n: number) =>
  h.waitForStory(
    trackingId,
    (s) => s.messages.length >= n && s.messages.every((m) => m.record.completedAt != null),
  );

const lineageOf = (story: MessageStory) =>
  story.messages.flatMap((m) =>
    m.events.filter((e) => e.detail?.startsWith('replayed from quarantine')).map((e) => e.detail),
  );

describe('list and show', () => {
  test('list every quarantined message with id, code, text, sender, tracking id, size and when; none leaves the queue', async () => {
    const stranger = h.user('stranger');
    const msg = cda();
    await h.publish('stranger', msg.bytes);
    await quarantineDepth(1);
    await completedAll(msg.trackingId, 1);

    const first = await listQuarantine(tools());
    expect(first.queue).toBe(h.names.quarantineQueue);
    expect(first.depth).toBe(1);
    expect(first.entries).toHaveLength(1);
    const entry = first.entries[0]!;
    expect(entry).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{10}$/),
      position: 1,
      code: '3000',
      trackingId: msg.trackingId,
      size: msg.bytes.byteLength,
    });
    expect(entry.text).toContain(stranger.name);
    expect(entry.sender).toBeUndefined(); // nobody is known to have sent it
    expect(entry.when).toBeInstanceOf(Date);
    expect(entry.body.equals(msg.bytes)).toBe(true);
    // Quarantining is logged as a warning (a message needs looking at), not at info.
    const logged = logLines.filter(
      (l) => l.trackingId === msg.trackingId && l.message === 'message processed',
    );
    expect(logged.map((l) => l.level)).toEqual(['warn']);

    // Browsing hands every message back: the same entry, same id, one more delivery counted.
    const second = await listQuarantine(tools());
    expect(second.entries.map((e) => e.id)).toEqual([entry.id]);
    expect(second.entries[0]!.deliveryCount).toBe(entry.deliveryCount + 1);
    await quarantineDepth(1);

    const shown = await showQuarantined(tools(), entry.id);
    expect(shown.body.equals(msg.bytes)).toBe(true);
    expect(shown.headers['itk-error-code']).toBe('3000');
    expect(shown.headers['itk-tracking-id']).toBe(msg.trackingId);
    expect((await showQuarantined(tools(), msg.trackingId.toLowerCase())).id).toBe(entry.id);
    expect((await showQuarantined(tools(), entry.id.slice(0, 5))).id).toBe(entry.id);
    await expect(showQuarantined(tools(), 'ffffffffff')).rejects.toThrow(
      /no quarantine entry ffffffffff/,
    );
    await quarantineDepth(1);
  });

  test('an entry browsed often is copied afresh, same id and bytes, so no delivery limit can drop it', async () => {
    const msg = cda();
    await h.publish('stranger', msg.bytes);
    await quarantineDepth(1);
    let listing = await listQuarantine(tools());
    const id = listing.entries[0]!.id;
    while (listing.entries[0]!.deliveryCount < REFRESH_AT) listing = await listQuarantine(tools());
    expect(listing.refreshed).toBe(1);
    const after = await listQuarantine(tools());
    expect(after.entries.map((e) => [e.id, e.deliveryCount])).toEqual([[id, 0]]);
    expect(after.entries[0]!.body.equals(msg.bytes)).toBe(true);
    expect(after.entries[0]!.headers['itk-error-code']).toBe('3000');
  });
});

describe('replay', () => {
  test('after the cause is fixed: delivered, removed from the quarantine, lineage in track', async () => {
    const lateGp = h.user('late-gp');
    const msg = cda(); // to the community team
    await h.publish('late-gp', msg.bytes);
    await quarantineDepth(1);
    await completedAll(msg.trackingId, 1);
    const [entry] = (await listQuarantine(tools())).entries;

    // Not yet: the broker user is still nobody's, so the entry stays where it is.
    const early = await replayQuarantined(tools(), {
      selectors: [entry!.id],
      reason: 'try',
      by: 'ops-test',
    });
    expect(early).toEqual([
      expect.objectContaining({
        id: entry!.id,
        status: 'refused',
        reason: expect.stringContaining(lateGp.name),
      }),
    ]);
    await quarantineDepth(1);
    await h.expectEmpty([Q('riverside-community')], 100);

    await addIdentity('riverside-gp', lateGp.name);
    const results = await replayQuarantined(tools(), {
      selectors: [entry!.id],
      reason: 'late-gp added to riverside-gp',
      by: 'ops-test',
    });
    expect(results).toEqual([
      {
        id: entry!.id,
        status: 'replayed',
        trackingId: msg.trackingId,
        replayId: expect.any(String),
        trackAs: msg.trackingId,
        user: lateGp.name,
        senderEndpointId: 'riverside-gp',
      },
    ]);

    const delivered = await h.takeOne(Q('riverside-community'));
    expect(delivered.content.equals(msg.bytes)).toBe(true);
    expect(headersOf(delivered)['itk-sender']).toBe('riverside-gp');
    await quarantineDepth(0);

    const story = await completedAll(msg.trackingId, 2);
    expect(
      story.messages.map((m) => [m.record.senderEndpointId, m.record.brokerUser, m.record.outcome]),
    ).toEqual([
      [null, lateGp.name, 'quarantined'],
      ['riverside-gp', lateGp.name, 'delivered'],
    ]);
    const replayId = results[0]!.status === 'replayed' ? results[0]!.replayId : '';
    expect(lineageOf(story)).toEqual([
      `replayed from quarantine entry ${entry!.id} by ops-test: late-gp added to riverside-gp (replay ${replayId})`,
    ]);
    expect(formatStory(story)).toContain(
      `received: replayed from quarantine entry ${entry!.id} by ops-test: late-gp added to riverside-gp`,
    );
    await h.expectEmpty(everywhere());
  });

  test('of an already delivered tracking id: refused as a duplicate (kept), processed again only with --ignore-duplicate', async () => {
    const twin = h.user('twin-gp');
    const msg = cda();
    await h.publish('gp', msg.bytes);
    await h.takeOne(Q('riverside-community'));
    await completedAll(msg.trackingId, 1);
    // The same message again, from a broker user that is nobody's yet: quarantined.
    await h.publish('twin-gp', msg.bytes);
    await quarantineDepth(1);
    await completedAll(msg.trackingId, 2);
    await addIdentity('riverside-gp', twin.name);

    const [entry] = (await listQuarantine(tools())).entries;
    const refused = await replayQuarantined(tools(), {
      selectors: [entry!.id],
      reason: 'again',
      by: 'ops-test',
    });
    expect(refused).toEqual([
      expect.objectContaining({
        status: 'refused',
        duplicate: true,
        reason: expect.stringMatching(/already processed \(outcome delivered.*--ignore-duplicate/),
      }),
    ]);
    await quarantineDepth(1);
    await h.expectEmpty([Q('riverside-community')], 100);

    const results = await replayQuarantined(tools(), {
      all: true,
      reason: 'community lost it',
      by: 'ops-test',
      ignoreDuplicate: true,
    });
    expect(results.map((r) => r.status)).toEqual(['replayed']);
    const again = await h.takeOne(Q('riverside-community'));
    expect(again.content.equals(msg.bytes)).toBe(true);
    await quarantineDepth(0);

    const story = await completedAll(msg.trackingId, 3);
    expect(
      story.messages.map((m) => [m.record.senderEndpointId, m.record.outcome, m.record.generation]),
    ).toEqual([
      ['riverside-gp', 'delivered', undefined],
      [null, 'quarantined', undefined],
      ['riverside-gp', 'delivered', 1],
    ]);
    expect(lineageOf(story)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^replayed from quarantine entry ${entry!.id} by ops-test: community lost it \\(replay \\S+, duplicate check overridden\\)$`,
        ),
      ),
    ]);
    await h.expectEmpty(everywhere());
  });

  test('a replay that fails again is quarantined again, as a new attempt of the same message', async () => {
    // GP claims the hospice's address: refused (3000), nacked and quarantined.
    const msg = cda({ senderAddress: ADDR.hospice });
    await h.publish('gp', msg.bytes);
    await quarantineDepth(1);
    expect(readInfAck(await h.takeOne(Q('riverside-gp'))).errors[0]).toMatchObject({
      code: 'DE0008',
      diagnostic: expect.stringMatching(/^3000 /),
    });
    const [entry] = (await listQuarantine(tools())).entries;
    expect(entry).toMatchObject({ code: '3000', sender: 'riverside-gp' });

    const [result] = await replayQuarantined(tools(), {
      selectors: [entry!.id],
      reason: 'see it fail',
      by: 'ops-test',
    });
    expect(result).toMatchObject({ status: 'replayed', user: h.user('gp').name });
    const story = await completedAll(msg.trackingId, 2);
    expect(story.messages.map((m) => [m.record.outcome, m.record.generation])).toEqual([
      ['quarantined', undefined],
      ['quarantined', 1],
    ]);
    expect(readInfAck(await h.takeOne(Q('riverside-gp'))).errors[0]).toMatchObject({
      code: 'DE0008',
      diagnostic: expect.stringMatching(/^3000 /),
    });
    await quarantineDepth(1);
    const [back] = (await listQuarantine(tools())).entries;
    expect(back!.id).toBe(entry!.id); // same bytes, same reason
  });

  test('an entry with no known sender cannot be replayed', async () => {
    const msg = cda();
    await h.publish('gp', msg.bytes, { userId: undefined });
    await quarantineDepth(1);
    await completedAll(msg.trackingId, 1);
    const results = await replayQuarantined(tools(), { all: true, reason: 'x', by: 'ops-test' });
    expect(results).toEqual([
      expect.objectContaining({
        status: 'refused',
        reason: expect.stringContaining('no sender is known'),
      }),
    ]);
    await quarantineDepth(1);
  });
});

describe('the router trusts replay headers only from its own broker user, off its inbound exchange', () => {
  /** A replay published by hand as the router's own user to the inbound queue. */
  const replayByHand = (body: Buffer, user: string, extra: Record<string, string> = {}) =>
    publishAs(
      { name: h.routerUserName, password: '', url: h.routerUrl },
      '',
      h.names.routerInboundQueue,
      body,
      {
        messageId: `by-hand-${Date.now()}`,
        contentType: 'application/xml',
        headers: {
          ...replayHeaders({
            replayOf: 'by-hand',
            by: 'test',
            reason: 'test',
            user,
            ignoreDuplicate: false,
          }),
          ...extra,
        },
      },
    );

  test('a replay the router meets as a duplicate is recorded, never delivered or answered again', async () => {
    const msg = de('valid/careplan-response-refused.xml'); // GP → hospice (acks: router)
    await h.publish('gp', msg.bytes);
    await h.takeOne(Q('st-marys-hospice'));
    await h.takeOne(Q('riverside-gp')); // the router's inf ack on the hospice's behalf
    await completedAll(msg.trackingId, 1);

    await replayByHand(msg.bytes, h.user('gp').name);
    const story = await h.waitForStory(msg.trackingId, (s) =>
      s.messages[0]!.events.some((e) => e.state === 'duplicate'),
    );
    expect(story.messages).toHaveLength(1);
    expect(story.messages[0]!.events.find((e) => e.state === 'duplicate')?.detail).toMatch(
      /^replay by-hand-\d+ of quarantine entry by-hand by test not processed: already processed \(outcome delivered\)/,
    );
    await h.expectEmpty(everywhere(), 300);
  });

  test('from a supplier, through itk.inbound: the headers are ignored', async () => {
    const msg = cda();
    await h.publish('gp', msg.bytes, {
      headers: replayHeaders({
        replayOf: 'forged',
        by: 'mallory',
        reason: 'pose as the hospice',
        user: h.user('hospice').name,
        ignoreDuplicate: true,
      }),
    });
    const delivered = await h.takeOne(Q('riverside-community'));
    expect(headersOf(delivered)['itk-sender']).toBe('riverside-gp');
    const story = await completedAll(msg.trackingId, 1);
    expect(story.messages[0]!.record.senderEndpointId).toBe('riverside-gp');
    expect(lineageOf(story)).toEqual([]);
  });

  test("from the router's own user but through itk.inbound: ignored (and the router's user is nobody's)", async () => {
    const msg = cda();
    await publishAs(
      { name: h.routerUserName, password: '', url: h.routerUrl },
      h.names.inboundExchange,
      '',
      msg.bytes,
      {
        contentType: 'application/xml',
        headers: replayHeaders({
          replayOf: 'x',
          by: 'x',
          reason: 'x',
          user: h.user('gp').name,
          ignoreDuplicate: false,
        }),
      },
    );
    const q = await h.takeOne(h.names.quarantineQueue);
    expect(headersOf(q)['itk-error-code']).toBe('3000');
    expect(headersOf(q)['itk-error-text']).toContain(h.routerUserName);
    await h.expectEmpty(everywhere());
  });
});

describe('purge', () => {
  test('removes the named entries, then everything', async () => {
    const a = cda();
    const b = cda();
    const c = cda();
    for (const m of [a, b, c]) await h.publish('lost', m.bytes);
    await quarantineDepth(3);
    const listing = await listQuarantine(tools());
    const byTracking = new Map(listing.entries.map((e) => [e.trackingId, e.id]));

    const named = await purgeQuarantine(tools(), { selectors: [byTracking.get(b.trackingId)!] });
    expect(named).toEqual({ purged: 1, ids: [byTracking.get(b.trackingId)] });
    await quarantineDepth(2);
    expect((await listQuarantine(tools())).entries.map((e) => e.trackingId).sort()).toEqual(
      [a.trackingId, c.trackingId].sort(),
    );

    expect(await purgeQuarantine(tools())).toEqual({ purged: 2 });
    await quarantineDepth(0);
    expect((await listQuarantine(tools())).entries).toEqual([]);
  });
});

describe('the command line', () => {
  const saved = { ...process.env };
  let out: string;
  let err: string;
  beforeEach(() => {
    Object.assign(process.env, env());
    out = '';
    err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
      return true;
    });
    jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk) => ((err += String(chunk)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    for (const key of Object.keys(env())) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
  const run = (...args: string[]) => main(['node', 'itk-router', 'quarantine', ...args]);

  test('list, show --raw, replay without --reason, purge without --yes, purge --yes', async () => {
    const msg = cda();
    await h.publish('lost', msg.bytes);
    await quarantineDepth(1);
    await completedAll(msg.trackingId, 1);

    expect(await run('list')).toBe(0);
    expect(out).toMatch(/^1 message on .*\.router\.quarantine\n/);
    const id = /^([0-9a-f]{10}) +3000 +- +/m.exec(out)?.[1];
    expect(id).toBeDefined();
    expect(out).toContain(msg.trackingId);

    out = '';
    expect(await run('show', id!, '--raw')).toBe(0);
    expect(Buffer.from(out, 'latin1').equals(msg.bytes)).toBe(true); // the exact bytes, as a Buffer

    expect(await run('show', 'nope1')).toBe(1);
    expect(err).toContain('no quarantine entry nope1');

    expect(await run('replay', id!)).toBe(2); // --reason is required
    out = '';
    expect(await run('replay', id!, '--reason', 'still nobody')).toBe(1);
    expect(out).toContain(`not replayed ${id}`);

    expect(await run('purge')).toBe(1);
    expect(err).toContain('add --yes');
    await quarantineDepth(1);
    out = '';
    expect(await run('purge', '--yes')).toBe(0);
    expect(out).toMatch(/removed 1 message from/);
    await quarantineDepth(0);
  });
});
