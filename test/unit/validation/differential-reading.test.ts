/**
 * Differential property test (issue 12): the router's reading of a message (lite-xml.ts and
 * read-envelope.ts, through the validator) against libxml2's parsed tree, for every fixture and
 * for generated mutations of them: white space in tags and values, character references,
 * comments, CDATA, prefixes, attribute order, duplicate attributes, encodings. Any value the
 * router acts on must equal what libxml2 parsed, or the message must be refused before the router
 * acts on it (no envelope, or a finding that makes it invalid).
 *
 * Bounded for CI (a few seconds); ITK_FUZZ_RUNS=<n> runs n cases per property instead.
 */
import fc from 'fast-check';
import { ITK_NS } from '../../../src/router/03-envelope/itk-names.js';
import type { Envelope } from '../../../src/router/03-envelope/envelope.js';
import {
  createValidator,
  type Validator,
} from '../../../src/router/04-validation/create-validator.js';
import {
  childElements,
  firstChildElement,
  parseUntrusted,
  type XmlElement,
} from '../../../src/router/04-validation/xml-engine.js';
import { fixture, fixtureNames } from '../../support/fixture-files.js';

const RUNS = Number(process.env.ITK_FUZZ_RUNS ?? 150);

let validator: Validator;
beforeAll(() => {
  validator = createValidator();
});
afterAll(() => validator.dispose());

/** What the router acts on, as libxml2 parsed it (undefined: libxml2 refuses the bytes). */
interface Read {
  readonly service: string;
  readonly trackingId: string;
  readonly addresses: string[];
  readonly identities: string[];
  readonly sender?: string;
  readonly specs: string[];
  readonly manifest: string[];
  readonly payloads: string[];
}

const attr = (el: XmlElement | undefined, name: string) => el?.attr(name)?.value;

function libxml2Read(bytes: Uint8Array): Read | 'refused' | 'not-a-de' {
  let doc;
  try {
    doc = parseUntrusted(bytes);
  } catch {
    return 'refused';
  }
  try {
    const root = doc.root;
    if (root.name !== 'DistributionEnvelope' || root.namespaceUri !== ITK_NS) return 'not-a-de';
    const one = (parent: XmlElement | undefined, name: string) =>
      parent ? childElements(parent, ITK_NS, name)[0] : undefined;
    const all = (parent: XmlElement | undefined, name: string) =>
      parent ? childElements(parent, ITK_NS, name) : [];
    const header = one(root, 'header');
    const sender = one(header, 'senderAddress');
    return {
      service: attr(header, 'service') ?? '',
      trackingId: attr(header, 'trackingid') ?? '',
      addresses: all(one(header, 'addresslist'), 'address').map(
        (a) => `${attr(a, 'uri') ?? ''}|${attr(a, 'type') ?? ''}`,
      ),
      identities: all(one(header, 'auditIdentity'), 'id').map(
        (a) => `${attr(a, 'uri') ?? ''}|${attr(a, 'type') ?? ''}`,
      ),
      ...(sender ? { sender: `${attr(sender, 'uri') ?? ''}|${attr(sender, 'type') ?? ''}` } : {}),
      specs: all(one(header, 'handlingSpecification'), 'spec').map(
        (s) => `${attr(s, 'key') ?? ''}|${attr(s, 'value') ?? ''}`,
      ),
      manifest: all(one(header, 'manifest'), 'manifestitem').map(
        (m) => `${attr(m, 'id') ?? ''}|${attr(m, 'mimetype') ?? ''}|${attr(m, 'profileid') ?? ''}`,
      ),
      payloads: all(one(root, 'payloads'), 'payload').map((p) => {
        const first = firstChildElement(p);
        return `${attr(p, 'id') ?? ''}|${first ? `{${first.namespaceUri}}${first.name}` : ''}`;
      }),
    };
  } finally {
    doc.dispose();
  }
}

function routerRead(e: Envelope): Read {
  return {
    service: e.service,
    trackingId: e.trackingId,
    addresses: e.addresses.map((a) => `${a.uri}|${a.type ?? ''}`),
    identities: e.auditIdentity.map((a) => `${a.uri}|${a.type ?? ''}`),
    ...(e.senderAddress ? { sender: `${e.senderAddress.uri}|${e.senderAddress.type ?? ''}` } : {}),
    specs: e.handlingSpecs.map((s) => `${s.key}|${s.value}`),
    manifest: e.manifest.map((m) => `${m.id}|${m.mimeType}|${m.profileId ?? ''}`),
    payloads: e.payloads.map(
      (p) => `${p.id}|${p.rootName !== undefined ? `{${p.rootNamespace ?? ''}}${p.rootName}` : ''}`,
    ),
  };
}

