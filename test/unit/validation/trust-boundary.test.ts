/**
 * Issue 12, the validation side of the trust boundary (docs/message-safety.md, "Trust boundary:
 * reading and limits"): every care-plan payload is judged (a message carries at most one), padded
 * URI attributes are refused where the schema would have collapsed them, a care-plan payload the
 * catalogue cannot name is refused, decoded payload bytes are capped per message, and stage 1
 * refuses anything but UTF-8 markup.
 */
import zlib from 'node:zlib';
import fc from 'fast-check';
import { parseLite } from '../../../src/router/03-envelope/lite-xml.js';
import {
  createValidator,
  type Validator,
} from '../../../src/router/04-validation/create-validator.js';
import { checkSafety } from '../../../src/router/04-validation/safety.js';
import type { Finding } from '../../../src/router/04-validation/finding.js';
import { fixture } from '../../support/fixture-files.js';
import {
  buildDe,
  exampleWith,
  PADDINGS,
  planXml,
  setAttr,
  setInteraction,
} from '../../support/trust-messages.js';

let validator: Validator;
beforeAll(() => {
  validator = createValidator();
});
afterAll(() => validator.dispose());

const errors = (fs: readonly Finding[]) => fs.filter((f) => f.severity === 'error');
const lineOf = (xml: string, needle: string) =>
  xml.slice(0, xml.indexOf(needle)).split('\n').length;

describe('finding 2: a message carries at most one care-plan payload', () => {
  test('one plan of the sender and one of another owner: refused, naming the second payload', () => {
    const msg = buildDe([
      { xml: planXml() },
      {
        xml: planXml({ owner: 'urn:nhs-uk:addressing:ods:HOSP01', version: '2', event: 'updated' }),
      },
    ]);
    const r = validator.validate(msg.bytes);
    expect(r.valid).toBe(false);
    expect(errors(r.findings)).toEqual([
      expect.objectContaining({ code: '1000', rule: 'CP-ONE-PLAN-PAYLOAD' }),
    ]);
    expect(r.carePlan).toBeUndefined();
  });

  test.each([
    ['xml then base64', ['xml', 'base64']],
    ['gzip then xml', ['gzip', 'xml']],
    ['three xml', ['xml', 'xml', 'xml']],
  ] as const)('variant: %s', (_, encodings) => {
    const msg = buildDe(encodings.map((encoding) => ({ xml: planXml(), encoding })));
    const r = validator.validate(msg.bytes);
    expect(r.valid).toBe(false);
    expect(errors(r.findings).map((f) => f.rule)).toContain('CP-ONE-PLAN-PAYLOAD');
  });

  test('one care-plan payload: valid, and its facts are the message facts', () => {
    const r = validator.validate(buildDe([{ xml: planXml() }]).bytes);
    expect(r.findings).toEqual([]);
    expect(r.carePlan?.message).toBe('CarePlanNotification');
  });
});

