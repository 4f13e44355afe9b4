/**
 * `itk-router simulate` end to end, on the real broker with a real router (startRouter on a test
 * vhost, routes test/fixtures/routes-it): the simulated community team acknowledges a GP's
 * notification (inf ack + business ack, correlated in the router's store), answers a request sent
 * to the locator as the plan's owner, accepts an update on the current version and rejects a stale
 * one with AR; and the CLI command runs the same simulator.
 */
import fs from 'node:fs';
import path from 'node:path';
import { jest } from '@jest/globals';
import { buildInfAck } from '../../src/router/07-delivery/infrastructure-ack.js';
import { main } from '../../src/tools/cli/main.js';
import { readCarePlanFacts } from '../../src/router/03-envelope/careplan-payload.js';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../src/tools/simulator/index.js';
import {
  ADDR,
  headersOf,
  newPlan,
  nextVersion,
  notification,
  readCarePlanResponse,
  readDe,
  readInfAck,
  request,
  update,
  type PlanSpec,
  type TestMessage,
} from '../support/careplan-messages.js';
import { FIXTURES } from '../support/fixture-files.js';
import { purgeQueues } from '../support/messages.js';
import { useRouterHarness } from '../support/router-harness.js';
import { createValidator } from '../../src/router/04-validation/create-validator.js';
import { waitFor } from '../support/wait-for.js';

const h = useRouterHarness();
const GP_Q = () => h.queue('riverside-gp');
const everywhere = () => [...h.endpointIds.map((id) => h.queue(id)), h.names.quarantineQueue];
const PLANS = path.join(FIXTURES, 'simulator', 'plans');
const COMMUNITY_IDENTITY = 'urn:nhs-uk:identity:ods:RDE01:COMMUNITY';

/** The seed plans of test/fixtures/simulator/plans, as the router's index first learns of them. */
const FALLS: PlanSpec = {
  planId: '2D7A4E19-6C3B-4F8A-9D1E-0B5C7A3F2E81',
  version: 1,
  planType: 'falls',
  nhsNumber: '9434765870',
  owner: ADDR.community,
  title: 'Falls prevention plan',
  lastUpdated: '2026-11-20T10:30:00Z',
};
const DEMENTIA = '8B3F6D2A-1E4C-4A7B-B5D9-3C2E1F0A9B87';

/** Starts the simulated community team on the harness's routes (its broker user by default). */
async function simulate(
  more: Partial<SimulatorOptions> = {},
): Promise<RunningSimulator & { lines: string[] }> {
  const lines: string[] = [];
  const sim = await startSimulator({
    endpointId: 'riverside-community',
    amqpUrl: h.vhost.url,
    routes: path.join(path.dirname(h.storePath), 'routes'),
    password: h.user('community').password,
    log: (line) => lines.push(line),
    ...more,
  });
  return Object.assign(sim, { lines });
}

/** `msg` asking for a business ack too. */
function withAckRequested(msg: TestMessage): TestMessage {
  const spec = '<itk:spec key="urn:nhs-itk:ns:201005:infackrequested" value="true"/>';
  const xml = msg.xml.replace(
    spec,
    `${spec}<itk:spec key="urn:nhs-itk:ns:201005:ackrequested" value="true"/>`,
  );
  return { ...msg, xml, bytes: Buffer.from(xml, 'utf8') };
}

const completed = (trackingId: string) =>
  h.waitForStory(
    trackingId,
    (s) => s.messages.length > 0 && s.messages.every((m) => m.record.completedAt != null),
  );

beforeAll(async () => {
  // The router's index learns of the seed plans: the falls plan by its own notification (the seed
  // file), the dementia plan at version 1 (the simulator's seed holds version 2).
  await h.publish('community', fs.readFileSync(path.join(PLANS, 'community-falls-plan.xml')));
  const dementia = notification(
    'created',
    {
      planId: DEMENTIA,
      version: 1,
      planType: 'dementia',
      nhsNumber: '9876543210',
      owner: ADDR.community,
    },
    { from: ADDR.community, to: [ADDR.gp] },
  );
  await h.publish('community', dementia.bytes);
  await completed('5E1D0A3C-7B2F-4C9D-8E6A-1F2B3C4D5E6F');
  await completed(dementia.trackingId);
  await purgeQueues(h.client.channel, h.queues);
}, 20000);

