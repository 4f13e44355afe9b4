/**
 * Messages whose processing fails, for real, on the real broker (docs/message-safety.md: `retry`
 * then `poison`). Config: retry.attempts 3, initialDelayMs 50.
 *
 * The honest trigger: an end point's queue is full. An operator policy caps itk.endpoint.ooh-111
 * (max-length 1, overflow reject-publish) and it is filled, so the broker nacks every delivery to
 * it (publisher confirms), the pipeline throws, and the handler retries with backoff until the
 * quorum queue's x-delivery-count reaches retry.attempts, then quarantines with 2100. (A deleted
 * end point queue is no trigger: deliveries are not `mandatory`, so the broker confirms a publish
 * that reaches no queue and the copy is silently dropped: the last test here pins that.)
 *
 * The store made unavailable: another process holds SQLite's write lock (BEGIN IMMEDIATE) for
 * longer than the router's busy_timeout (5 s), so the router's write fails with SQLITE_BUSY
 * (StoreError `busy`); the message must not be acked, be retried, and be delivered once the lock
 * goes.
 */
import Database from 'better-sqlite3';
import { openStore } from '../../src/router/08-store/open-store.js';
import { createTestVhost, type TestVhost } from '../support/broker.js';
import { openTestClient, type TestClient } from '../support/messages.js';
import {
  createRouterWorkspace,
  startRouterProcess,
  type LogLine,
  type RouterProcess,
  type RouterWorkspace,
} from '../support/router-process.js';
import {
  cdaDocument,
  disruptive,
  drain,
  endpointQueue,
  INBOUND_QUEUE,
  newTrackingId,
  notification,
  QUARANTINE_QUEUE,
  queueDepth,
  report,
  setQueuePolicy,
  Supplier,
  trackingIdOf,
  until,
} from './helpers.js';

const OOH_111 = 'urn:nhs-uk:addressing:ods:NWAS111';
const ATTEMPTS = 3;

