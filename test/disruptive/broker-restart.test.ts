/**
 * The broker itself restarts under a running router (`rabbitmqctl stop_app && start_app`): the
 * router must report not-ready while the broker is gone, reconnect by itself, and deliver every
 * message the supplier published and had confirmed, before, during (retried until confirmed) and
 * after the outage. While the broker is down every HTTP endpoint answers at once: /metrics marks
 * what it cannot know (the quarantine depth) as unavailable instead of waiting for the broker.
 *
 * The broker restarted is a private RabbitMQ node this file starts and stops
 * (test/support/private-broker.ts): the shared broker, and whoever else uses it, is never touched.
 * It stays in the serial disruptive suite (jest.disruptive.config.js) for its length (~30 s).
 *
 * The messages are CDA documents (routed by address only). Care-plan notifications in flight at
 * the outage would also meet the care-plan step's refusal of redeliveries, which crash.test.ts
 * and poison.test.ts pin.
 */
import { randomUUID } from 'node:crypto';
import { openStore } from '../../src/router/08-store/open-store.js';
import type { TestUser } from '../support/broker.js';
import { startPrivateBroker, type PrivateBroker } from '../support/private-broker.js';
import { openTestClient, type TestClient } from '../support/messages.js';
import {
  createRouterWorkspace,
  startRouterProcess,
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
  QUARANTINE_QUEUE,
  queueDepth,
  report,
  Supplier,
  trackingIdOf,
  until,
} from './helpers.js';

const BATCH = 10;
const DESTINATION = endpointQueue('riverside-community');

/** Each HTTP endpoint while the broker is down: status, how long it took, and the body. */
async function endpointsDuringOutage(router: RouterProcess) {
  const answers: Record<string, { status: number; ms: number; body: string }> = {};
  for (const path of ['/healthz', '/readyz', '/metrics', '/routes']) {
    const t0 = Date.now();
    const res = await router
      .http(path)
      .catch((err: Error) => ({ status: 0, body: `${err.message}: ${String(err.cause)}` }));
    answers[path] = { ...res, ms: Date.now() - t0 };
  }
  return answers;
}

