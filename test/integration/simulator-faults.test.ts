/**
 * The simulator's faults on demand, end to end through a real router on the real broker (routes
 * test/fixtures/routes-it): each flag changes what reaches the GP (or NHS 111) as stated, and a
 * fault script limits a fault to one message type.
 */
import path from 'node:path';
import { buildInfAck } from '../../src/router/07-delivery/infrastructure-ack.js';
import { readCarePlanFacts } from '../../src/router/03-envelope/careplan-payload.js';
import {
  faultsFromFlags,
  parseFaultScript,
  startSimulator,
  type FaultFlags,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../src/tools/simulator/index.js';
import {
  ADDR,
  newPlan,
  notification,
  readCarePlanResponse,
  readDe,
  readInfAck,
  request,
  type TestMessage,
} from '../support/careplan-messages.js';
import { FIXTURES } from '../support/fixture-files.js';
import { useRouterHarness } from '../support/router-harness.js';
import { sleep, waitFor } from '../support/wait-for.js';

const h = useRouterHarness();
const GP_Q = () => h.queue('riverside-gp');
const OOH_Q = () => h.queue('ooh-111');
const everywhere = () => [...h.endpointIds.map((id) => h.queue(id)), h.names.quarantineQueue];
const INF_ACK = 'urn:nhs-itk:services:201005:SendInfrastructureAck-v1-0';
const BUS_ACK = 'urn:nhs-itk:services:201005:SendBusinessAck-v1-0';

/** Runs `body` with the simulated community team, faults as the flags say; stops it after. */
async function withSimulator(
  faults: FaultFlags | SimulatorOptions['faults'],
  body: (sim: RunningSimulator) => Promise<void>,
  more: Partial<SimulatorOptions> = {},
): Promise<void> {
  const sim = await startSimulator({
    endpointId: 'riverside-community',
    amqpUrl: h.vhost.url,
    routes: path.join(path.dirname(h.storePath), 'routes'),
    password: h.user('community').password,
    faults: Array.isArray(faults) ? faults : faultsFromFlags(faults as FaultFlags),
    ...more,
  });
  try {
    await body(sim);
  } finally {
    await sim.stop();
  }
}

/** A GP notification to the community team asking for both acks. */
function gpNotification(): TestMessage {
  const msg = notification('created', newPlan({ owner: ADDR.gp }), {
    from: ADDR.gp,
    to: [ADDR.community],
    infAck: true,
  });
  const spec = '<itk:spec key="urn:nhs-itk:ns:201005:infackrequested" value="true"/>';
  const xml = msg.xml.replace(
    spec,
    `${spec}<itk:spec key="urn:nhs-itk:ns:201005:ackrequested" value="true"/>`,
  );
  return { ...msg, xml, bytes: Buffer.from(xml, 'utf8') };
}

test('--nack DE0003: the GP gets a nack with that code instead of the acks (the message becomes nacked)', async () => {
  await withSimulator({ nack: 'DE0003' }, async () => {
    const msg = gpNotification();
    await h.publish('gp', msg.bytes);
    const nack = readInfAck(await h.takeOne(GP_Q()));
    expect(nack).toMatchObject({ result: 'Failure', trackingIdRef: msg.trackingId });
    expect(nack.errors.map((e) => [e.code, e.text])).toEqual([
      ['DE0003', 'Distribution Envelope Address List Processing Error'],
    ]);
    await h.expectEmpty(everywhere());
    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.state === 'nacked',
    );
    expect(story.messages[0]!.events).toContainEqual(
      expect.objectContaining({
        state: 'nacked',
        endpointId: 'riverside-community',
        code: 'DE0003',
      }),
    );
  });
});