describe('acknowledgements', () => {
  test('a GP notification asking for both acks: the GP gets the inf ack and the business ack, correlated (inf-acked, bus-acked)', async () => {
    const sim = await simulate();
    try {
      const plan = newPlan({ owner: ADDR.gp });
      const msg = withAckRequested(
        notification('created', plan, { from: ADDR.gp, to: [ADDR.community], infAck: true }),
      );
      await h.publish('gp', msg.bytes);
      const got = [await h.takeOne(GP_Q()), await h.takeOne(GP_Q())];
      const byService = (s: string) => got.find((m) => m.properties.type === s)!;
      const infMsg = byService('urn:nhs-itk:services:201005:SendInfrastructureAck-v1-0');
      const busMsg = byService('urn:nhs-itk:services:201005:SendBusinessAck-v1-0');
      const inf = readInfAck(infMsg);
      expect(inf).toMatchObject({
        result: 'OK',
        trackingIdRef: msg.trackingId,
        reportingIdentity: [COMMUNITY_IDENTITY],
        errors: [],
      });
      expect(inf.envelope.senderAddress?.uri).toBe(ADDR.community);
      expect(headersOf(infMsg)).toMatchObject({
        'itk-sender': 'riverside-community',
        'itk-recipient': ADDR.gp,
      });
      const bus = readDe(busMsg);
      expect(bus.root.name).toBe('BusinessResponseMessage');
      expect(busMsg.content.toString()).toContain(
        `<acknowledgedBy3 typeCode="AA"><conveyingTransmission><id root="${msg.trackingId}"/>`,
      );

      const story = await h.waitForStory(
        msg.trackingId,
        (s) => s.messages[0]?.record.state === 'bus-acked',
      );
      const events = story.messages[0]!.events;
      expect(events).toContainEqual(
        expect.objectContaining({
          state: 'inf-acked',
          endpointId: 'riverside-community',
          ackTrackingId: inf.envelope.trackingId,
        }),
      );
      expect(events).toContainEqual(
        expect.objectContaining({
          state: 'bus-acked',
          endpointId: 'riverside-community',
          code: 'AA',
          ackTrackingId: bus.envelope.trackingId,
        }),
      );
      expect(sim.sent.map((s) => [s.kind, s.trackingId])).toEqual([
        ['inf-ack', inf.envelope.trackingId],
        ['business-ack', bus.envelope.trackingId],
      ]);
      expect(sim.plans().get(plan.planId)?.version).toBe(1); // it keeps the plans it is notified of

      // The GP's inf ack of the business ack (the last step of the ITK flow) is never acknowledged.
      const ackOfAck = buildInfAck({
        original: { trackingId: bus.envelope.trackingId, service: bus.envelope.service },
        to: { uri: ADDR.community },
        from: { address: ADDR.gp, identity: 'urn:nhs-uk:identity:ods:A83001' },
        result: 'OK',
      });
      await h.publish('gp', ackOfAck.xml);
      await waitFor(() => sim.received.length === 2, 'the simulator to receive the inf ack');
      await h.expectEmpty(everywhere(), 300);
      expect(sim.sent).toHaveLength(2);
      expect(sim.lines).toEqual([
        expect.stringMatching(
          /^simulating riverside-community \(Riverside Community Trust\) as broker user it-community-/,
        ),
        `received a care plan notification (created: plan ${plan.planId} version 1) from ${ADDR.gp} [tracking id ${msg.trackingId}]; asks for an inf ack and a business ack`,
        `sent inf ack (OK) in reply to ${msg.trackingId}, to ${ADDR.gp} [tracking id ${inf.envelope.trackingId}]`,
        `sent business ack AA in reply to ${msg.trackingId}, to ${ADDR.gp} [tracking id ${bus.envelope.trackingId}]`,
        `  keeps plan ${plan.planId} version 1`,
        `received an inf ack (OK) of ${bus.envelope.trackingId} from ${ADDR.gp} [tracking id ${ackOfAck.trackingId}]`,
      ]);
    } finally {
      await sim.stop();
    }
  });

  test('an invalid message (a plan type this locality does not use, refused by the simulator alone) is nacked', async () => {
    // The simulator validates with the plan types of the routes: give it a narrower list than the router's.
    const narrow = createValidator({ planTypes: new Set(['end-of-life']), payloadContent: true });
    const sim = await simulate({ validator: narrow });
    try {
      const msg = notification('created', newPlan({ owner: ADDR.gp, planType: 'falls' }), {
        from: ADDR.gp,
        to: [ADDR.community],
        infAck: false,
      });
      await h.publish('gp', msg.bytes);
      const nack = readInfAck(await h.takeOne(GP_Q()));
      expect(nack).toMatchObject({
        result: 'Failure',
        trackingIdRef: msg.trackingId,
        reportingIdentity: [COMMUNITY_IDENTITY],
      });
      // a care-plan rule concerns the payload: DE0012, the Toolkit code first (src/router/07-delivery/nack-codes.ts)
      expect(nack.errors[0]).toMatchObject({
        code: 'DE0012',
        diagnostic: expect.stringMatching(/^1000 CP-PLAN-TYPE: .*falls/),
      });
      await h.waitForStory(msg.trackingId, (s) => s.messages[0]?.record.state === 'nacked');
    } finally {
      await sim.stop();
      narrow.dispose();
    }
  });
});

