/**
 * docs/contract.md "Validation" and "Acknowledgements" (nacks), end to end: each broken fixture
 * (test/fixtures/broken, expectations from test/fixtures/manifest.yaml) is published by the end
 * point its senderAddress names, with a fresh tracking id; the router must send that sender ONE
 * nack (result Failure) naming the failed tracking id, with exactly the manifest's (code, rule)
 * findings, the code system and ErrorText of docs/errors.md, and deliver nothing. A message that
 * is not a readable DE (stages 1–2) is also quarantined; a DE that fails stages 3–5 is only nacked.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { FIXTURES, fixture } from '../../support/fixture-files.js';
import { useRouterHarness } from '../../support/router-harness.js';
import {
  ADDR,
  cda,
  de,
  notification,
  headersOf,
  OID_DE_ERRORS,
  readInfAck,
  ROUTER_IDENTITY,
  findingCodeOf,
  ruleOf,
  ZERO_TRACKING_ID,
  type InfAckRead,
} from './de-messages.js';

const h = useRouterHarness();
const Q = (id: string) => h.queue(id);
const everywhere = () => [...h.endpointIds.map(Q), h.names.quarantineQueue];

interface Expected {
  readonly file: string;
  readonly valid: boolean;
  readonly errors?: { code: string; rule: string }[];
  readonly options?: unknown;
}
const manifest = YAML.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.yaml'), 'utf8')) as {
  fixtures: Expected[];
};
const expectedFor = (file: string): { code: string; rule: string }[] => {
  const entry = manifest.fixtures.find((f) => f.file === file);
  if (!entry || entry.valid || !entry.errors)
    throw new Error(`manifest.yaml has no errors for ${file}`);
  if (entry.options) throw new Error(`${file} needs validator options the router is not run with`);
  return entry.errors.map((e) => ({ code: String(e.code), rule: e.rule }));
};

/** TKW's ErrorText of every DE code (TKW-x ITKServiceAcknowledgements.conf lines 60-144). */
const DE_PARTS: Record<string, string> = {
  DE0001: '',
  DE0002: 'Header ',
  DE0003: 'Address List ',
  DE0004: 'Audit Identity ',
  DE0005: 'Id ',
  DE0006: 'Manifest ',
  DE0007: 'Manifest Item ',
  DE0008: 'Sender Address ',
  DE0009: 'Handling Specifications ',
  DE0010: 'Spec ',
  DE0011: 'Payloads ',
  DE0012: 'Payload ',
};
/** Every errorInfo is a DE code with TKW's text; a Toolkit-coded finding opens its diagnostic. */
function expectDocumentedCodes(nack: InfAckRead): void {
  for (const e of nack.errors) {
    expect(Object.keys(DE_PARTS)).toContain(e.code);
    expect([e.codeSystem, e.text]).toEqual([
      OID_DE_ERRORS,
      `Distribution Envelope ${DE_PARTS[e.code]}Processing Error`,
    ]);
    expect(e.id).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(e.diagnostic).toBeTruthy();
  }
}

const distinct = (xs: { code: string; rule: string }[]) =>
  [...new Set(xs.map((x) => `${x.code} ${x.rule}`))].sort();

/** The supplier role and end point that a fixture's senderAddress names. */
const SENDERS: [RegExp, string, string][] = [
  [/senderAddress uri="urn:nhs-uk:addressing:ods:A83001"/, 'gp', 'riverside-gp'],
  [
    /senderAddress uri="urn:nhs-uk:addressing:ods:RDE01:[A-Z:]+"/,
    'community',
    'riverside-community',
  ],
  [/senderAddress uri="urn:nhs-uk:addressing:ods:HOSP01"/, 'hospice', 'st-marys-hospice'],
  [/senderAddress uri="urn:nhs-uk:addressing:ods:NWAS111"/, 'ooh', 'ooh-111'],
];
const senderOf = (text: string): { role: string; endpoint: string } => {
  const hit = SENDERS.find(([re]) => re.test(text));
  return hit ? { role: hit[1], endpoint: hit[2] } : { role: 'ooh', endpoint: 'ooh-111' };
};