test('--delay 1s: the acks come only after the delay', async () => {
  await withSimulator({ delay: '1s' }, async () => {
    const msg = gpNotification();
    const start = Date.now();
    await h.publish('gp', msg.bytes);
    await h.expectEmpty([GP_Q()], 700);
    const first = await h.takeOne(GP_Q(), 5000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
    const second = await h.takeOne(GP_Q(), 5000);
    expect([first, second].map((m) => m.properties.type).sort()).toEqual([BUS_ACK, INF_ACK]);
  });
});

test('--delay: stopping mid-delay returns the message to the queue, unanswered', async () => {
  await withSimulator({ delay: '30s' }, async (sim) => {
    const msg = gpNotification();
    await h.publish('gp', msg.bytes);
    await waitFor(() => sim.received.length === 1, 'the simulator to receive it');
    await sim.stop();
    expect(sim.sent).toEqual([]);
    const { messageCount } = await h.client.channel.checkQueue(h.queue('riverside-community'));
    expect(messageCount).toBe(1);
  });
});

test('--drop: consumed, nothing sent (the message stays delivered, never acknowledged)', async () => {
  await withSimulator({ drop: true }, async (sim) => {
    const msg = gpNotification();
    await h.publish('gp', msg.bytes);
    await waitFor(() => sim.received.length === 1, 'the simulator to receive it');
    await h.expectEmpty(everywhere(), 500);
    expect(sim.sent).toEqual([]);
    expect(sim.received[0]!.faults).toEqual(['drop']);
    expect((await h.store.track(msg.trackingId))?.messages[0]?.record.state).toBe('delivered');
  });
});

test('--duplicate-answers: every answer published twice; the router delivers each once and records the duplicate', async () => {
  await withSimulator({ duplicateAnswers: true }, async (sim) => {
    const msg = gpNotification();
    await h.publish('gp', msg.bytes);
    await waitFor(() => sim.sent.length === 4, 'four publishes');
    expect(sim.sent.map((s) => s.kind)).toEqual([
      'inf-ack',
      'inf-ack',
      'business-ack',
      'business-ack',
    ]);
    const got = [await h.takeOne(GP_Q()), await h.takeOne(GP_Q())];
    expect(got.map((m) => m.properties.type).sort()).toEqual([BUS_ACK, INF_ACK]);
    const infAckId = sim.sent[0]!.trackingId;
    const story = await h.waitForStory(
      infAckId,
      (s) => s.messages[0]?.events.some((e) => e.state === 'duplicate') === true,
    );
    expect(story.messages).toHaveLength(1);
    await h.expectEmpty(everywhere());
  });
});

test('--stale-version: a found response carries the plan one version old', async () => {
  await withSimulator(
    { staleVersion: true },
    async () => {
      // asked directly (not through the locator): the seed holds the dementia plan at version 2
      const asked = request(
        { planId: '8B3F6D2A-1E4C-4A7B-B5D9-3C2E1F0A9B87' },
        { from: ADDR.ooh, to: [ADDR.community] },
      );
      await h.publish('ooh', asked.bytes);
      const answer = await h.takeOne(OOH_Q());
      expect(readCarePlanResponse(answer)).toMatchObject({
        inResponseTo: asked.trackingId,
        outcome: 'found',
      });
      expect(readCarePlanFacts(readDe(answer).root)?.plan?.version).toBe(1);
    },
    { plans: path.join(FIXTURES, 'simulator', 'plans') },
  );
});

test('--ack-acks: an inf ack sent to the community team is acknowledged back (an accreditation failure)', async () => {
  const gpAck = buildInfAck({
    original: {
      trackingId: '62DB2A03-13B7-4E7B-BD3F-235E858D4CB1',
      service: 'urn:itk-router:services:CarePlanResponse-v1-0',
    },
    to: { uri: ADDR.community },
    from: { address: ADDR.gp, identity: 'urn:nhs-uk:identity:ods:A83001' },
    result: 'OK',
  });
  await withSimulator({}, async (sim) => {
    await h.publish('gp', gpAck.xml);
    await waitFor(() => sim.received.length === 1, 'the simulator to receive it');
    await h.expectEmpty(everywhere(), 300); // without the fault: never acknowledged
  });
  const again = buildInfAck({
    original: { trackingId: '56F29487-5AEA-498F-BC3D-EED0436BFB40', service: INF_ACK },
    to: { uri: ADDR.community },
    from: { address: ADDR.gp, identity: 'urn:nhs-uk:identity:ods:A83001' },
    result: 'OK',
  });
  await withSimulator({ ackAcks: true }, async () => {
    await h.publish('gp', again.xml);

    const back = readInfAck(await h.takeOne(GP_Q()));
    expect(back).toMatchObject({
      result: 'OK',
      trackingIdRef: again.trackingId,
      serviceRef: INF_ACK,
    });
    await h.expectEmpty(everywhere());
  });
});

test('a fault script limits a fault to one message type: requests are nacked 2100 (once), notifications acknowledged', async () => {
  const faults = parseFaultScript(`
faults:
  - nack: { code: '2100', text: the care record system is being restarted }
    when: { messageType: CarePlanRequest }
    times: 1
`);
  await withSimulator(
    faults,
    async () => {
      const asked = () =>
        request(
          { planId: '8B3F6D2A-1E4C-4A7B-B5D9-3C2E1F0A9B87' },
          { from: ADDR.ooh, to: [ADDR.community] },
        );
      const first = asked();
      await h.publish('ooh', first.bytes);
      const nack = readInfAck(await h.takeOne(OOH_Q()));
      expect(nack).toMatchObject({ result: 'Failure', trackingIdRef: first.trackingId });
      expect(nack.errors.map((e) => [e.code, e.diagnostic])).toEqual([
        ['DE0001', '2100 the care record system is being restarted'],
      ]);

      const msg = gpNotification();
      await h.publish('gp', msg.bytes);
      const acks = [await h.takeOne(GP_Q()), await h.takeOne(GP_Q())];
      expect(acks.map((m) => m.properties.type).sort()).toEqual([BUS_ACK, INF_ACK]);

      const retry = asked(); // the retry: times 1 is used up
      await h.publish('ooh', retry.bytes);
      expect(readCarePlanResponse(await h.takeOne(OOH_Q())).outcome).toBe('found');
      await sleep(50);
      await h.expectEmpty(everywhere());
    },
    { plans: path.join(FIXTURES, 'simulator', 'plans') },
  );
});