describe('care plans', () => {
  test('a CarePlanRequest to the locator is forwarded to the simulated owner, which answers found (correlated: answered)', async () => {
    const sim = await simulate({ plans: PLANS });
    try {
      const asked = request({ planId: FALLS.planId }, { from: ADDR.ooh, infAck: true });
      await h.publish('ooh', asked.bytes);
      const got = [await h.takeOne(h.queue('ooh-111')), await h.takeOne(h.queue('ooh-111'))];
      const answer = got.find(
        (m) => m.properties.type === 'urn:itk-router:services:CarePlanResponse-v1-0',
      )!;
      const ack = got.find((m) => m !== answer)!;
      expect(readInfAck(ack)).toMatchObject({ result: 'OK', trackingIdRef: asked.trackingId });
      const res = readCarePlanResponse(answer);
      expect(res).toMatchObject({
        inResponseTo: asked.trackingId,
        outcome: 'found',
        hasPlan: true,
      });
      expect(res.envelope.senderAddress?.uri).toBe(ADDR.community); // the owner address, though it came through the locator
      expect(readCarePlanFacts(readDe(answer).root)?.plan).toMatchObject({
        planId: FALLS.planId,
        version: 1,
      });
      expect(headersOf(answer)).toMatchObject({
        'itk-sender': 'riverside-community',
        'itk-recipient': ADDR.ooh,
      });

      const story = await h.waitForStory(
        asked.trackingId,
        (s) => s.messages[0]?.record.state === 'answered',
      );
      expect(story.messages[0]!.events).toContainEqual(
        expect.objectContaining({
          state: 'answered',
          endpointId: 'riverside-community',
          code: 'found',
          ackTrackingId: res.envelope.trackingId,
        }),
      );
      await h.expectEmpty(everywhere());
    } finally {
      await sim.stop();
    }
  });

  test('a request by NHS number is answered from the simulator’s store, ahead of the index (version 2)', async () => {
    const sim = await simulate({ plans: PLANS });
    try {
      const asked = request({ nhsNumber: '9876543210', planType: 'dementia' }, { from: ADDR.ooh });
      await h.publish('ooh', asked.bytes);
      const answer = await h.takeOne(h.queue('ooh-111'));
      expect(readCarePlanResponse(answer).outcome).toBe('found');
      expect(readCarePlanFacts(readDe(answer).root)?.plan).toMatchObject({
        planId: DEMENTIA,
        version: 2,
      });
      await h.expectEmpty(everywhere());
    } finally {
      await sim.stop();
    }
  });

  test('two updates on version 1 reach the owner; it accepts the first (notifies version 2) and rejects the stale second with AR', async () => {
    // Both proposals pass the router while the owner is away (the index is at version 1) ...
    const first = update(
      { baseVersion: 1, proposed: nextVersion(FALLS) },
      { from: ADDR.hospice, to: [ADDR.community], infAck: true },
    );
    const second = update(
      {
        baseVersion: 1,
        proposed: nextVersion(FALLS, { title: 'Falls plan with a home hazard visit' }),
        summary: 'Add a home hazard assessment',
      },
      { from: ADDR.gp, to: [ADDR.community], infAck: true },
    );
    await h.publish('hospice', first.bytes);
    await completed(first.trackingId);
    await h.publish('gp', second.bytes);
    await completed(second.trackingId);
    // ... then the owner's system comes up and works through its queue.
    const sim = await simulate({ plans: PLANS });
    try {
      const hospice = [
        await h.takeOne(h.queue('st-marys-hospice')),
        await h.takeOne(h.queue('st-marys-hospice')),
      ];
      const gp = [await h.takeOne(GP_Q()), await h.takeOne(GP_Q()), await h.takeOne(GP_Q())];
      const type = (m: { properties: { type?: string } }) => m.properties.type ?? '';
      const version2 = hospice.find((m) => type(m).endsWith('CarePlanNotification-v1-0'))!;
      const notified = readDe(version2);
      expect(readCarePlanFacts(notified.root)).toMatchObject({
        event: 'updated',
        plan: { planId: FALLS.planId, version: 2 },
      });
      // to the proposer and the plan's previous address list (the seed's: the GP and the hospice)
      expect(notified.envelope.addresses.map((a) => a.uri)).toEqual([ADDR.hospice, ADDR.gp]);
      expect(readInfAck(hospice.find((m) => m !== version2)!).trackingIdRef).toBe(first.trackingId);

      expect(gp.map(type).sort()).toEqual([
        'urn:itk-router:services:CarePlanNotification-v1-0',
        'urn:nhs-itk:services:201005:SendBusinessAck-v1-0',
        'urn:nhs-itk:services:201005:SendInfrastructureAck-v1-0',
      ]);
      const ar = gp.find((m) => type(m).endsWith('SendBusinessAck-v1-0'))!.content.toString();
      expect(ar).toContain(
        `<acknowledgedBy3 typeCode="AR"><conveyingTransmission><id root="${second.trackingId}"/>`,
      );
      expect(ar).toContain(
        `version conflict: plan ${FALLS.planId} is at version 2, the update is based on version 1`,
      );

      const story = await h.waitForStory(
        second.trackingId,
        (s) => s.messages[0]?.record.state === 'bus-acked',
      );
      expect(story.messages[0]!.events).toContainEqual(
        expect.objectContaining({
          state: 'bus-acked',
          endpointId: 'riverside-community',
          code: 'AR',
        }),
      );
      // The router's index took the owner's version 2, as accepting the first update.
      await completed(notified.envelope.trackingId);
      const history = await h.store.carePlans.history(FALLS.planId);
      expect(history.map((x) => [x.version, x.updateTrackingId])).toEqual([
        [1, null],
        [2, first.trackingId],
      ]);
      expect(sim.plans().get(FALLS.planId)?.version).toBe(2);
    } finally {
      await sim.stop();
    }
  });
});