describe('finding 3: a URI attribute reads as the schema checked it, or the message is refused', () => {
  const ATTRS: [string, (h: string, pad: (v: string) => string) => string, string, string][] = [
    ['header/@service', (h, p) => setAttr(h, 'header', 'service', p), 'DE0002', '<itk:header'],
    [
      'header/@trackingid',
      (h, p) => setAttr(h, 'header', 'trackingid', p),
      'DE0002',
      '<itk:header',
    ],
    ['address/@uri', (h, p) => setAttr(h, 'address', 'uri', p), 'DE0003', '<itk:address '],
    ['auditIdentity id/@uri', (h, p) => setAttr(h, 'id', 'uri', p), 'DE0005', '<itk:id '],
    [
      'manifestitem/@profileid',
      (h, p) => setAttr(h, 'manifestitem', 'profileid', p),
      'DE0007',
      '<itk:manifestitem',
    ],
    [
      'manifestitem/@mimetype',
      (h, p) => setAttr(h, 'manifestitem', 'mimetype', p),
      'DE0007',
      '<itk:manifestitem',
    ],
    [
      'senderAddress/@uri',
      (h, p) => setAttr(h, 'senderAddress', 'uri', p),
      'DE0008',
      '<itk:senderAddress',
    ],
    ['interaction spec/@value', (h, p) => setInteraction(h, p), 'DE0010', 'interaction" value'],
    ['spec/@key', (h, p) => setAttr(h, 'spec', 'key', p), 'DE0010', '<itk:spec'],
  ];
  const cases = ATTRS.flatMap(([name, edit, code, at]) =>
    PADDINGS.map(([how, pad]) => [name, how, edit, pad, code, at] as const),
  );
  test.each(cases)('%s, %s: refused', (name, _how, edit, pad, code, at) => {
    const msg = exampleWith((h) => edit(h, pad));
    const r = validator.validate(msg.bytes);
    expect(r.valid).toBe(false);
    const line = lineOf(msg.xml, at.startsWith('<') ? at : at);
    const attr = name.replace(/.*@/, '');
    expect(errors(r.findings)).toContainEqual(
      expect.objectContaining({
        code,
        location: expect.objectContaining({ line, path: expect.stringMatching(`@${attr}$`) }),
      }),
    );
  });

  test('the same values written plainly are valid (the rule is about padding only)', () => {
    const r = validator.validate(exampleWith((h) => h).bytes);
    expect(r.findings).toEqual([]);
  });

  test.each([
    ['no profile id, unknown service, no interaction', { profileId: null }, true],
    [
      'an unknown profile id on a second payload',
      { profileId: 'urn:example:profile:Other' },
      false,
    ],
  ] as const)(
    'a care-plan-namespace payload the catalogue cannot name is refused: %s',
    (_, p, first) => {
      const unknown = planXml().replace(/CarePlanNotification/g, 'CarePlanWhisper');
      const payloads = first
        ? [{ xml: unknown, ...p }]
        : [
            {
              xml: '<Note xmlns="urn:example:note">hello</Note>',
              profileId: 'urn:example:profile:Note',
            },
            { xml: unknown, ...p },
          ];
      const msg = buildDe(payloads, {
        header: (h) =>
          setAttr(h, 'header', 'service', () => 'urn:example:services:Whisper').replace(
            /\s*<itk:spec key="urn:nhs-itk:ns:201005:interaction"[^>]*\/>/,
            '',
          ),
      });
      const r = validator.validate(msg.bytes);
      expect(r.valid).toBe(false);
      expect(errors(r.findings)).toContainEqual(
        expect.objectContaining({ code: '1000', rule: 'PAYLOAD-UNKNOWN' }),
      );
    },
  );
});

describe('finding 5: decoded payload bytes are capped per message', () => {
  // 40 gzip payloads, each inflating to 1 MiB of valid XML: 40 MiB decoded, over the 20 MiB cap.
  const big = (n: number, mib: number) =>
    zlib
      .gzipSync(
        Buffer.from(`<Note xmlns="urn:example:note">${' '.repeat(mib * 1024 * 1024 - 100)}</Note>`),
      )
      .toString('base64');

  test('40 gzip payloads of 1 MiB each: refused at the cap, the rest never decoded', () => {
    const encoded = big(40, 1);
    const msg = buildDe(
      Array.from({ length: 40 }, () => ({
        xml: '',
        encoding: 'gzip' as const,
        profileId: 'urn:example:profile:Note',
        encoded,
      })),
    );
    expect(msg.bytes.length).toBeLessThan(1024 * 1024);
    const before = process.memoryUsage().rss;
    const r = validator.validate(msg.bytes);
    const grew = process.memoryUsage().rss - before;
    expect(r.valid).toBe(false);
    const capped = errors(r.findings).filter((f) => f.rule === 'DE-PAYLOAD-CONTENT');
    expect(capped.map((f) => f.detail)).toContainEqual(
      expect.stringContaining('over the limit of 20971520 decoded bytes per message'),
    );
    // the payloads after the cap are not decoded: one finding names where decoding stopped
    expect(capped).toHaveLength(1);
    expect(grew).toBeLessThan(200 * 1024 * 1024);
  });

  test('variants: base64 payloads count too, and a smaller configured cap holds', () => {
    const small = createValidator({
      limits: { maxMessageBytes: 5 * 1024 * 1024, maxDepth: 100, maxDecodedBytes: 4096 },
    });
    try {
      const msg = buildDe([
        { xml: planXml(), encoding: 'base64' },
        {
          xml: `<Note xmlns="urn:example:note">${'x'.repeat(3000)}</Note>`,
          encoding: 'gzip',
          profileId: 'urn:example:profile:Note',
        },
      ]);
      const r = small.validate(msg.bytes);
      expect(errors(r.findings).map((f) => f.detail)).toContainEqual(
        expect.stringContaining('over the limit of 4096 decoded bytes per message'),
      );
    } finally {
      small.dispose();
    }
  });

  test('under the cap, decoded payloads keep no decoded copy in the envelope model', () => {
    const r = validator.validate(buildDe([{ xml: planXml(), encoding: 'gzip' }]).bytes);
    expect(r.valid).toBe(true);
    expect(r.envelope?.payloads[0]?.content).toBeUndefined();
  });
});

