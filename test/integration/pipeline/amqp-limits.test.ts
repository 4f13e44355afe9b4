/**
 * Issue 12, finding 4 (docs/message-safety.md "Trust boundary"): every value the router copies
 * into AMQP properties (`type` = service, `message_id` = tracking id: short strings, at most 255
 * bytes of UTF-8) or headers (`itk-service`, `itk-interaction`, `itk-recipient`…: at most 1024
 * bytes each, the router's own limit) fits, or the message is nacked 1000. One message never
 * makes the router retry for ever: a failure the message causes is the message's failure, and
 * a message that cannot be published is answered, never retried in place.
 */
import Database from 'better-sqlite3';
import { useRouterHarness } from '../../support/router-harness.js';
import {
  ADDR,
  cda,
  headersOf,
  OID_DE_ERRORS,
  readInfAck,
  ZERO_TRACKING_ID,
} from './de-messages.js';
import { sleep } from '../../support/wait-for.js';

const h = useRouterHarness({
  strangers: ['stranger'],
  routerYaml: 'retry:\n  attempts: 2\n  initialDelayMs: 50\n  maxDelayMs: 200\n',
});
const Q = (id: string) => h.queue(id);
const everywhere = () => [...h.endpointIds.map(Q), h.names.quarantineQueue];
const completed = (trackingId: string, timeoutMs = 5000) =>
  h.waitForStory(
    trackingId,
    (s) => s.messages.length > 0 && s.messages.every((m) => m.record.completedAt != null),
    timeoutMs,
  );

const SERVICE_PREFIX = 'urn:nhs-itk:services:201005:SendCDADocument-v2-0:';
/** A service URI of exactly `bytes` bytes of UTF-8 (ending in `tail`, e.g. a multi-byte letter). */
const serviceOf = (bytes: number, tail = '') =>
  SERVICE_PREFIX + 'A'.repeat(bytes - Buffer.byteLength(SERVICE_PREFIX + tail)) + tail;

/** The GP's nack of `trackingId` in its queue: 1000, naming what did not fit. */
async function expectNack1000(trackingId: string, what: RegExp, queue = Q('riverside-gp')) {
  const nack = readInfAck(await h.takeOne(queue));
  expect(nack.result).toBe('Failure');
  expect(nack.trackingIdRef).toBe(trackingId);
  expect(nack.errors).toHaveLength(1);
  // The DE vocabulary (docs/errors.md "What a nack says"): the Toolkit code 1000 opens the diagnostic.
  expect(nack.errors[0]).toMatchObject({
    code: expect.stringMatching(/^DE00(0[1-9]|1[0-2])$/),
    codeSystem: OID_DE_ERRORS,
  });
  expect(nack.errors[0]!.diagnostic).toMatch(/^1000 /);
  expect(nack.errors[0]!.diagnostic).toMatch(what);
  return nack;
}

/** A plain message still goes through: the router is not wedged. */
async function expectStillRouting() {
  const ok = cda();
  await h.publish('gp', ok.bytes);
  const got = await h.takeOne(Q('riverside-community'));
  expect(got.content.equals(ok.bytes)).toBe(true);
}

describe('the service becomes the AMQP type (a short string, at most 255 bytes)', () => {
  test('a valid message with a 300-character service is nacked 1000, nothing delivered, and the router goes on', async () => {
    const msg = cda({ service: serviceOf(300) });
    await h.publish('gp', msg.bytes);
    await expectNack1000(msg.trackingId, /service.*300 bytes.*255/);
    const story = await completed(msg.trackingId);
    expect(story.messages[0]!.record.outcome).toBe('nacked');
    await h.expectEmpty(everywhere());
    await expectStillRouting();
  });

  test('multi-byte characters at the edge: 255 bytes (fewer characters) is delivered with type = service; 256 bytes in 255 characters is nacked', async () => {
    const fits = serviceOf(255, 'é'); // 254 characters, 255 bytes
    const fitting = cda({ service: fits });
    await h.publish('gp', fitting.bytes);
    const got = await h.takeOne(Q('riverside-community'));
    expect(got.content.equals(fitting.bytes)).toBe(true);
    expect(got.properties.type).toBe(fits);
    expect(headersOf(got)['itk-service']).toBe(fits);

    const over = serviceOf(256, 'é'); // 255 characters, 256 bytes
    expect(over.length).toBe(255);
    const tooLong = cda({ service: over });
    await h.publish('gp', tooLong.bytes);
    await expectNack1000(tooLong.trackingId, /service.*256 bytes.*255/);
    const euro = cda({ service: serviceOf(257, '€') }); // a three-byte character across the edge
    await h.publish('gp', euro.bytes);
    await expectNack1000(euro.trackingId, /service.*257 bytes/);
    await h.expectEmpty(everywhere());
  });

  test('forty such messages in a row (256 to 2,000 bytes) are each nacked; the router never stops', async () => {
    const sent = Array.from({ length: 40 }, (_, i) =>
      cda({ service: serviceOf(256 + Math.floor((i * 1744) / 39)) }),
    );
    for (const m of sent) await h.publish('gp', m.bytes);
    await expectStillRouting();
    const refs = new Set<string>();
    for (let i = 0; i < sent.length; i++) {
      refs.add(readInfAck(await h.takeOne(Q('riverside-gp'), 10000)).trackingIdRef);
    }
    expect(refs).toEqual(new Set(sent.map((m) => m.trackingId)));
    await h.expectEmpty(everywhere());
  }, 30000);
});

