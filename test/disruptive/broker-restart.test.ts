/**
 * The broker itself restarts under a running router (`rabbitmqctl stop_app && start_app`): the
 * router must report not-ready while the broker is gone, reconnect by itself, and deliver every
 * message the supplier published and had confirmed, before, during (retried until confirmed) and
 * after the outage. This disturbs every other test on the broker: it runs in the serial
 * disruptive suite only (jest.disruptive.config.js), after the main suite.
 *
 * The messages are CDA documents (routed by address only). Care-plan notifications in flight at
 * the outage would also meet the care-plan step's refusal of redeliveries, which crash.test.ts
 * and poison.test.ts pin.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openStore } from '../../src/store/open-store.js';
import { createTestVhost, type TestVhost } from '../support/broker.js';
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

// Asynchronous on purpose: the supplier in this process keeps publishing while they run.
const run = promisify(execFile);
const ctl = (...args: string[]) => run('rabbitmqctl', args, { timeout: 60_000 });
const brokerAnswers = (): Promise<boolean> =>
  run('rabbitmq-diagnostics', ['-q', 'ping'], { timeout: 10_000 }).then(
    () => true,
    () => false,
  );

disruptive('broker restart under a running router', () => {
  let vhost: TestVhost;
  let workspace: RouterWorkspace;
  let router: RouterProcess | undefined;
  let client: TestClient | undefined;

  beforeAll(async () => {
    vhost = await createTestVhost();
    workspace = createRouterWorkspace({
      retry: { attempts: 5, initialDelayMs: 200, maxDelayMs: 2000 },
    });
  });

  afterAll(async () => {
    if (!(await brokerAnswers())) {
      await ctl('start_app'); // never leave the broker stopped for whatever runs next
      await until(() => brokerAnswers(), 'the broker', 60_000, 500);
    }
    await router?.kill9();
    await client?.close();
    await vhost?.deleteAll();
    workspace?.remove();
  });

  test('the router reconnects by itself and every confirmed message is delivered', async () => {
    const supplier = new Supplier(await vhost.createUser(workspace.users['riverside-gp']!));
    router = await startRouterProcess({ workspace, amqpUrl: vhost.url });
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
    await ctl('stop_app');
    const stopped = Date.now();
    const readyWhileDown = await router
      .http('/readyz')
      .catch((err: Error) => ({ status: 0, body: `${err.message}: ${String(err.cause)}` }));
    await ctl('start_app');
    await until(() => brokerAnswers(), 'the broker to answer again', 60_000, 200);
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
    client = await openTestClient(vhost.url);
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