/** Publishes a broken fixture (fresh tracking id unless `raw`), returns the nack its sender got. */
async function publishBroken(file: string, { raw = false } = {}) {
  const bytes = raw ? fixture(file) : de(file).bytes;
  const text = bytes.toString('latin1');
  const trackingId = /<(?:\w+:)?header\b[^>]*?\btrackingid="([^"]*)"/.exec(text)?.[1];
  const sender = senderOf(text);
  await h.publish(sender.role, bytes);
  const nackMsg = await h.takeOne(Q(sender.endpoint));
  const nack = readInfAck(nackMsg);
  expect(nack.result).toBe('Failure');
  expect(nack.reportingIdentity).toEqual([ROUTER_IDENTITY]);
  expect(nack.envelope.senderAddress?.uri).toBe(ADDR.router);
  expect(nack.envelope.trackingId).not.toBe(trackingId);
  expectDocumentedCodes(nack);
  expect(distinct(nack.errors.map((e) => ({ code: findingCodeOf(e), rule: ruleOf(e) })))).toEqual(
    distinct(expectedFor(file)),
  );
  return { bytes, trackingId, sender, nack };
}

// Stages 1 and 2: not a readable Distribution Envelope → nack AND quarantine. The nack names the
// header's tracking id when a bounded scan of the DE and header start tags can read it (`named`),
// else the all-zero tracking id (docs/decisions.md).
const UNREADABLE: [string, { raw?: boolean }, boolean][] = [
  ['broken/safe-doctype-alone.xml', {}, false],
  ['broken/safe-doctype-billion-laughs.xml', {}, false],
  ['broken/safe-depth-10000-nested.xml', {}, true],
  ['broken/safe-encoding-invalid-utf8.xml', { raw: true }, true],
  ['broken/safe-encoding-utf16.xml', { raw: true }, false],
  ['broken/safe-encoding-iso-8859-1-declared.xml', {}, true],
  ['broken/xml-wellformed-truncated.xml', {}, true],
  ['broken/xml-wellformed-mismatched-tag.xml', {}, true],
  ['broken/xml-wellformed-empty-file.xml', { raw: true }, false],
  ['broken/xml-wellformed-plain-text.xml', { raw: true }, false],
  ['broken/xml-wellformed-json.xml', { raw: true }, false],
  ['broken/de-root-wrong-namespace.xml', {}, false],
  ['broken/de-root-soap-envelope.xml', {}, false],
];

