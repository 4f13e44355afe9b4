/**
 * Issue 12, finding 8 (docs/message-safety.md "Trust boundary"): an inf ack, inf nack or business
 * ack moves the original's state only when it comes from an end point the original was delivered
 * to. From anyone else (a third end point, the original's sender itself) it is routed like any
 * message but recorded as uncorrelated on its own record (visible in `itk-router track`), and the
 * original does not move.
 */
import { useRouterHarness } from '../../support/router-harness.js';
import { ADDR, cda, de, type TestDe } from './de-messages.js';

const h = useRouterHarness();
const Q = (id: string) => h.queue(id);
const completed = (trackingId: string) =>
  h.waitForStory(
    trackingId,
    (s) => s.messages.length > 0 && s.messages.every((m) => m.record.completedAt != null),
  );

/** The GP's CDA document to the community team, delivered and completed; queues emptied. */
async function delivered(): Promise<TestDe> {
  const original = cda(); // GP → community
  await h.publish('gp', original.bytes);
  await h.takeOne(Q('riverside-community'));
  await completed(original.trackingId);
  return original;
}

type AckKind = 'inf OK' | 'inf Failure' | 'bus AA' | 'bus AR' | 'bus AE';

/** An ack of `ref` sent by `from` (an address of the publishing role), addressed to the GP. */
function ackOf(kind: AckKind, ref: string, from: string): TestDe {
  const file = {
    'inf OK': 'valid/inf-ack-ok.xml',
    'inf Failure': 'valid/inf-ack-failure.xml',
    'bus AA': 'valid/business-ack-aa.xml',
    'bus AR': 'valid/business-ack-ar.xml',
    'bus AE': 'valid/business-ack-ar.xml',
  }[kind];
  return de(file, {
    ackRef: ref,
    addresses: [ADDR.gp],
    senderAddress: from,
    ...(kind === 'bus AE' ? { replace: [[/typeCode="AR"/, 'typeCode="AE"']] as const } : {}),
  });
}

const KINDS: AckKind[] = ['inf OK', 'inf Failure', 'bus AA', 'bus AR', 'bus AE'];

describe('an ack from an end point the original was not delivered to moves nothing', () => {
  test.each(KINDS)(
    '%s from a third end point (the hospice): routed, recorded as uncorrelated',
    async (kind) => {
      const original = await delivered();
      const ack = ackOf(kind, original.trackingId, ADDR.hospice);
      await h.publish('hospice', ack.bytes);
      const got = await h.takeOne(Q('riverside-gp'));
      expect(got.content.equals(ack.bytes)).toBe(true);
      const story = await completed(ack.trackingId);
      expect(story.messages[0]!.events.map((e) => e.detail ?? '').join('\n')).toMatch(
        new RegExp(
          `uncorrelated: .*${original.trackingId}.* was not delivered to st-marys-hospice`,
        ),
      );
      const originalStory = await h.store.track(original.trackingId);
      expect(originalStory!.messages[0]!.record.state).toBe('delivered');
      expect(originalStory!.messages[0]!.events.map((e) => e.state)).not.toEqual(
        expect.arrayContaining(['inf-acked']),
      );
      expect(
        originalStory!.messages[0]!.events.some((e) => e.endpointId === 'st-marys-hospice'),
      ).toBe(false);
    },
  );

  test.each(KINDS)(
    '%s from the sender itself, naming its own message: uncorrelated',
    async (kind) => {
      const original = await delivered();
      const ack = de(
        {
          'inf OK': 'valid/inf-ack-ok.xml',
          'inf Failure': 'valid/inf-ack-failure.xml',
          'bus AA': 'valid/business-ack-aa.xml',
          'bus AR': 'valid/business-ack-ar.xml',
          'bus AE': 'valid/business-ack-ar.xml',
        }[kind],
        {
          ackRef: original.trackingId,
          addresses: [ADDR.gp], // to itself, so that it is routed back to the original's sender
          senderAddress: ADDR.gp,
          ...(kind === 'bus AE' ? { replace: [[/typeCode="AR"/, 'typeCode="AE"']] as const } : {}),
        },
      );
      await h.publish('gp', ack.bytes);
      await h.takeOne(Q('riverside-gp'));
      await completed(ack.trackingId);
      const originalStory = await h.store.track(original.trackingId);
      expect(originalStory!.messages[0]!.record.state).toBe('delivered');
      expect(originalStory!.references).toEqual([]);
    },
  );

  test('the recipient’s own ack still correlates (inf nack moves the original to nacked)', async () => {
    const original = await delivered();
    const nack = ackOf('inf Failure', original.trackingId, ADDR.community);
    await h.publish('community', nack.bytes);
    await h.takeOne(Q('riverside-gp'));
    const story = await h.waitForStory(
      original.trackingId,
      (s) => s.messages[0]!.record.state === 'nacked',
    );
    expect(story.messages[0]!.events.find((e) => e.state === 'nacked')).toMatchObject({
      endpointId: 'riverside-community',
      ackTrackingId: nack.trackingId,
    });
  });

  test('a third end point’s nack does not mark the original nacked, and the recipient’s ack later still does', async () => {
    const original = await delivered();
    const forged = ackOf('inf Failure', original.trackingId, ADDR.ooh);
    await h.publish('ooh', forged.bytes);
    await h.takeOne(Q('riverside-gp'));
    await completed(forged.trackingId);
    expect((await h.store.track(original.trackingId))!.messages[0]!.record.state).toBe('delivered');
    const real = ackOf('inf OK', original.trackingId, ADDR.community);
    await h.publish('community', real.bytes);
    await h.takeOne(Q('riverside-gp'));
    await h.waitForStory(original.trackingId, (s) => s.messages[0]!.record.state === 'inf-acked');
  });
});