describe('start-up errors', () => {
  test('an unknown end point, an address not its own, a wrong password: refused with the reason', async () => {
    await expect(simulate({ endpointId: 'nowhere' })).rejects.toThrow(
      /no end point nowhere in the routes .*; known: riverside-gp, riverside-community/,
    );
    await expect(simulate({ address: ADDR.gp })).rejects.toThrow(
      `${ADDR.gp} is not an address of riverside-community (urn:nhs-uk:addressing:ods:RDE01:*)`,
    );
    await expect(simulate({ password: 'wrong', connectRetries: 1 })).rejects.toThrow(
      /ACCESS_REFUSED|403|refused/i,
    );
    await expect(
      simulate({ plans: path.join(FIXTURES, 'simulator', 'bad-plans') }),
    ).rejects.toThrow(/unknown-plan-type\.xml: invalid plan/);
  });
});

describe('the command line', () => {
  /** Runs `itk-router simulate …` in-process with the harness's broker and routes; captures stdout. */
  async function cli(args: string[], body: (out: string[], run: Promise<number>) => Promise<void>) {
    const env = { ...process.env };
    const out: string[] = [];
    const write = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      });
    Object.assign(process.env, {
      AMQP_URL: h.vhost.url,
      ITK_ROUTER_ROUTES: path.join(path.dirname(h.storePath), 'routes'),
      ITK_ROUTER_PASSWORD: h.user('community').password,
    });
    try {
      const run = main(['node', 'itk-router', 'simulate', 'riverside-community', ...args]);
      await waitFor(
        () => out.some((l) => l.startsWith('simulating riverside-community')),
        'the simulator to start',
        10000,
      );
      await body(out, run);
    } finally {
      write.mockRestore();
      process.env = env;
    }
  }

  test('--count 1 --nack 2100: nacks one message, then stops (exit 0)', async () => {
    await cli(['--count', '1', '--nack', '2100', '--for', '20s'], async (out, run) => {
      const msg = notification('created', newPlan({ owner: ADDR.gp }), {
        from: ADDR.gp,
        to: [ADDR.community],
        infAck: true,
      });
      await h.publish('gp', msg.bytes);
      expect(await run).toBe(0);
      const nack = readInfAck(await h.takeOne(GP_Q()));
      expect(nack).toMatchObject({ result: 'Failure', trackingIdRef: msg.trackingId });
      // the DE part, the fault's Toolkit code first in the diagnostic (src/router/07-delivery/nack-codes.ts)
      expect(nack.errors.map((e) => [e.code, e.diagnostic])).toEqual([
        ['DE0001', '2100 simulated fault'],
      ]);
      expect(out.join('')).toMatch(
        new RegExp(
          `received a care plan notification .*\\[tracking id ${msg.trackingId}\\]; asks for an inf ack\\n  faults: nack 2100\\nsent inf nack \\(2100\\): simulated fault in reply to ${msg.trackingId}.*\\nstopped \\(count\\): 1 message\\(s\\) received, 1 sent\\n`,
        ),
      );
    });
  });

  test('SIGINT stops it cleanly (exit 0); --for stops it when the time is up', async () => {
    await cli(['--plans', PLANS], async (out, run) => {
      expect(out[0]).toMatch(/holds 2 plan\(s\); 0 fault rule\(s\)/);
      process.emit('SIGINT');
      expect(await run).toBe(0);
      expect(out.at(-1)).toBe('stopped (stopped): 0 message(s) received, 0 sent\n');
    });
    await cli(['--for', '300ms'], async (out, run) => {
      expect(await run).toBe(0);
      expect(out.at(-1)).toBe('stopped (time): 0 message(s) received, 0 sent\n');
    });
  });

  test('usage errors: exit 2 with the reason', async () => {
    const err: string[] = [];
    const write = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        err.push(String(chunk));
        return true;
      });
    try {
      expect(
        await main(['node', 'itk-router', 'simulate', 'riverside-community', '--nack', 'DE0099']),
      ).toBe(2);
      expect(
        await main(['node', 'itk-router', 'simulate', 'riverside-community', '--count', 'lots']),
      ).toBe(2);
    } finally {
      write.mockRestore();
    }
    expect(err.join('')).toMatch(/--nack: "DE0099" is not an ITK error code/);
    expect(err.join('')).toMatch(
      /--count <n>' argument 'lots' is invalid. 'lots' is not a whole number/,
    );
  });
});