describe('stages 1–2: unsafe or unreadable input is nacked and quarantined, never delivered', () => {
  test.each(UNREADABLE)('%s', async (file, options, named) => {
    const { bytes, sender, nack, trackingId } = await publishBroken(file, options);
    expect(nack.trackingIdRef).toBe(named ? trackingId : ZERO_TRACKING_ID);
    // addressed to the sender end point's own (first) address
    expect(nack.envelope.addresses).toHaveLength(1);
    const q = await h.takeOne(h.names.quarantineQueue);
    expect(q.content.equals(bytes)).toBe(true);
    expect(headersOf(q)).toMatchObject({
      'itk-error-code': findingCodeOf(nack.errors[0]!),
      'itk-sender': sender.endpoint,
    });
    expect(headersOf(q)).not.toHaveProperty('itk-tracking-id');
    await h.expectEmpty(everywhere(), 100);
  });

  test('an external entity (XXE) is never fetched: the canary file content appears nowhere', async () => {
    const canary = '/tmp/itk-router-xxe-canary.txt';
    const secret = `XXE-CANARY-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const existed = fs.existsSync(canary);
    const before = existed ? fs.readFileSync(canary) : undefined;
    fs.writeFileSync(canary, secret);
    try {
      const file = 'broken/safe-doctype-xxe-external-entity.xml';
      const { bytes, nack } = await publishBroken(file);
      const nackXml = nack.envelope.payloads[0]!.content!;
      expect(nackXml).not.toContain(secret);
      const q = await h.takeOne(h.names.quarantineQueue);
      expect(q.content.equals(bytes)).toBe(true); // the original bytes, not an expansion
      expect(q.content.toString('utf8')).not.toContain(secret);
      expect(headersOf(q)['itk-error-code']).toBe('1000');
      expect(JSON.stringify(headersOf(q))).not.toContain(secret);
      await h.expectEmpty(everywhere(), 100);
    } finally {
      if (before) fs.writeFileSync(canary, before);
      else fs.rmSync(canary, { force: true });
    }
  });

  test('the default size limit is 5 MiB: one byte over is refused (1000 SAFE-SIZE), exactly 5 MiB is delivered', async () => {
    const LIMIT = 5 * 1024 * 1024;
    const padTo = (size: number) => {
      const msg = cda(); // GP → community
      const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
      expect(msg.xml.startsWith(head)).toBe(true);
      const rest = msg.xml.slice(head.length);
      const fill = size - Buffer.byteLength(head + '<!--' + '-->\n' + rest);
      const xml = `${head}<!--${'x'.repeat(fill)}-->\n${rest}`;
      const bytes = Buffer.from(xml, 'utf8');
      expect(bytes.length).toBe(size);
      return { trackingId: msg.trackingId, bytes };
    };
    const over = padTo(LIMIT + 1);
    await h.publish('gp', over.bytes);
    const nack = readInfAck(await h.takeOne(Q('riverside-gp'), 15000));
    expect(nack.errors.map((e) => [e.code, findingCodeOf(e), ruleOf(e)])).toEqual([
      ['DE0001', '1000', 'SAFE-SIZE'],
    ]);
    const q = await h.takeOne(h.names.quarantineQueue, 15000);
    expect(q.content.length).toBe(LIMIT + 1);
    await h.expectEmpty(everywhere(), 100);

    const exact = padTo(LIMIT);
    await h.publish('gp', exact.bytes);
    const got = await h.takeOne(Q('riverside-community'), 15000);
    expect(got.content.equals(exact.bytes)).toBe(true);
    expect(got.properties.messageId).toBe(exact.trackingId);
    await h.expectEmpty(everywhere(), 100);
  });
});

// Stages 3–5: a readable DE that fails → a nack naming its tracking id, no quarantine, no delivery.
const INVALID = [
  // stage 3: DE schema and DE rules
  'broken/de0002-header-missing-service.xml',
  'broken/de0003-address-not-itk-format.xml',
  'broken/de0003-addresslist-empty.xml',
  'broken/de0006-manifest-count-mismatch.xml',
  'broken/de0007-manifest-id-without-payload.xml',
  'broken/de0008-sender-missing-ack-requested.xml',
  'broken/de0009-interaction-missing-generic-service.xml',
  'broken/de0010-spec-not-boolean.xml',
  'broken/de0010-spec-duplicate-key.xml',
  'broken/de0011-payloads-count-mismatch.xml',
  'broken/de0012-base64-invalid.xml',
  'broken/de0012-gzip-invalid.xml',
  // stage 4: payload schema (by profile id, decoded base64 too)
  'broken/payload-schema-missing-element.xml',
  'broken/payload-schema-wrong-enum.xml',
  'broken/payload-schema-decoded-base64.xml',
  'broken/payload-schema-version-zero.xml',
  'broken/payload-root-wrong-for-profile.xml',
  // stage 5: business rules
  'broken/cp-nhs-number-bad-check-digit.xml',
  'broken/cp-nhs-number-check-digit-ten.xml',
  'broken/cp-plan-type-unknown.xml',
  'broken/cp-planid-lower-case.xml',
  'broken/cp-update-version-not-base-plus-one.xml',
  // a business ack is an ordinary message: an invalid one is nacked
  'broken/ack-bus-typecode-invalid.xml',
  'broken/ack-bus-missing-conveying-transmission.xml',
];

describe('stages 3–5: an invalid DE is nacked with the failed tracking id and every finding, and not delivered', () => {
  test.each(INVALID)('%s', async (file) => {
    const { trackingId, sender, nack } = await publishBroken(file);
    expect(trackingId).toMatch(/^[0-9A-F-]{36}$/);
    expect(nack.trackingIdRef).toBe(trackingId);
    const story = await h.waitForStory(
      trackingId!,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    expect(story.messages[0]!.record).toMatchObject({
      senderEndpointId: sender.endpoint,
      outcome: 'nacked',
      state: 'nacked',
    });
    expect(story.messages[0]!.responses.map((r) => [r.kind, r.toEndpointId, r.trackingId])).toEqual(
      [['inf-nack', sender.endpoint, nack.envelope.trackingId]],
    );
    // processing is complete: no delivery and no quarantine copy were made
    await h.expectEmpty(everywhere(), 50);
  });

  test('a tracking id that is not a UUID: DE0002, the nack names the all-zero tracking id', async () => {
    const file = 'broken/de0002-trackingid-not-uuid.xml';
    const { nack } = await publishBroken(file, { raw: true });
    expect(nack.trackingIdRef).toBe(ZERO_TRACKING_ID);
    await h.expectEmpty(everywhere(), 100);
  });

  test('a nack says exactly where: schema and rule findings carry the line of the failing element', async () => {
    const { nack } = await publishBroken('broken/payload-schema-missing-element.xml');
    expect(nack.errors[0]!.diagnostic).toMatch(/lastUpdated/);
    expect(nack.errors[0]!.diagnostic).toMatch(/\(line \d+\)$/);
    const count = await publishBroken('broken/de0006-manifest-count-mismatch.xml');
    expect(count.nack.errors[0]!.diagnostic).toMatch(/\(line \d+\)$/);
  });

  test("a DE with no senderAddress is nacked at the sender end point's own address", async () => {
    const { nack } = await publishBroken('broken/de0008-sender-missing-ack-requested.xml');
    expect(nack.envelope.addresses.map((a) => a.uri)).toEqual([ADDR.ooh]);
  });
});

describe('what passes validation is delivered unchanged', () => {
  test.each([
    ['valid/careplan-request-lowercase-manifest-id.xml', 'community', 'riverside-gp'], // a warning only
    ['valid/careplan-notification-base64.xml', 'gp', 'riverside-community'], // base64, decoded and validated
    ['valid/careplan-notification-gzip.xml', 'community', 'riverside-gp'], // gzip+base64
    ['valid/careplan-notification-encrypted.xml', 'hospice', 'riverside-gp'], // encrypted: passed through
    ['valid/careplan-notification-two-payloads.xml', 'community', 'riverside-gp'],
  ])('%s', async (file, role, to) => {
    if (file.endsWith('-gzip.xml')) {
      // The gzip payload notifies version 3 of the community team's dementia plan: the care-plan
      // index must know the plan first (its owner creates it at version 1, same patient).
      const created = notification({
        planId: 'FBEDA9D0-4E5D-4945-A586-700CB2344AAC',
        planType: 'dementia',
        nhsNumber: '9992223456',
        owner: ADDR.community,
        senderAddress: ADDR.community,
        addresses: [ADDR.gp],
      });
      await h.publish('community', created.bytes);
      await h.takeOne(Q('riverside-gp'));
      await h.waitForStory(created.trackingId, (s) => s.messages[0]?.record.completedAt != null);
    }
    const msg = de(file);
    await h.publish(role, msg.bytes);
    const got = await h.takeOne(Q(to));
    expect(got.content.equals(msg.bytes)).toBe(true);
    expect(got.properties.messageId).toBe(msg.trackingId);
    const story = await h.waitForStory(
      msg.trackingId,
      (s) => s.messages[0]?.record.completedAt != null,
    );
    expect(story.messages[0]!.record.outcome).toBe('delivered');
    expect(story.messages[0]!.responses).toEqual([]);
    // base64 goes to NHS 111 as well; nothing else anywhere, no nack
    if (file.includes('base64')) await h.takeOne(Q('ooh-111'));
    await h.expectEmpty(everywhere(), 50);
  });
});
