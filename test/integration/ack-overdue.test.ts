/**
 * Acknowledgement timeouts end to end (docs/contract.md "Acknowledgements": ack overdue), with
 * short timeouts: an inf ack that never comes makes the message `ack-overdue` (its story, the
 * `overdue` listing, the itk_acks_overdue gauge), and an ack that comes late still moves it on;
 * an inf ack in time, or one the router sends itself for an `acks: router` end point, never does.
 */
import { jest } from '@jest/globals';
import { main } from '../../src/tools/cli/main.js';
import { formatStory } from '../../src/tools/cli/track-command.js';
import type { MessageStory } from '../../src/router/08-store/message-store.js';
import { ADDR, cda, de } from './pipeline/de-messages.js';
import { useRouterHarness } from '../support/router-harness.js';
import { sleep } from '../support/wait-for.js';

const INF_TIMEOUT_S = 2;
const h = useRouterHarness({
  routerYaml: `acks:\n  infAckTimeoutSeconds: ${INF_TIMEOUT_S}\n  busAckTimeoutSeconds: 3600\n`,
});
const Q = (id: string) => h.queue(id);
const stateOf = (s: MessageStory) => s.messages[0]?.record.state;
const completed = (trackingId: string) =>
  h.waitForStory(trackingId, (s) => s.messages[0]?.record.completedAt != null);

/** `itk-router overdue --json` against the harness's store. */
async function overdueListing(): Promise<Record<string, unknown>[]> {
  const saved = process.env.ITK_ROUTER_STORE;
  process.env.ITK_ROUTER_STORE = `sqlite:${h.storePath}`;
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    expect(await main(['node', 'itk-router', 'overdue', '--json'])).toBe(0);
  } finally {
    write.mockRestore();
    if (saved === undefined) delete process.env.ITK_ROUTER_STORE;
    else process.env.ITK_ROUTER_STORE = saved;
  }
  return JSON.parse(out) as Record<string, unknown>[];
}

async function gauge(ack: 'inf' | 'bus'): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${h.router.httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`itk_acks_overdue{ack="${ack}"}`));
  return Number(line?.split(' ').at(-1));
}

describe('acknowledgement timeouts', () => {
  test('an inf ack that never comes: ack-overdue in track, overdue and the metric; coming late, it still correlates', async () => {
    const original = cda(); // GP → community, inf ack and business ack requested
    await h.publish('gp', original.bytes);
    await h.takeOne(Q('riverside-community'));
    await completed(original.trackingId);

    const story = await h.waitForStory(
      original.trackingId,
      (s) => stateOf(s) === 'ack-overdue',
      (INF_TIMEOUT_S + 6) * 1000,
    );
    const overdueEvent = story.messages[0]!.events.find((e) => e.state === 'ack-overdue');
    expect(overdueEvent).toMatchObject({
      endpointId: 'riverside-community',
      detail: expect.stringMatching(/^inf ack not received by \d{4}-/),
    });
    expect(formatStory(story)).toMatch(/ack-overdue riverside-community: inf ack not received/);
    // only the inf ack: the business ack has an hour
    expect(story.messages[0]!.events.filter((e) => e.state === 'ack-overdue')).toHaveLength(1);

    expect(await overdueListing()).toEqual([
      expect.objectContaining({
        trackingId: original.trackingId,
        sender: 'riverside-gp',
        ack: 'inf',
        recipients: ['riverside-community'],
        lateSeconds: expect.any(Number),
      }),
    ]);
    expect(await gauge('inf')).toBe(1);
    expect(await gauge('bus')).toBe(0);

    // the ack arrives late: it is routed to the GP and correlated as usual
    const ack = de('valid/inf-ack-ok.xml', { ackRef: original.trackingId });
    await h.publish('community', ack.bytes);
    await h.takeOne(Q('riverside-gp'));
    const late = await h.waitForStory(original.trackingId, (s) => stateOf(s) === 'inf-acked');
    expect(late.messages[0]!.events.map((e) => e.state)).toEqual(
      expect.arrayContaining(['ack-overdue', 'inf-acked']),
    );
    expect(await overdueListing()).toEqual([]);
    expect(await gauge('inf')).toBe(0);
  });

  test('an inf ack that comes in time: never overdue', async () => {
    const original = cda();
    await h.publish('gp', original.bytes);
    await h.takeOne(Q('riverside-community'));
    await completed(original.trackingId);
    const ack = de('valid/inf-ack-ok.xml', { ackRef: original.trackingId });
    await h.publish('community', ack.bytes);
    await h.takeOne(Q('riverside-gp'));
    await h.waitForStory(original.trackingId, (s) => stateOf(s) === 'inf-acked');

    await sleep((INF_TIMEOUT_S + 1.5) * 1000);
    const story = await h.store.track(original.trackingId);
    expect(stateOf(story!)).toBe('inf-acked');
    expect(story!.messages[0]!.events.map((e) => e.state)).not.toContain('ack-overdue');
    expect(await overdueListing()).toEqual([]);
  });

  test('no inf ack is overdue from an `acks: router` end point: the router sent it', async () => {
    const msg = cda({ addresses: [ADDR.hospice], specs: { ackrequested: 'false' } });
    await h.publish('gp', msg.bytes);
    await h.takeOne(Q('st-marys-hospice'));
    await h.takeOne(Q('riverside-gp')); // the router's inf ack on the hospice's behalf
    await completed(msg.trackingId);

    await sleep((INF_TIMEOUT_S + 1.5) * 1000);
    const story = await h.store.track(msg.trackingId);
    expect(stateOf(story!)).toBe('delivered');
    expect(story!.messages[0]!.events.map((e) => e.state)).not.toContain('ack-overdue');
    expect(await h.store.acks.overdue()).toEqual([]);
  });
});