disruptive('broker restart under a running router', () => {
  let broker: PrivateBroker;
  let workspace: RouterWorkspace;
  let router: RouterProcess | undefined;
  let client: TestClient | undefined;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    workspace = createRouterWorkspace({
      retry: { attempts: 5, initialDelayMs: 200, maxDelayMs: 2000 },
    });
  });

  afterAll(async () => {
    await router?.kill9();
    await client?.close();
    await broker?.stop(); // the private node only
    workspace?.remove();
  });

  test('the router reconnects by itself and every confirmed message is delivered', async () => {
    const name = workspace.users['riverside-gp']!;
    const password = randomUUID();
    await broker.ctl('add_user', name, password);
    await broker.ctl('set_permissions', '-p', '/', name, '.*', '.*', '.*');
    const gp: TestUser = {
      name,
      password,
      url: `amqp://${name}:${password}@127.0.0.1:${broker.port}/`,
    };
    const supplier = new Supplier(gp);
    router = await startRouterProcess({ workspace, amqpUrl: broker.url() });
    const confirmed: string[] = [];
    let failedAttempts = 0;
    type Phase = 'before' | 'outage' | 'after' | 'done';
    let phase = 'before' as Phase;
    const publishedIn = { before: 0, outage: 0, after: 0 };

    // The supplier keeps sending, batch after batch, each retried until the broker confirms it.
    const streaming = (async () => {
      while (phase !== 'done') {
        const ids = Array.from({ length: BATCH }, newTrackingId);
        const during = phase;
        failedAttempts += await supplier.publishWithRetry(
          ids.map((id) => cdaDocument(id)),
          200,
          90_000,
        );
        confirmed.push(...ids);
        publishedIn[during] += ids.length;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    await until(() => confirmed.length >= 100, '100 confirmed before the restart', 10_000);
    phase = 'outage';
    const down = Date.now();
    await broker.ctl('stop_app');
    const stopped = Date.now();
    await until(
      async () => (await router!.http('/readyz')).status === 503,
      'the router to see the outage',
      10_000,
    );
    const duringOutage = await endpointsDuringOutage(router);
    const readyWhileDown = duringOutage['/readyz']!;
    await broker.ctl('start_app');
    await until(() => broker.answers(), 'the broker to answer again', 60_000, 200);
    const up = Date.now();
    phase = 'after';

    await until(
      async () => (await router!.http('/readyz')).status === 200,
      'the router ready again',
      40_000,
      100,
    );
    const readyAgain = Date.now();
    const afterReady = confirmed.length;
    await until(() => confirmed.length >= afterReady + 100, '100 more confirmed after it', 20_000);
    phase = 'done';
    await streaming;
    await supplier.close();

    // Everything confirmed reaches the end point queue.
    client = await openTestClient(broker.url());
    const got: string[] = [];
    const wanted = new Set(confirmed);
    await until(
      async () => {
        got.push(...(await drain(client!.channel, DESTINATION)).map(trackingIdOf));
        return [...wanted].every((id) => new Set(got).has(id));
      },
      `all ${wanted.size} confirmed messages delivered`,
      40_000,
      200,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    got.push(...(await drain(client.channel, DESTINATION)).map(trackingIdOf));
    const copies = countBy(got);
    const nacks = (await drain(client.channel, endpointQueue('riverside-gp'))).map(
      (m) =>
        /<itk:ErrorDiagnosticText>([^<]*)</.exec(m.content.toString())?.[1] ?? m.content.toString(),
    );
    const quarantined = await drain(client.channel, QUARANTINE_QUEUE);
    const states = router.logs
      .filter((l) => /^broker connection /.test(String(l.message)))
      .map((l) => l.message);
    const store = await openStore({
      kind: 'sqlite',
      url: `sqlite:${workspace.storePath}`,
      path: workspace.storePath,
    });
    const outcomes: string[] = [];
    try {
      for (const id of wanted)
        outcomes.push(String((await store.findByTrackingId(id))[0]?.record.outcome));
    } finally {
      await store.close();
    }
    report('broker restart', {
      confirmed: wanted.size,
      publishedIn,
      failedPublishAttempts: failedAttempts,
      stopAppMs: stopped - down,
      brokerDownMs: up - down,
      routerReadyAfterBrokerUpMs: readyAgain - up,
      readyzWhileDown: readyWhileDown,
      endpointMsDuringOutage: Object.fromEntries(
        Object.entries(duringOutage).map(([path, answer]) => [path, answer.ms]),
      ),
      connectionStates: states,
      processingFailures: router.logs.filter((l) => l.message === 'message processing failed')
        .length,
      absorbedDuplicates: router.logs.filter((l) => l.outcome === 'duplicate').length,
      extraCopies: got.length - copies.size,
      nacks: nacks.length,
      quarantined: quarantined.map((m) => m.properties.headers?.['itk-error-code']),
      storeOutcomes: Object.fromEntries(countBy(outcomes)),
    });

    expect(readyWhileDown.status).toBe(503);
    for (const [path, answer] of Object.entries(duringOutage)) {
      expect({ path, fast: answer.ms < 3000 }).toEqual({ path, fast: true });
      expect({ path, status: answer.status }).toEqual({
        path,
        // /routes needs a viewer's token since the console (docs/console.md): refused, and fast.
        status: path === '/readyz' ? 503 : path === '/routes' ? 401 : 200,
      });
    }
    const metrics = duringOutage['/metrics']!.body;
    expect(metrics).toMatch(/^itk_broker_connected 0$/m);
    expect(metrics).toMatch(/^itk_quarantine_depth nan$/im); // unknown, not a stale number
    expect(states).toContain('broker connection reconnecting');
    expect(states[states.length - 1]).toBe('broker connection connected');
    expect(router.stderr()).toBe('');
    expect(new Set(copies.keys())).toEqual(wanted); // every confirmed message, nothing foreign
    expect(nacks).toEqual([]);
    expect(quarantined).toHaveLength(0);
    expect(outcomes.every((o) => o === 'delivered')).toBe(true);
    expect(await queueDepth(client.channel, INBOUND_QUEUE)).toBe(0);
    const exit = await router.terminate('SIGTERM');
    expect(exit.code).toBe(0);
  });
});