/** The property: the router acts only on what libxml2 read, or refuses the message. */
function holds(bytes: Uint8Array): void {
  const r = validator.validate(bytes);
  const truth = libxml2Read(bytes);
  if (truth === 'refused' || truth === 'not-a-de') {
    expect(r.valid).toBe(false);
    expect(r.envelope).toBeUndefined();
    return;
  }
  if (!r.envelope) {
    // refused in stage 1 (the router never reads it): fine
    expect(r.valid).toBe(false);
    return;
  }
  // The envelope model is also read for invalid messages (for the nack): it must match too, but
  // encrypted / decoded payloads carry no root in the model.
  const mine = routerRead(r.envelope);
  const theirs = {
    ...truth,
    payloads: truth.payloads.map((p, i) =>
      r.envelope!.payloads[i]?.rootName === undefined ? p.replace(/\|.*$/, '|') : p,
    ),
  };
  expect(mine).toEqual(theirs);
  // A valid message: every value was read in the form the schema checked it (xs:anyURI and
  // xs:token collapse white space before the facets; the router must not see another form).
  if (r.valid) {
    const values = [mine.service, mine.trackingId, ...mine.addresses, ...mine.identities]
      .concat(mine.sender ?? [], mine.specs, mine.manifest)
      .flatMap((v) => v.split('|'));
    for (const v of values) expect(JSON.stringify(v)).toBe(JSON.stringify(collapse(v)));
  }
}

const collapse = (v: string) => v.replace(/[ \t\n\r]+/g, ' ').trim();

const corpus = [
  ...fixtureNames('valid'),
  ...fixtureNames('examples'),
  ...fixtureNames('broken'),
].map((f) => [f, fixture(f)] as const);

test.each(corpus)('every fixture: %s', (_, bytes) => {
  holds(bytes);
});

// ---------------------------------------------------------------- mutations of the DE fixtures

const DE_TEXTS = corpus
  .filter(([f]) => !f.startsWith('broken/'))
  .map(([, b]) => b.toString('utf8'))
  .filter((t) => t.includes('DistributionEnvelope'));

type Mutation = (text: string, pick: number) => string;

/** The n-th (mod count) match of `re` replaced by `to(match)`. */
function nth(text: string, re: RegExp, pick: number, to: (m: RegExpExecArray) => string): string {
  const found = [
    ...text.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g')),
  ];
  if (found.length === 0) return text;
  const m = found[pick % found.length]!;
  return text.slice(0, m.index) + to(m as RegExpExecArray) + text.slice(m.index! + m[0].length);
}

const ATTRIBUTE = /([ \t\r\n]+)([A-Za-z_:][\w.:-]*)="([^"]*)"/;
const WS = [' ', '\t', '\n', '\r\n', '\r', '&#x20;', '&#9;', '&#10;', '&#13;', '  '];
const charRef = (c: string, hex: boolean) =>
  hex ? `&#x${c.codePointAt(0)!.toString(16)};` : `&#${c.codePointAt(0)};`;

