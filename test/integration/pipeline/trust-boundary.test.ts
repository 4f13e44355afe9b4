/**
 * Issue 12 on a live router (real broker, uuid vhost), the validation side of the trust boundary:
 * each message is published by a real end point's broker user; the router must nack it (naming
 * what was wrong, and its tracking id where it can be read without parsing the hostile part) and
 * deliver nothing. See docs/message-safety.md, "Trust boundary: reading and limits".
 */
import zlib from 'node:zlib';
import { startRouterHarness, type StartedRouterHarness } from '../../support/router-harness.js';
import { buildDe, exampleWith, planXml, setAttr, upperUuid } from '../../support/trust-messages.js';
import { cda, readInfAck, ruleOf, ZERO_TRACKING_ID, ADDR } from './de-messages.js';

// The shared useRouterHarness gives setup 30 s; on a loaded machine creating the vhost and its
// users by rabbitmqctl takes longer, so this file starts its harness with more time.
let started: StartedRouterHarness | undefined;
const h = new Proxy({} as StartedRouterHarness, {
  get: (_, key) => {
    if (!started) throw new Error('the router harness has not started');
    const value = started[key as keyof StartedRouterHarness];
    return typeof value === 'function'
      ? (value as (...a: unknown[]) => unknown).bind(started)
      : value;
  },
});
beforeAll(async () => {
  started = await startRouterHarness();
}, 180_000);
afterEach(async () => {
  await started?.reset();
}, 60_000);
afterAll(async () => {
  await started?.stop();
}, 180_000);
const Q = (id: string) => h.queue(id);
const everywhere = () => [...h.endpointIds.map(Q), h.names.quarantineQueue];

/** Publishes as `role`, returns the one nack its end point got; nothing else goes anywhere. */
async function nackOf(role: string, endpoint: string, bytes: Buffer, { quarantined = false } = {}) {
  await h.publish(role, bytes);
  const nack = readInfAck(await h.takeOne(Q(endpoint), 15000));
  expect(nack.result).toBe('Failure');
  if (quarantined) await h.takeOne(h.names.quarantineQueue, 15000);
  await h.expectEmpty(everywhere(), 150);
  return { nack, found: nack.errors.map((e) => [e.code, ruleOf(e)]) };
}

describe('finding 2: a message carries at most one care-plan payload', () => {
  test.each([
    ['xml, xml', ['xml', 'xml']],
    ['xml, gzip', ['xml', 'gzip']],
  ] as const)(
    'the GP’s own new plan and a new version of another owner’s plan (%s): nacked',
    async (_, enc) => {
      const msg = buildDe([
        { xml: planXml(), encoding: enc[0] },
        {
          xml: planXml({ owner: ADDR.hospice, version: '2', event: 'updated' }),
          encoding: enc[1],
        },
      ]);
      const { nack, found } = await nackOf('gp', 'riverside-gp', msg.bytes);
      expect(nack.trackingIdRef).toBe(msg.trackingId);
      expect(found).toEqual([['DE0012', 'CP-ONE-PLAN-PAYLOAD']]);
      expect(nack.errors[0]!.diagnostic).toMatch(/^1000 /);
    },
  );
});

