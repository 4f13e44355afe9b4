/**
 * kill -9 mid-stream (docs/contract.md, "AMQP contract": a crash at any moment loses nothing; it may
 * cause a redelivery, which the duplicate check absorbs). A supplier streams care-plan
 * notifications while the router child process routes them; the router is SIGKILLed once some but
 * not all have been delivered, then started again on the same store. Every notification must reach
 * its end point queues, no sender may get a nack, and the store must show each one delivered.
 *
 * Two kinds of message, each in its own vhost and store: care-plan notifications (the brief's
 * case; the care-plan step updates the index before delivering) and CDA documents (routed by
 * address only, so a redelivery meets the duplicate check alone: this one measures the copies a
 * crash adds). The facts (copies, duplicates, nacks, outcomes) are reported before any assertion,
 * so a failing run still says what the crash did.
 */
import { openStore } from '../../src/router/08-store/open-store.js';
import { createTestVhost, type TestUser, type TestVhost } from '../support/broker.js';
import { openTestClient, type TestClient } from '../support/messages.js';
import {
  createRouterWorkspace,
  startRouterProcess,
  trackCli,
  type RouterProcess,
  type RouterWorkspace,
} from '../support/router-process.js';
import {
  cdaDocument,
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

const TOTAL = 600;
const BATCH = 20;
const PREFETCH = 100;

interface Scenario {
  readonly name: string;
  readonly body: (trackingId: string) => Buffer;
  /** End points every message is delivered to. */
  readonly destinations: readonly string[];
}

const NOTIFICATIONS: Scenario = {
  name: 'care-plan notifications',
  body: (id) => notification(id),
  // riverside-community by address, ooh-111 by the end-of-life copy route.
  destinations: ['riverside-community', 'ooh-111'],
};
const DOCUMENTS: Scenario = {
  name: 'CDA documents',
  body: cdaDocument,
  destinations: ['riverside-community'],
};

disruptive('router killed with SIGKILL mid-stream', () => {
  const routers: RouterProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  afterAll(async () => {
    for (const r of routers) await r.kill9();
    for (const cleanup of cleanups) await cleanup();
  });

  test('care-plan notifications: every one delivered and recorded delivered, no nack; extra copies only from the crash window', async () => {
    await crashScenario(NOTIFICATIONS);
  });

  test('CDA documents: every one delivered and recorded delivered; extra copies only from the crash window', async () => {
    await crashScenario(DOCUMENTS);
  });

  async function crashScenario({ name, body, destinations }: Scenario): Promise<void> {
    const vhost: TestVhost = await createTestVhost();
    const workspace: RouterWorkspace = createRouterWorkspace({ prefetch: PREFETCH });
    const client: TestClient = await openTestClient(vhost.url);
    cleanups.push(async () => {
      await client.close();
      await vhost.deleteAll();
      workspace.remove();
    });
    const supplierUser: TestUser = await vhost.createUser(workspace.users['riverside-gp']!);
    const DESTINATIONS = [...destinations];
    const start = () =>
      startRouterProcess({ workspace, amqpUrl: vhost.url }).then((r) => (routers.push(r), r));
    const first = await start();
    const supplier = new Supplier(supplierUser);
    const ids = Array.from({ length: TOTAL }, newTrackingId);

    // The stream: batches with confirms, paced so that it is still running when the router dies.
    let published = 0;
    const streaming = (async () => {
      for (let i = 0; i < TOTAL; i += BATCH) {
        await supplier.publish(ids.slice(i, i + BATCH).map((id) => body(id)));
        published = i + BATCH;
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();

    const destination = endpointQueue('riverside-community');
    await until(
      async () => (await queueDepth(client.channel, destination)) >= TOTAL / 5,
      'a fifth delivered',
      30_000,
      5,
    );
    const killedAt = new Date();
    const killed = await first.kill9();
    const deliveredAtKill = await queueDepth(client.channel, destination);
    const publishedAtKill = published;

    const second = await start();
    await streaming;
    await supplier.close();
    // Done when the routers between them have processed every id (or absorbed it as a duplicate).
    // Then let the last acks settle before SIGTERM: acks sent just before a quorum-queue consumer's
    // channel closes can be dropped by the broker (sigterm.test.ts), not this test's subject.
    const finished = () =>
      new Set(
        [...first.logs, ...second.logs]
          .filter((l) => l.message === 'message processed' || l.outcome === 'duplicate')
          .map((l) => String(l.trackingId)),
      );
    await until(() => ids.every((id) => finished().has(id)), `all ${TOTAL} processed`, 60_000, 100);
    await until(
      async () => (await queueDepth(client.channel, INBOUND_QUEUE)) === 0,
      'inbound empty',
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stopped = await second.terminate('SIGTERM');
    const leftInbound = await queueDepth(client.channel, INBOUND_QUEUE);

    // What reached the end points, the sender and quarantine.
    const copies: Record<string, Map<string, number>> = {};
    for (const endpoint of DESTINATIONS) {
      copies[endpoint] = countBy(
        (await drain(client.channel, endpointQueue(endpoint))).map(trackingIdOf),
      );
    }
    const nacks = (await drain(client.channel, endpointQueue('riverside-gp'))).map((m) => ({
      ref: /trackingIdRef="([^"]+)"/.exec(m.content.toString())?.[1],
      text: /<itk:ErrorDiagnosticText>([^<]*)</.exec(m.content.toString())?.[1] ?? '',
    }));
    const quarantined = await queueDepth(client.channel, QUARANTINE_QUEUE);

    // What the store says.
    const store = await openStore({
      kind: 'sqlite',
      url: `sqlite:${workspace.storePath}`,
      path: workspace.storePath,
    });
    const processedBySecond = new Set(
      second.logs.filter((l) => l.message === 'message processed').map((l) => String(l.trackingId)),
    );
    const resumed = new Set<string>(); // received before the kill, finished by the second router
    const outcomes: string[] = [];
    const badRecords: string[] = [];
    try {
      for (const id of ids) {
        const records = await store.findByTrackingId(id);
        const { record, events } = records[0]!;
        outcomes.push(String(record.outcome));
        const deliveredTo = events
          .filter((e) => e.state === 'delivered' && e.endpointId)
          .map((e) => e.endpointId)
          .sort();
        if (
          records.length !== 1 ||
          record.outcome !== 'delivered' ||
          record.completedAt === null ||
          JSON.stringify(deliveredTo) !== JSON.stringify([...DESTINATIONS].sort())
        ) {
          badRecords.push(
            `${id}: ${records.length} record(s), outcome ${record.outcome}, delivered to ${deliveredTo}`,
          );
        }
        if (record.receivedAt < killedAt && processedBySecond.has(id)) resumed.add(id);
      }
    } finally {
      await store.close();
    }
    const copiedTwice = new Set(
      DESTINATIONS.flatMap((e) => [...copies[e]!].filter(([, n]) => n > 1).map(([id]) => id)),
    );
    const facts = {
      notifications: TOTAL,
      publishedAtKill,
      deliveredAtKill,
      inFlightAtCrashFinishedAfterRestart: resumed.size,
      redeliveriesAbsorbedByDuplicateCheck: second.logs.filter((l) => l.outcome === 'duplicate')
        .length,
      notificationsCopiedTwice: copiedTwice.size,
      extraCopies: Object.fromEntries(
        DESTINATIONS.map((e) => [
          e,
          [...copies[e]!.values()].reduce((a, b) => a + b, 0) - copies[e]!.size,
        ]),
      ),
      missing: Object.fromEntries(
        DESTINATIONS.map((e) => [e, ids.filter((id) => !copies[e]!.has(id)).length]),
      ),
      nacksToSender: nacks.length,
      nackReasons: [...countBy(nacks.map((n) => n.text.replace(/[0-9A-F-]{36}/g, '<id>')))],
      storeOutcomes: Object.fromEntries(countBy(outcomes)),
      quarantined,
      sigterm: { code: stopped.code, ms: stopped.ms, leftInbound },
    };
    report(`crash (kill -9), ${name}`, facts);

    expect(killed.signal).toBe('SIGKILL');
    expect(deliveredAtKill).toBeGreaterThan(0);
    expect(deliveredAtKill).toBeLessThan(TOTAL);
    expect(stopped.code).toBe(0);
    expect(leftInbound).toBe(0);
    // Nothing lost: every notification at every destination at least once, nothing foreign.
    expect(nacks).toEqual([]);
    for (const endpoint of DESTINATIONS)
      expect(new Set(copies[endpoint]!.keys())).toEqual(new Set(ids));
    expect(quarantined).toBe(0);
    // The store: one record per tracking id, delivered, one `delivered` event per end point.
    expect(badRecords).toEqual([]);
    // An extra copy only ever comes from a message in flight at the crash (within the prefetch
    // window): its deliveries reached the broker, but their `delivered` events were not yet stored.
    expect(resumed.size).toBeLessThanOrEqual(PREFETCH);
    for (const id of copiedTwice) expect(resumed).toContain(id);
    for (const e of DESTINATIONS) expect(Math.max(...copies[e]!.values())).toBeLessThanOrEqual(2);
    // `itk-router track` tells the same story (for an id copied twice too, when there is one).
    for (const id of [ids[0]!, ...[...copiedTwice].slice(0, 1), ids[TOTAL - 1]!]) {
      const tracked = trackCli(workspace, id);
      expect(tracked.status).toBe(0);
      const story = tracked.story as { messages: { record: { state: string; outcome: string } }[] };
      expect(story.messages.map((m) => [m.record.state, m.record.outcome])).toEqual([
        ['delivered', 'delivered'],
      ]);
    }
  }
});