describe('values copied into headers (at most 1024 bytes each)', () => {
  test('an interaction of 1024 bytes is delivered in itk-interaction; 1025 bytes, or 5,000, is nacked 1000', async () => {
    const base = 'urn:nhs-itk:interaction:';
    const ok = `${base}${'x'.repeat(1024 - base.length)}`;
    const fitting = cda({ specs: { interaction: ok } });
    await h.publish('gp', fitting.bytes);
    const got = await h.takeOne(Q('riverside-community'));
    expect(headersOf(got)['itk-interaction']).toBe(ok);

    for (const n of [1025, 5000]) {
      const msg = cda({ specs: { interaction: `${base}${'x'.repeat(n - base.length)}` } });
      await h.publish('gp', msg.bytes);
      await expectNack1000(msg.trackingId, new RegExp(`interaction.*${n} bytes.*1024`));
    }
    await h.expectEmpty(everywhere());
    await expectStillRouting();
  });

  test('an address (itk-recipient) of 3,000 bytes inside a claimed subtree: nacked 1000, delivered to no one', async () => {
    const long = `urn:nhs-uk:addressing:ods:RDE01:${'T'.repeat(3000 - 32)}`;
    const msg = cda({ addresses: [ADDR.community, long] });
    await h.publish('gp', msg.bytes);
    await expectNack1000(msg.trackingId, /address/);
    await h.expectEmpty(everywhere());
  });

  test('a senderAddress of 3,000 bytes inside its own subtree: nacked 1000, the nack still reaches the sender', async () => {
    const long = `urn:nhs-uk:addressing:ods:RDE01:${'S'.repeat(3000 - 32)}`;
    const msg = cda({ senderAddress: long, addresses: [ADDR.gp] });
    await h.publish('community', msg.bytes);
    const nack = await expectNack1000(msg.trackingId, /senderAddress/, Q('riverside-community'));
    expect(nack.envelope.addresses.map((a) => a.uri)).toEqual([long]);
    await h.expectEmpty(everywhere());
    await expectStillRouting();
  });
});

describe('quarantine never fails on what the message carries', () => {
  test('an unknown sender with a 300-character tracking id is quarantined (3000); the router goes on', async () => {
    const trackingId = `${'A'.repeat(264)}-0000-0000-0000-000000000000`;
    const msg = cda({ trackingId });
    await h.publish('stranger', msg.bytes);
    const q = await h.takeOne(h.names.quarantineQueue);
    expect(q.content.equals(msg.bytes)).toBe(true);
    expect(headersOf(q)['itk-error-code']).toBe('3000');
    expect(headersOf(q)['itk-tracking-id']).toBe(trackingId);
    await h.expectEmpty(everywhere());
    await expectStillRouting();
  });

  test('a forged senderAddress with a 300-character tracking id: quarantined and nacked 3000', async () => {
    const trackingId = `${'B'.repeat(264)}-0000-0000-0000-000000000000`;
    const msg = cda({ trackingId, senderAddress: ADDR.hospice });
    await h.publish('gp', msg.bytes);
    const q = await h.takeOne(h.names.quarantineQueue);
    expect(headersOf(q)['itk-error-code']).toBe('3000');
    const nack = readInfAck(await h.takeOne(Q('riverside-gp')));
    expect(nack.result).toBe('Failure');
    expect(nack.trackingIdRef).toBe(ZERO_TRACKING_ID); // not a UUID: no trackingIdRef can name it
    await h.expectEmpty(everywhere());
    await expectStillRouting();
  });
});

describe('an outage is retried in place, visibly and for a bounded time', () => {
  const url = (p: string) => `http://127.0.0.1:${h.router.httpPort}${p}`;

  test('while the store is locked: /readyz not ready, the retries counted; once free, the message is delivered', async () => {
    const db = new Database(h.storePath);
    try {
      db.exec('BEGIN IMMEDIATE'); // another writer holds the store: the router's writes are busy
      const msg = cda();
      await h.publish('gp', msg.bytes);
      let ready: Response | undefined;
      for (let i = 0; i < 100; i++) {
        ready = await fetch(url('/readyz'));
        if (ready.status === 503) break;
        await sleep(50);
      }
      expect(ready!.status).toBe(503);
      expect(await ready!.text()).toMatch(/retrying in place/);
      const metrics = await (await fetch(url('/metrics'))).text();
      expect(metrics).toMatch(/^itk_outage_retries_total [1-9]/m);
      db.exec('ROLLBACK');
      const got = await h.takeOne(Q('riverside-community'), 10000);
      expect(got.content.equals(msg.bytes)).toBe(true);
      await completed(msg.trackingId);
      expect((await fetch(url('/readyz'))).status).toBe(200);
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    }
  }, 20000);

  test('an outage that lasts: in-place retries end, attempts are spent, the message is quarantined with 2100', async () => {
    const db = new Database(h.storePath);
    try {
      db.exec('BEGIN IMMEDIATE');
      const msg = cda();
      await h.publish('gp', msg.bytes);
      const q = await h.takeOne(h.names.quarantineQueue, 25000);
      expect(q.content.equals(msg.bytes)).toBe(true);
      expect(headersOf(q)['itk-error-code']).toBe('2100');
      db.exec('ROLLBACK');
      await expectStillRouting();
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    }
  }, 40000);
});
