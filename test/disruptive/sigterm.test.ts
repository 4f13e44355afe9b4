/**
 * Graceful stop (docs/contract.md, "Operating it": on SIGTERM stop consuming, finish in-flight
 * messages, close cleanly). The router child process gets SIGTERM with a full prefetch window in
 * flight; it must exit 0 within a few seconds, leave no half-processed message in the store, and
 * lose nothing: what it did not take stays in the queue for the next start, which delivers the
 * rest. A graceful stop gives no end point a second copy.
 */
import { openStore } from '../../src/router/08-store/open-store.js';
import { createTestVhost, type TestVhost } from '../support/broker.js';
import { openTestClient, type TestClient } from '../support/messages.js';
import {
  createRouterWorkspace,
  startRouterProcess,
  type RouterProcess,
  type RouterWorkspace,
} from '../support/router-process.js';
import {
  countBy,
  disruptive,
  drain,
  endpointQueue,
  INBOUND_QUEUE,
  newTrackingId,
  notification,
  QUARANTINE_QUEUE,
  queueDepth,
  report,
  Supplier,
  trackingIdOf,
  until,
} from './helpers.js';

const TOTAL = 500;
const PREFETCH = 100;
const DESTINATIONS = ['riverside-community', 'ooh-111'];

disruptive('SIGTERM with messages in flight', () => {
  let vhost: TestVhost;
  let workspace: RouterWorkspace;
  let client: TestClient;
  const routers: RouterProcess[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost();
    workspace = createRouterWorkspace({ prefetch: PREFETCH });
    client = await openTestClient(vhost.url);
  });

  afterAll(async () => {
    for (const r of routers) await r.kill9();
    await client?.close();
    await vhost?.deleteAll();
    workspace?.remove();
  });

  test('stops consuming, finishes what it holds, exits 0 promptly; the next start delivers the rest, no message lost or copied twice', async () => {
    const start = () =>
      startRouterProcess({ workspace, amqpUrl: vhost.url }).then((r) => (routers.push(r), r));
    const router = await start();
    const supplier = new Supplier(await vhost.createUser(workspace.users['riverside-gp']!));
    const ids = Array.from({ length: TOTAL }, newTrackingId);
    for (let i = 0; i < TOTAL; i += 50) {
      await supplier.publish(ids.slice(i, i + 50).map((id) => notification(id)));
    }
    await supplier.close();

    const destination = endpointQueue('riverside-community');
    await until(
      async () => (await queueDepth(client.channel, destination)) >= 100,
      '100 delivered',
      30_000,
      5,
    );
    const stopped = await router.terminate('SIGTERM');
    const signalAt = router.logs.findIndex((l) => l.message === 'signal received');
    const finishedAfterSignal = router.logs
      .slice(signalAt)
      .filter((l) => l.message === 'message processed').length;
    const processedBeforeExit = new Set(
      router.logs.filter((l) => l.message === 'message processed').map((l) => String(l.trackingId)),
    );

    // Right after the exit: delivered + still queued = everything published.
    const deliveredNow = await queueDepth(client.channel, destination);
    const queuedNow = await queueDepth(client.channel, INBOUND_QUEUE);
    // No half-processed message: every record the stopping router began is completed.
    const store = await openStore({
      kind: 'sqlite',
      url: `sqlite:${workspace.storePath}`,
      path: workspace.storePath,
    });
    const unfinished: string[] = [];
    let recorded = 0;
    try {
      for (const id of ids) {
        const [history] = await store.findByTrackingId(id);
        if (!history) continue;
        recorded++;
        if (history.record.completedAt === null) unfinished.push(id);
      }
    } finally {
      await store.close();
    }

    // The next start takes the rest.
    const next = await start();
    await until(
      () =>
        ids.every(
          (id) =>
            processedBeforeExit.has(id) ||
            next.logs.some((l) => l.trackingId === id && l.message === 'message processed'),
        ),
      'the rest processed by the next start',
      30_000,
      100,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const absorbed = next.logs
      .filter((l) => l.outcome === 'duplicate')
      .map((l) => String(l.trackingId));
    const secondStop = await next.terminate('SIGTERM');

    const copies: Record<string, Map<string, number>> = {};
    for (const endpoint of DESTINATIONS) {
      copies[endpoint] = countBy(
        (await drain(client.channel, endpointQueue(endpoint))).map(trackingIdOf),
      );
    }
    const nacks = await drain(client.channel, endpointQueue('riverside-gp'));
    const facts = {
      published: TOTAL,
      prefetch: PREFETCH,
      exit: { code: stopped.code, signal: stopped.signal, ms: stopped.ms },
      finishedAfterSignal,
      deliveredBeforeExit: deliveredNow,
      leftQueued: queuedNow,
      recordedByStoppingRouter: recorded,
      unfinishedRecords: unfinished.length,
      // Finished (acked) by the stopping router, yet back in the queue: the ack did not stick.
      finishedButRedelivered: absorbed.filter((id) => processedBeforeExit.has(id)).length,
      extraCopies: Object.fromEntries(
        DESTINATIONS.map((e) => [
          e,
          [...copies[e]!.values()].reduce((a, b) => a + b, 0) - copies[e]!.size,
        ]),
      ),
      nacks: nacks.length,
      secondStopMs: secondStop.ms,
    };
    report('SIGTERM', facts);

    expect(stopped.signal).toBeNull();
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
    expect(finishedAfterSignal).toBeLessThanOrEqual(PREFETCH); // only what it held: it stopped consuming
    expect(deliveredNow).toBeLessThan(TOTAL); // it did stop before the end
    expect(deliveredNow + queuedNow).toBeGreaterThanOrEqual(TOTAL); // nothing lost at the stop
    expect(unfinished).toEqual([]);
    expect(secondStop.code).toBe(0);
    for (const endpoint of DESTINATIONS) {
      expect(new Set(copies[endpoint]!.keys())).toEqual(new Set(ids));
      expect(Math.max(...copies[endpoint]!.values())).toBe(1); // a graceful stop copies nothing twice
    }
    expect(nacks).toEqual([]);
    expect(await queueDepth(client.channel, QUARANTINE_QUEUE)).toBe(0);
    expect(await queueDepth(client.channel, INBOUND_QUEUE)).toBe(0);
  });
});