describe('finding 3: padded URI attributes are refused, not read another way', () => {
  const WITHDRAWN = 'urn:nhs-itk:services:201005:SendDocument-v1-0';
  test.each([
    ['a trailing space', `${WITHDRAWN} `],
    ['a leading tab (&#9;)', `&#9;${WITHDRAWN}`],
    ['a trailing newline (literal)', `${WITHDRAWN}\n`],
    ['a trailing &#x20;', `${WITHDRAWN}&#x20;`],
  ])('a withdrawn service with %s does not slip past its reject route', async (_, service) => {
    const msg = cda({ service });
    const { nack, found } = await nackOf('gp', 'riverside-gp', msg.bytes);
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    expect(found).toContainEqual(['DE0002', 'DE-WHITESPACE']);
    expect(nack.errors.find((e) => ruleOf(e) === 'DE-WHITESPACE')?.diagnostic).toMatch(
      /@service.*\(line \d+\)/,
    );
  });

  test.each([
    ['service padded', (hd: string) => setAttr(hd, 'header', 'service', (v) => `${v} `)],
    [
      'service padded with CR',
      (hd: string) => setAttr(hd, 'header', 'service', (v) => `${v}&#13;`),
    ],
  ])(
    'a non-owner’s notification (%s, no profile id, no interaction) is nacked, not delivered',
    async (_, pad) => {
      const msg = buildDe([{ xml: planXml({ owner: ADDR.gp }), profileId: null }], {
        header: (hd) =>
          pad(hd).replace(/\s*<itk:spec key="urn:nhs-itk:ns:201005:interaction"[^>]*\/>/, ''),
      });
      const { found } = await nackOf(
        'ooh',
        'ooh-111',
        Buffer.from(
          msg.xml.replace(/senderAddress uri="[^"]*"/, `senderAddress uri="${ADDR.ooh}"`),
        ),
      );
      expect(found).toContainEqual(['DE0002', 'DE-WHITESPACE']);
    },
  );

  test('a care-plan-namespace payload the catalogue cannot name is nacked', async () => {
    const msg = buildDe(
      [{ xml: planXml().replace(/CarePlanNotification/g, 'CarePlanWhisper'), profileId: null }],
      {
        header: (hd) =>
          setAttr(hd, 'header', 'service', () => 'urn:example:services:Whisper').replace(
            /\s*<itk:spec key="urn:nhs-itk:ns:201005:interaction"[^>]*\/>/,
            '',
          ),
      },
    );
    const { nack, found } = await nackOf('gp', 'riverside-gp', msg.bytes);
    expect(found).toEqual([['DE0012', 'PAYLOAD-UNKNOWN']]);
    expect(nack.errors[0]!.diagnostic).toMatch(/^1000 /);
  });
});

describe('finding 5: decoded payload bytes are capped per message', () => {
  test('40 gzip payloads of 1 MiB each (a message under 1 MiB): nacked at the 20 MiB cap', async () => {
    const encoded = zlib
      .gzipSync(
        Buffer.from(`<Note xmlns="urn:example:note">${' '.repeat(1024 * 1024 - 100)}</Note>`),
      )
      .toString('base64');
    const msg = buildDe(
      Array.from({ length: 40 }, () => ({
        xml: '',
        encoding: 'gzip' as const,
        profileId: 'urn:example:profile:Note',
        encoded,
      })),
    );
    const { nack, found } = await nackOf('gp', 'riverside-gp', msg.bytes);
    expect(nack.trackingIdRef).toBe(msg.trackingId);
    // (the first payload is also checked against the service's care-plan schema: PAYLOAD-ROOT)
    expect(found.filter(([, rule]) => rule === 'DE-PAYLOAD-CONTENT')).toEqual([
      ['DE0012', 'DE-PAYLOAD-CONTENT'],
    ]);
    expect(nack.errors.find((e) => ruleOf(e) === 'DE-PAYLOAD-CONTENT')!.diagnostic).toMatch(
      /over the limit of 20971520 decoded bytes per message/,
    );
  });
});

describe('finding 6 and unreadable nacks: stage 1 refuses all but UTF-8 markup', () => {
  const example = cda();
  test.each([
    ['UTF-16BE without a BOM', Buffer.from(example.xml, 'utf16le').swap16(), false],
    ['UTF-16LE without a BOM', Buffer.from(example.xml, 'utf16le'), false],
    [
      'a NUL byte in the body',
      Buffer.from(example.xml.replace('</itk:payloads>', '\0</itk:payloads>')),
      true,
    ],
    ['text before the first tag', Buffer.from(`x${example.xml}`), false],
  ])('%s: nacked 1000 SAFE-ENCODING and quarantined', async (_, bytes, readable) => {
    const { nack, found } = await nackOf('gp', 'riverside-gp', bytes, { quarantined: true });
    expect(found).toEqual([['DE0001', 'SAFE-ENCODING']]);
    expect(nack.errors[0]!.diagnostic).toMatch(/^1000 /);
    // the tracking id is named when a bounded scan of the start tags can read it
    expect(nack.trackingIdRef).toBe(readable ? example.trackingId : ZERO_TRACKING_ID);
  });

  test('a message not well-formed after its header is nacked naming its tracking id', async () => {
    const trackingId = upperUuid();
    const msg = exampleWith((hd) => hd, trackingId);
    const broken = Buffer.from(msg.xml.replace('</itk:payloads>', '</itk:payload>'));
    const { nack, found } = await nackOf('gp', 'riverside-gp', broken, { quarantined: true });
    expect(found).toEqual([['DE0001', 'XML-WELLFORMED']]);
    expect(nack.errors[0]!.diagnostic).toMatch(/^1000 /);
    expect(nack.trackingIdRef).toBe(trackingId);
  });
});