describe('finding 6: stage 1 accepts UTF-8 markup only', () => {
  const doc = fixture('examples/careplan-notification.xml').toString('utf8');
  const doctype =
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>';
  const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
  const utf32 = (s: string, le: boolean) => {
    const out = Buffer.alloc(s.length * 4);
    [...s].forEach((c, i) =>
      le
        ? out.writeUInt32LE(c.codePointAt(0)!, i * 4)
        : out.writeUInt32BE(c.codePointAt(0)!, i * 4),
    );
    return out;
  };
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
  const REFUSED: [string, Buffer][] = [
    ['UTF-16BE without BOM, a DOCTYPE and a SYSTEM entity', utf16be(doctype)],
    ['UTF-16BE without BOM, the example', utf16be(doc)],
    ['UTF-16LE without BOM', Buffer.from(doc, 'utf16le')],
    ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(doc)])],
    ['UTF-32BE without BOM', utf32(doc, false)],
    ['UTF-32LE without BOM', utf32(doc, true)],
    ['UTF-32LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32(doc, true)])],
    ['a NUL byte in a comment', Buffer.from(doc.replace('<itk:header', '<!--\0--><itk:header'))],
    ['a NUL byte in text', Buffer.from(doc.replace('Jane Example', 'Jane\0Example'))],
    ['a NUL byte first', Buffer.concat([Buffer.from([0]), Buffer.from(doc)])],
    ['text before the first tag', Buffer.from(`hello ${doc}`)],
    ['a BOM then text', Buffer.concat([BOM, Buffer.from(`x${doc}`)])],
    ['two BOMs', Buffer.concat([BOM, BOM, Buffer.from(doc)])],
    ['white space then text', Buffer.from(`\n \t\r{"a":1}`)],
    ['empty', Buffer.alloc(0)],
    ['white space only', Buffer.from(' \n')],
  ];
  test.each(REFUSED)('%s: refused in stage 1 (SAFE-ENCODING, line 1)', (_, bytes) => {
    expect(checkSafety(bytes)).toEqual([
      expect.objectContaining({ code: '1000', rule: 'SAFE-ENCODING' }),
    ]);
    const r = validator.validate(bytes);
    expect(r.valid).toBe(false);
    expect(r.findings.map((f) => f.rule)).toEqual(['SAFE-ENCODING']);
  });

  test.each([
    [
      'white space before the declaration is not XML, but is no stage-1 matter',
      Buffer.from(` \n${doc}`),
    ],
    ['a BOM then the document', Buffer.concat([BOM, Buffer.from(doc)])],
    [
      'a BOM, white space, then a tag',
      Buffer.concat([BOM, Buffer.from(` \t\r\n${doc.slice(doc.indexOf('<itk:'))}`)]),
    ],
  ])('%s: passes stage 1', (_, bytes) => {
    expect(checkSafety(bytes)).toEqual([]);
  });

  test('a decoded payload in UTF-16 (no BOM) is refused by its own stage 1', () => {
    const payload = utf16be(`<?xml version="1.0" encoding="UTF-16"?>${planXml()}`).toString(
      'base64',
    );
    const msg = buildDe([{ xml: '', encoding: 'base64', encoded: payload }]);
    const r = validator.validate(msg.bytes);
    expect(r.valid).toBe(false);
    expect(errors(r.findings)).toContainEqual(
      expect.objectContaining({
        code: '1000',
        rule: 'SAFE-ENCODING',
        location: expect.objectContaining({ part: expect.stringMatching(/^payload uuid_/) }),
      }),
    );
  });

  test('lite-xml never throws, whatever text it is given', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom(
        '<',
        '< a>',
        '</x>',
        '<a></b></c>',
        '&#x110000;',
        '<a b="&#99999999;"/>',
        '<a>&#xD800;</a>',
        '<<>>',
      ),
      fc
        .tuple(fc.nat(doc.length), fc.nat(40), fc.string({ unit: 'binary', maxLength: 20 }))
        .map(([at, cut, junk]) => doc.slice(0, at) + junk + doc.slice(at + cut)),
    );
    fc.assert(
      fc.property(hostile, (text) => {
        expect(() => parseLite(text)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  test('the validator never throws either: every hostile input gets findings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = validator.validate(bytes);
        expect(r.valid).toBe(false);
        expect(r.findings.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