const MUTATIONS: Record<string, (a: number, b: number) => Mutation> = {
  'white space around a value': (a, b) => (t, p) =>
    nth(t, ATTRIBUTE, p, (m) => {
      const w = WS[a % WS.length]!;
      return `${m[1]}${m[2]}="${b % 2 ? w + m[3] : m[3] + w}"`;
    }),
  'white space inside a tag': (a) => (t, p) =>
    nth(
      t,
      ATTRIBUTE,
      p,
      (m) => `${m[1]}${WS[a % 5]}${m[2]}${WS[(a + 1) % 5]}=${WS[a % 3]}"${m[3]}"`,
    ),
  'a character as a reference': (a, b) => (t, p) =>
    nth(t, ATTRIBUTE, p, (m) => {
      const v = m[3]!;
      if (v === '') return m[0];
      const at = a % v.length;
      return `${m[1]}${m[2]}="${v.slice(0, at)}${charRef(v[at]!, b % 2 === 0)}${v.slice(at + 1)}"`;
    }),
  'single quotes': () => (t, p) => nth(t, ATTRIBUTE, p, (m) => `${m[1]}${m[2]}='${m[3]}'`),
  'a comment between elements': (a) => (t, p) =>
    nth(t, />\s*</, p, (m) => m[0].replace('<', `<!-- c${a} --${'>'}<`)),
  'a CDATA section in text': () => (t, p) =>
    nth(t, />([^<>\s][^<>]*)</, p, (m) => `><![CDATA[${m[1]}]]><`),
  'a text run as character references': (a) => (t, p) =>
    nth(
      t,
      />([^<>&\s][^<>&]*)</,
      p,
      (m) =>
        `>${[...m[1]!].map((c, i) => (i === a % m[1]!.length ? charRef(c, true) : c)).join('')}<`,
    ),
  'another ITK prefix': (a) => (t) => {
    const px = ['x', 'ns0', 'i', 'itk2'][a % 4]!;
    return t.replace(/(<\/?)itk:/g, `$1${px}:`).replace(/xmlns:itk=/g, `xmlns:${px}=`);
  },
  'the ITK namespace as the default': () => (t) =>
    t.includes('xmlns="') ? t : t.replace(/(<\/?)itk:/g, '$1').replace(/xmlns:itk=/g, 'xmlns='),
  'a prefix declared twice, the inner one another namespace': () => (t) =>
    t.replace(/(<itk:header\b)/, '$1 xmlns:itk="urn:example:other"'),
  'attribute order reversed': () => (t, p) =>
    nth(
      t,
      /<([A-Za-z_][\w.:-]*)((?:[ \t\r\n]+[A-Za-z_:][\w.:-]*="[^"]*"){2,})([ \t\r\n]*\/?>)/,
      p,
      (m) => {
        const attrs = [...m[2]!.matchAll(/[ \t\r\n]+[A-Za-z_:][\w.:-]*="[^"]*"/g)].map((x) => x[0]);
        return `<${m[1]}${attrs.reverse().join('')}${m[3]}`;
      },
    ),
  'a duplicate attribute': (a) => (t, p) =>
    nth(t, ATTRIBUTE, p, (m) => `${m[0]} ${m[2]}="dup${a}"`),
  'the same attribute through two prefixes of one namespace': () => (t) =>
    t.replace(/(<itk:header\b)/, '$1 xmlns:a="urn:q" xmlns:b="urn:q" a:x="1" b:x="2"'),
  'a UTF-8 BOM': () => (t) => '\uFEFF' + t,
  'an encoding declaration': (a) => (t) =>
    t.replace(
      /^<\?xml[^>]*\?>/,
      `<?xml version="1.0" encoding="${['utf-8', 'UTF8', 'ISO-8859-1', 'UTF-16'][a % 4]}"?>`,
    ),
  'a non-ASCII character in a value': (a) => (t, p) =>
    nth(
      t,
      ATTRIBUTE,
      p,
      (m) => `${m[1]}${m[2]}="${m[3]}${['é', '\u00A0', '\u2028', '\uFEFF'][a % 4]}"`,
    ),
};

/** Encodings of the mutated text: UTF-8 mostly, sometimes UTF-16 (refused in stage 1). */
function encode(text: string, how: number): Buffer {
  if (how % 10 === 7) return Buffer.from(text, 'utf16le');
  if (how % 10 === 8)
    return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  if (how % 10 === 9) return Buffer.from(text, 'utf16le').swap16();
  return Buffer.from(text, 'utf8');
}

const mutation = fc
  .tuple(fc.constantFrom(...Object.keys(MUTATIONS)), fc.nat(1000), fc.nat(1000), fc.nat(1000))
  .map(([name, a, b, p]) => ({ name, apply: (t: string) => MUTATIONS[name]!(a, b)(t, p) }));

test('generated mutations: the router acts only on what libxml2 parsed', () => {
  fc.assert(
    fc.property(
      fc.nat(DE_TEXTS.length - 1),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      fc.nat(1000),
      (which, mutations, how) => {
        const text = mutations.reduce((t, m) => m.apply(t), DE_TEXTS[which]!);
        holds(encode(text, how));
      },
    ),
    { numRuns: RUNS },
  );
});

test('each mutation kind on each fixture at least once', () => {
  for (const [name, make] of Object.entries(MUTATIONS)) {
    DE_TEXTS.forEach((text, i) => {
      const bytes = encode(make(i, i)(text, i), 0);
      try {
        holds(bytes);
      } catch (err) {
        throw new Error(`${name} on fixture ${i}: ${(err as Error).message}`, { cause: err });
      }
    });
  }
});