disruptive('failing messages: retried, quarantined, never blocking the queue', () => {
  let vhost: TestVhost;
  let workspace: RouterWorkspace;
  let client: TestClient;
  let router: RouterProcess;
  let supplier: Supplier;
  let poisonId = '';

  beforeAll(async () => {
    vhost = await createTestVhost();
    workspace = createRouterWorkspace({
      retry: { attempts: ATTEMPTS, initialDelayMs: 50, maxDelayMs: 1000 },
    });
    client = await openTestClient(vhost.url);
    supplier = new Supplier(await vhost.createUser(workspace.users['riverside-gp']!));
    router = await startRouterProcess({ workspace, amqpUrl: vhost.url });
    // ooh-111 has been offline a long time: its queue is at the limit ops set for it.
    setQueuePolicy(vhost.vhost, 'ooh-111-full', '^itk\\.endpoint\\.ooh-111$', {
      'max-length': 1,
      overflow: 'reject-publish',
    });
    let refused = false;
    for (let i = 0; i < 20 && !refused; i++) {
      client.channel.sendToQueue(endpointQueue('ooh-111'), Buffer.from(`filler ${i}`), {
        persistent: true,
      });
      refused = await client.channel.waitForConfirms().then(
        () => false,
        () => true, // nacked: the queue is full (a nack leaves the channel open)
      );
    }
    expect(refused).toBe(true);
  });

  afterAll(async () => {
    await router?.kill9();
    await supplier?.close();
    await client?.close();
    await vhost?.deleteAll();
    workspace?.remove();
  });

  const OUTAGE = 'store or broker unavailable, retrying in place';
  const since = (from: number, message: string): LogLine[] =>
    router.logs.slice(from).filter((l) => l.message === message);

  test('a document for an end point whose queue is full: 3 attempts, then quarantined with 2100; the messages behind it flow', async () => {
    const from = router.logs.length;
    poisonId = newTrackingId();
    const poison = cdaDocument(poisonId, OOH_111);
    const behind = Array.from({ length: 20 }, newTrackingId);
    const t0 = Date.now();
    await supplier.publish([poison]);
    await supplier.publish(behind.map((id) => cdaDocument(id)));

    const community = endpointQueue('riverside-community');
    await until(
      async () => (await queueDepth(client.channel, community)) >= behind.length,
      'the 20 behind it',
      5000,
      5,
    );
    const behindMs = Date.now() - t0;
    await until(
      async () => (await queueDepth(client.channel, QUARANTINE_QUEUE)) === 1,
      'the quarantined copy',
      10_000,
    );
    const quarantinedMs = Date.now() - t0;

    const [copy] = await drain(client.channel, QUARANTINE_QUEUE);
    const delivered = (await drain(client.channel, community)).map(trackingIdOf);
    const failures = since(from, 'message processing failed');
    const facts = {
      attempts: failures.map((l) => l.attempt),
      failure: failures[0]?.error,
      quarantineHeaders: copy!.properties.headers,
      behindDeliveredMs: behindMs,
      quarantinedAfterMs: quarantinedMs,
      failureLogCarriesTrackingId: failures.every((l) => l.trackingId === poisonId),
    };
    report('poison (full end point queue)', facts);

    expect(copy!.content.equals(poison)).toBe(true); // the original bytes
    expect(copy!.properties.headers?.['itk-error-code']).toBe('2100');
    expect(String(copy!.properties.headers?.['itk-error-text'])).toMatch(/attempt 3 of 3/);
    expect(failures.map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(String(failures[0]!.error)).toMatch(/nacked/i);
    expect(since(from, 'message quarantined after repeated failures')).toHaveLength(1);
    expect(new Set(delivered)).toEqual(new Set(behind)); // nothing blocked behind it
    expect(behindMs).toBeLessThan(2000);
    expect(await queueDepth(client.channel, INBOUND_QUEUE)).toBe(0);
    // docs/contract.md: on any failure the sender gets a nack: one, DE0001 with 2100 first in its
    // diagnostic (docs/errors.md, "What a nack says")
    const nacks = await drain(client.channel, endpointQueue('riverside-gp'));
    expect(
      nacks.map((m) => /<itk:ErrorCode[^>]*>([^<]*)</.exec(m.content.toString())?.[1]),
    ).toEqual(['DE0001']);
    expect(
      nacks.map(
        (m) => /<itk:ErrorDiagnosticText>([^<]*)</.exec(m.content.toString())?.[1]?.split(' ')[0],
      ),
    ).toEqual(['2100']);
  });

  test('the store records the quarantined document as quarantined (itk-router track)', async () => {
    expect(poisonId).not.toBe('');
    const store = await openStore({
      kind: 'sqlite',
      url: `sqlite:${workspace.storePath}`,
      path: workspace.storePath,
    });
    try {
      const [history] = await store.findByTrackingId(poisonId);
      report('poison store record', {
        state: history?.record.state,
        outcome: history?.record.outcome,
        completedAt: history?.record.completedAt,
        events: history?.events.map((e) => e.state),
      });
      expect(history?.record.outcome).toBe('quarantined');
      expect(history?.record.completedAt).not.toBeNull();
    } finally {
      await store.close();
    }
  });

  test('a care-plan notification copied to the full queue: delivered once to its addressee, retried, quarantined with 2100, the sender nacked 2100', async () => {
    const from = router.logs.length;
    const id = newTrackingId();
    const poison = notification(id); // end-of-life: riverside-community, and a copy to ooh-111
    await supplier.publish([poison]);
    await until(
      () =>
        router.logs
          .slice(from)
          .some((l) => l.trackingId === id && l.message === 'message processed') ||
        since(from, 'message quarantined after repeated failures').length > 0,
      'the notification settled',
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const quarantined = await drain(client.channel, QUARANTINE_QUEUE);
    const community = (await drain(client.channel, endpointQueue('riverside-community'))).map(
      trackingIdOf,
    );
    const nacks = (await drain(client.channel, endpointQueue('riverside-gp'))).map(
      (m) => /<itk:ErrorDiagnosticText>([^<]*)</.exec(m.content.toString())?.[1],
    );
    const facts = {
      attempts: since(from, 'message processing failed').map((l) => l.attempt),
      outcome: router.logs
        .slice(from)
        .find((l) => l.trackingId === id && l.message === 'message processed')?.outcome,
      quarantined: quarantined.map((m) => m.properties.headers?.['itk-error-code']),
      deliveredToRiversideCommunity: community.length,
      nacks,
    };
    report('poison care-plan notification', facts);

    // docs/contract.md: on any failure the sender gets a nack; here 2100, naming the repeated failure
    expect(nacks).toEqual([expect.stringMatching(/^2100 processing failed \(attempt 3 of 3\): /)]);
    expect(community).toEqual([id]); // its addressee got it once; the retries skip confirmed copies
    expect(quarantined.map((m) => m.properties.headers?.['itk-error-code'])).toEqual(['2100']);
    expect(facts.attempts).toEqual([1, 2, 3]);
  });

  test('store write-locked by another process beyond busy_timeout: the message is not acked, is retried, and is delivered once the lock goes', async () => {
    const from = router.logs.length;
    const lock = new Database(workspace.storePath);
    lock.pragma('busy_timeout = 10000');
    lock.exec('BEGIN IMMEDIATE'); // SQLite's write lock, as a long maintenance job would hold it
    const id = newTrackingId();
    // While the router waits on the lock (better-sqlite3 is synchronous) its event loop is
    // blocked: sample /healthz meanwhile and keep the slowest answer.
    let healthMs = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const t = Date.now();
        await router.http('/healthz').catch(() => undefined);
        healthMs = Math.max(healthMs, Date.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      await supplier.publish([notification(id, 'long-term-condition')]); // riverside-community only
      await until(() => since(from, OUTAGE).length > 0, 'the first attempt to fail', 15_000, 50);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await queueDepth(client.channel, endpointQueue('riverside-community'))).toBe(0);
      lock.exec('COMMIT');
    } finally {
      if (lock.inTransaction) lock.exec('ROLLBACK');
      lock.close();
      sampling = false;
      await sampler;
    }
    await until(
      async () => (await queueDepth(client.channel, endpointQueue('riverside-community'))) >= 1,
      'the delivery',
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const delivered = (await drain(client.channel, endpointQueue('riverside-community'))).map(
      trackingIdOf,
    );
    const failures = since(from, OUTAGE);
    report('store locked', {
      counted: since(from, 'message processing failed').length,
      failures: failures.map((l) => ({ try: l.try, error: l.error })),
      slowestHealthzDuringLockMs: healthMs,
      delivered,
    });

    // a locked store is an outage, not the message's fault: retried in place, no attempt spent
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(since(from, 'message processing failed')).toHaveLength(0);
    expect(String(failures[0]!.error)).toMatch(/SQLITE_BUSY|locked/i);
    expect(delivered).toEqual([id]);
    expect(await queueDepth(client.channel, QUARANTINE_QUEUE)).toBe(0);
    expect(await queueDepth(client.channel, endpointQueue('riverside-gp'))).toBe(0);
    expect(await queueDepth(client.channel, INBOUND_QUEUE)).toBe(0);
    const store = await openStore({
      kind: 'sqlite',
      url: `sqlite:${workspace.storePath}`,
      path: workspace.storePath,
    });
    try {
      const [history] = await store.findByTrackingId(id);
      expect(history?.record.outcome).toBe('delivered');
    } finally {
      await store.close();
    }
  });

  test('a delivery to an end point whose queue an operator deleted is not lost: retried and quarantined, never reported delivered', async () => {
    const from = router.logs.length;
    const hospice = endpointQueue('st-marys-hospice'); // acks: router, so the router inf-acks for it
    await client.channel.deleteQueue(hospice); // one deletion, at the end of the file's tests
    const id = newTrackingId();
    await supplier.publish([cdaDocument(id, 'urn:nhs-uk:addressing:ods:HOSP01')]);
    await until(
      () =>
        router.logs
          .slice(from)
          .some((l) => l.trackingId === id && l.message === 'message processed') ||
        since(from, 'message quarantined after repeated failures').length > 0,
      'the document settled',
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const quarantined = await drain(client.channel, QUARANTINE_QUEUE);
    const toSender = (await drain(client.channel, endpointQueue('riverside-gp'))).map(
      (m) => /result="([A-Za-z]+)"/.exec(m.content.toString())?.[1],
    );
    const outcome = router.logs
      .slice(from)
      .find((l) => l.trackingId === id && l.message === 'message processed');
    report('deleted end point queue', {
      outcome: outcome?.outcome,
      deliveredTo: outcome?.deliveredTo,
      quarantined: quarantined.map((m) => m.properties.headers?.['itk-error-code']),
      infAcksToSender: toSender,
    });
    expect(outcome?.outcome).not.toBe('delivered'); // the broker dropped it: not delivered
    expect(toSender).not.toContain('OK'); // and no positive inf ack on the hospice's behalf
    expect(quarantined).toHaveLength(1);
  });
});
