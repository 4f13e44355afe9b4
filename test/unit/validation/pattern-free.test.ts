/**
 * The pattern-free twin of a schema (src/validation/pattern-free.ts) may only ever be stricter
 * than the schema as written. Checked against libxml2 itself: every translated pattern accepts
 * no value libxml2 refuses, and the twin plus the guard never call valid a care-plan payload the
 * full schema refuses, over mutations of every patterned value of the valid fixtures.
 */
import fs from 'node:fs';
import { packagePath } from '../../../src/package-root.js';
import { parseLite, standaloneXml, type LiteElement } from '../../../src/envelope/lite-xml.js';
import { toRegExp, withoutPatterns } from '../../../src/validation/pattern-free.js';
import { SchemaCatalogue, type CatalogueMatch } from '../../../src/validation/schema-catalogue.js';
import {
  compileXsdSource,
  parseUntrusted,
  xsdErrors,
  XmlLibError,
} from '../../../src/validation/xml-engine.js';
import { fixture, fixtureNames } from '../../support/fixture-files.js';

const XS = 'http://www.w3.org/2001/XMLSchema';
const CAREPLAN_NS = 'urn:itk-router:careplan:v1';
const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

const schemaText = (body: string) =>
  `<xs:schema xmlns:xs="${XS}" xmlns:t="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">${body}</xs:schema>`;

/** A seeded generator, so that a failure can be reproduced. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe('XSD patterns in JavaScript accept no more than libxml2', () => {
  const bundled = ['careplan/careplan-v1.xsd', 'itk/itk-types.xsd'].flatMap((f) =>
    [
      ...fs
        .readFileSync(packagePath('schemas', f), 'utf8')
        .matchAll(/<xs:pattern value="([^"]*)"/g),
    ].map((m) => m[1]!.replace(/&amp;/g, '&')),
  );
  const patterns = [
    ...new Set([
      ...bundled,
      '\\d{3}',
      '.+',
      'a.b',
      '[a-c-]+',
      '[\\-.0-:A-Z_a-z]+',
      'a|b|',
      '(ab)*c?',
      'x{2,3}',
      'x{2,}',
      '\\^x\\|',
      '$^',
      '[\\n\\t ]*',
      'é+',
    ]),
  ];
  const next = random(20261126);
  const alphabet = [...'aAbB0159-._: xfF\t\n\ré\u0663\u00a0$^'];
  const values = [
    '',
    'urn:nhs-uk:addressing:ods:A83001',
    '1A2B3C4D-5E6F-4708-9192-A3B4C5D6E7F8',
    '1a2b3c4d-5e6f-4708-9192-a3b4c5d6e7f8',
    'uuid_1A2B3C4D-5E6F-4708-9192-A3B4C5D6E7F8',
    '2.16.840.1.113883.2.1.3.2.4.18.27',
    '9434765919',
    'end-of-life',
    '\u0661\u0662\u0663',
    'ab',
    'abc',
    'xx',
    'xxx',
    'xxxx',
    '^$',
    '$^',
    ...Array.from({ length: 300 }, () =>
      Array.from(
        { length: Math.floor(next() * 12) },
        () => alphabet[Math.floor(next() * alphabet.length)],
      ).join(''),
    ),
  ];

  test.each(patterns)('%s', (pattern) => {
    const js = toRegExp(pattern);
    const compiled = compileXsdSource(
      schemaText(
        `<xs:simpleType name="P"><xs:restriction base="xs:string"><xs:pattern value="${escapeXml(pattern)}"/></xs:restriction></xs:simpleType><xs:element name="v" type="t:P"/>`,
      ),
      packagePath('schemas', 'pattern-test.xsd'),
      packagePath('schemas'),
    );
    try {
      let agreed = 0;
      for (const value of values) {
        const doc = parseUntrusted(
          Buffer.from(
            `<v xmlns="urn:t">${escapeXml(value).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`)}</v>`,
          ),
        );
        const xsd = xsdErrors(compiled.validator, doc).length === 0;
        doc.dispose();
        const accepted = js.test(value);
        if (accepted) expect({ value, xsd }).toEqual({ value, xsd: true });
        // Only \d may accept less than XSD (it is [0-9] here): elsewhere they agree.
        if (!/\\d/.test(pattern)) expect({ value, accepted }).toEqual({ value, accepted: xsd });
        if (accepted === xsd) agreed++;
      }
      expect(agreed).toBeGreaterThan(values.length / 2);
    } finally {
      compiled.dispose();
    }
  });

  test.each([
    ['\\p{L}+', 'a Unicode category'],
    ['\\i\\c*', 'XML name classes'],
    ['\\w+', 'word characters'],
    ['\\D', 'not a digit (XSD means any Unicode non-digit)'],
    ['[^\\d]', '\\d in a negated class'],
    // libxml2 refuses 'c' for the first and 'aa' for the second (its automaton's own ways).
    ['[^a]*[^b]', 'a negated class'],
    ['a{2}|a', 'a count in an alternation'],
    ['a?|b', 'an optional character in an alternation'],
    ['[a-z-[aeiou]]', 'class subtraction'],
    ['\\S[\\S]', '\\S in a class'],
    // libxml2 reads the first two its own way ('-' and '9'; a, b, c and e without the dash);
    // a range ends only at a plain character too, to be sure.
    ['[\\--9]', 'a range from an escape'],
    ['[a-c-e]', 'a dash after a range'],
    ['[!-\\-]', 'a range to an escape'],
  ])('%s (%s) is not translated', (pattern) => {
    expect(
      withoutPatterns(
        schemaText(
          `<xs:simpleType name="P"><xs:restriction base="xs:string"><xs:pattern value="${escapeXml(pattern)}"/></xs:restriction></xs:simpleType><xs:element name="v" type="t:P"/>`,
        ),
      ),
    ).toBeUndefined();
  });
});

describe('which schemas get a pattern-free twin', () => {
  const patterned = (name: string, pattern = '[A-Z]+', base = 'xs:string') =>
    `<xs:simpleType name="${name}"><xs:restriction base="${base}"><xs:pattern value="${pattern}"/></xs:restriction></xs:simpleType>`;

  /** The twin of a schema with this body, and its guard over a whole document. */
  const twinOf = (body: string) => {
    const free = withoutPatterns(schemaText(body))!;
    return { guard: free.guard, accepts: (xml: string) => free.guard.accepts(xml, 0, xml.length) };
  };

  test('the bundled care-plan schema: every element typed by a patterned type is checked', () => {
    const free = withoutPatterns(
      fs.readFileSync(packagePath('schemas', 'careplan', 'careplan-v1.xsd'), 'utf8'),
    );
    expect(free?.guard.elements.slice().sort()).toEqual(
      [
        'inResponseTo',
        'nhsNumber',
        'organisation',
        'owner',
        'planId',
        'planType',
        'responsible',
      ].sort(),
    );
    expect(free?.xsdText).not.toMatch(/<xs:pattern/);
  });

  test.each([
    [
      'an include it cannot read',
      `<xs:include schemaLocation="other.xsd"/>${patterned('P')}<xs:element name="v" type="t:P"/>`,
    ],
    [
      'an import',
      `<xs:import namespace="urn:o"/>${patterned('P')}<xs:element name="v" type="t:P"/>`,
    ],
    [
      "a substitution group (a member may take the head's type under its own name)",
      `${patterned('P')}<xs:element name="head" type="t:P"/><xs:element name="member" substitutionGroup="t:head"/>`,
    ],
    [
      'a list of a patterned type',
      `${patterned('P')}<xs:simpleType name="L"><xs:list itemType="t:P"/></xs:simpleType><xs:element name="v" type="t:L"/>`,
    ],
    [
      'a union with a patterned type',
      `${patterned('P')}<xs:simpleType name="U"><xs:union memberTypes="xs:int t:P"/></xs:simpleType><xs:element name="v" type="t:U"/>`,
    ],
    [
      'simple content extending a patterned type',
      `${patterned('P')}<xs:element name="v"><xs:complexType><xs:simpleContent><xs:extension base="t:P"/></xs:simpleContent></xs:complexType></xs:element>`,
    ],
    [
      'a pattern in a simple-content restriction',
      `<xs:complexType name="C"><xs:simpleContent><xs:restriction base="xs:anyType"><xs:pattern value="a"/></xs:restriction></xs:simpleContent></xs:complexType>`,
    ],
  ])('none for a schema with %s', (_, body) => {
    expect(withoutPatterns(schemaText(body))).toBeUndefined();
  });

  test('patterned attributes are checked wherever the name appears in a tag, under any prefix', () => {
    const { guard, accepts } = twinOf(
      `${patterned('P')}<xs:element name="v"><xs:complexType><xs:attribute name="a" type="t:P"/>` +
        `<xs:attribute name="b"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[0-9]+"/></xs:restriction></xs:simpleType></xs:attribute>` +
        `</xs:complexType></xs:element>`,
    );
    expect(guard.attributes.slice().sort()).toEqual(['a', 'b']);
    expect(accepts('<v xmlns="urn:t" a="AB" b="12"/>')).toBe(true);
    expect(accepts('<v xmlns="urn:t"\n  c="x" a = \'AB\'/>')).toBe(true);
    expect(accepts('<v xmlns="urn:t" a="ab"/>')).toBe(false);
    expect(accepts('<v xmlns="urn:t" b="1x"/>')).toBe(false);
    expect(accepts('<v xmlns="urn:t" a=\'ab\'/>')).toBe(false);
    expect(accepts('<v xmlns="urn:t"\ta="ab"/>')).toBe(false);
    expect(accepts('<v xmlns="urn:t" xmlns:p="urn:t" p:a="ab"/>')).toBe(false);
    expect(accepts('<v xmlns="urn:t" a="A&#66;"/>')).toBe(false); // not plain: left to libxml2
    expect(accepts('<v xmlns="urn:t" a="A B"/>')).toBe(false);
  });

  test('an xsi:type is never taken on trust, however its namespace is declared', () => {
    // xsi:type may give an unpatterned element a patterned type derived from its own.
    const { guard, accepts } = twinOf(
      `${patterned('P')}<xs:element name="r"><xs:complexType><xs:sequence>` +
        `<xs:element name="s" type="xs:string"/></xs:sequence></xs:complexType></xs:element>`,
    );
    const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
    const outside = `<r xmlns="urn:t" xmlns:i="${XSI}"><s i:type="t:P">ab</s></r>`;
    const from = outside.indexOf('<s');
    const to = outside.indexOf('</r>');
    expect(accepts('<r xmlns="urn:t"><s>ab</s></r>')).toBe(true);
    expect(outside.slice(from, to)).not.toContain(XSI);
    expect(guard.accepts(outside, from, to)).toBe(false);
    expect(accepts(outside.replace('XMLSchema-instance', 'XMLSchema&#45;instance'))).toBe(false);
    expect(accepts(outside.replace('i:type="t:P"', 'i:nil = "true"'))).toBe(false);
  });

  test('a look-alike in a comment, an instruction, text or another value hides no real value', () => {
    // `n` accepts anything on one line, so a match that ran over a real value would pass.
    const { accepts } = twinOf(
      `${patterned('P')}${patterned('Any', '.*')}<xs:element name="r"><xs:complexType mixed="true"><xs:sequence>` +
        `<xs:element name="v" minOccurs="0" maxOccurs="unbounded" type="t:P"/>` +
        `<xs:element name="w" minOccurs="0" maxOccurs="unbounded"><xs:complexType>` +
        `<xs:attribute name="a" type="t:P"/><xs:attribute name="n" type="t:Any"/><xs:attribute name="note" type="xs:string"/>` +
        `</xs:complexType></xs:element></xs:sequence></xs:complexType></xs:element>`,
    );
    const doc = (body: string) => `<r xmlns="urn:t">${body}</r>`;
    expect(accepts(doc(`<w note="x" a="AB" n="y"/>hello<v>AB</v>`))).toBe(true);
    for (const hidden of [
      `<w note=" n='" a="ab" n="'"/>`,
      `<w note="x" n='" a="ab" n="'/>`,
      `text n='<w a="ab"/>'`,
      `<!-- n='--><w a="ab"/><!--'-->`,
      `<?pi n='?><w a="ab"/><?pi '?>`,
      `<!--<v "--><v>ab</v><!--"-->`,
      `<?pi <v '?><v>ab</v><?pi '?>`,
      `<![CDATA[<v ']]><v>ab</v><![CDATA[']]>`,
      // Name characters that JavaScript's \s matches: the tag must still be read.
      `<p\u1680q:v xmlns:p\u1680q="urn:t">ab</p\u1680q:v>`,
      `<p\ufeffq:v xmlns:p\ufeffq="urn:t">ab</p\ufeffq:v>`,
      `<w xmlns:p\u1680q="urn:t" p\u1680q:a="ab"/>`,
    ])
      expect({ hidden, accepts: accepts(doc(hidden)) }).toEqual({ hidden, accepts: false });
  });

  test('a value with white space at its ends is left to libxml2: a collapsed type checks it without', () => {
    const { accepts } = twinOf(
      `<xs:simpleType name="P"><xs:restriction base="xs:token"><xs:pattern value=" a"/></xs:restriction></xs:simpleType><xs:element name="v" type="t:P"/>`,
    );
    // xs:token collapses ' a' to 'a', which the pattern ' a' refuses; the regex alone would accept.
    expect(accepts('<v xmlns="urn:t"> a</v>')).toBe(false);
    expect(toRegExp(' a').test(' a')).toBe(true);
  });

  describe('includes', () => {
    const types = (
      attrs = 'elementFormDefault="qualified"',
      ns = 'xmlns:t="urn:t" targetNamespace="urn:t"',
    ) =>
      `<?xml version="1.0"?>\n<!-- types -->\n<xs:schema xmlns:xs="${XS}" ${ns} ${attrs}>${patterned('P')}</xs:schema>`;
    const main = schemaText(
      `<xs:include schemaLocation="types.xsd"/><xs:element name="v" type="t:P"/>`,
    );
    const twin = (included: string | undefined) =>
      withoutPatterns(main, (location) => (location === 'types.xsd' ? included : undefined));

    test('an included document of the same namespace, prefixes and defaults is read as part of the schema', () => {
      const free = twin(types())!;
      expect(free.guard.elements).toEqual(['v']);
      expect(free.xsdText).not.toMatch(/xs:include|xs:pattern|<\?xml|types -->/);
      expect(free.xsdText).toMatch(/<xs:simpleType name="P">/);
      expect(free.guard.accepts('<v xmlns="urn:t">AB</v>', 0, 23)).toBe(true);
      expect(free.guard.accepts('<v xmlns="urn:t">ab</v>', 0, 23)).toBe(false);
    });

    test.each([
      ['other form defaults', types('elementFormDefault="unqualified"')],
      ['no target namespace (a chameleon include)', types(undefined, 'xmlns:t="urn:t"')],
      [
        'a prefix bound to another namespace',
        types(undefined, 'xmlns:t="urn:other" targetNamespace="urn:t"'),
      ],
      [
        'an include of its own',
        types().replace('<xs:simpleType', '<xs:include schemaLocation="more.xsd"/><xs:simpleType'),
      ],
    ])('none when the included document has %s', (_, included) => {
      expect(twin(included)).toBeUndefined();
    });
  });

  test('none needed without patterns', () => {
    expect(withoutPatterns(schemaText('<xs:element name="v" type="xs:string"/>'))).toBeUndefined();
  });

  test('a type derived from a patterned type must match both patterns; inline types count', () => {
    const { guard, accepts } = twinOf(
      `${patterned('Upper')}${patterned('Short', '.{1,3}', 't:Upper')}` +
        `<xs:element name="r"><xs:complexType><xs:sequence><xs:element name="s" type="t:Short"/>` +
        `<xs:element name="i"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[0-9]+"/></xs:restriction></xs:simpleType></xs:element>` +
        `</xs:sequence></xs:complexType></xs:element>`,
    );
    expect(guard.elements.slice().sort()).toEqual(['i', 's']);
    expect(accepts('<r xmlns="urn:t"><s>AB</s><i>12</i></r>')).toBe(true);
    expect(accepts('<r xmlns="urn:t"><s>ABCD</s><i>12</i></r>')).toBe(false);
    expect(accepts('<r xmlns="urn:t"><s>ab</s><i>12</i></r>')).toBe(false);
    expect(accepts('<r xmlns="urn:t"><s>AB</s><i>1a</i></r>')).toBe(false);
    expect(accepts('<p:r xmlns:p="urn:t"><p:s>AB</p:s><p:i>x</p:i></p:r>')).toBe(false);
  });
});

describe('the care-plan twin and guard never pass what the full schema refuses', () => {
  let catalogue: SchemaCatalogue;
  let match: CatalogueMatch;
  beforeAll(() => {
    catalogue = SchemaCatalogue.load();
    match = catalogue.lookup({
      service: 'urn:itk-router:services:CarePlanNotification-v1-0',
      primary: true,
    })!;
  });
  afterAll(() => catalogue.dispose());

  /** The care-plan payload of each valid fixture that has one in place, as a standalone text. */
  const payloads = fixtureNames('valid').flatMap((name) => {
    const source = fixture(name).toString('utf8');
    const find = (el: LiteElement): LiteElement | undefined =>
      el.ns === CAREPLAN_NS ? el : el.children.map(find).find(Boolean);
    const el = find(parseLite(source));
    return el ? [[name, standaloneXml(source, el)] as const] : [];
  });

  const VALUE =
    /<((?:\w+:)?)(planId|planType|owner|nhsNumber|organisation|responsible|inResponseTo)>([^<]*)<\/\1\2>/g;
  const replacements = (v: string): string[] => [
    '',
    ` ${v}`,
    `${v} `,
    `${v}\n`,
    v.toLowerCase(),
    v.toUpperCase(),
    `${v}x`,
    `x${v}`,
    v.replace(/:/g, '&#x3A;').replace(/-/g, '&#45;'),
    `<![CDATA[${v}]]>`,
    `<!--c-->${v}`,
    `${v}<!--c-->`,
    `é${v.slice(1)}`,
    v.slice(0, -1),
    'urn:nhs-uk:addressing:',
    'urn:nhs-uk:addressing:ods:A 1',
    '0000000000',
    '123456789',
    '1a2b3c4d-5e6f-4708-9192-a3b4c5d6e7f8',
    'End-of-life',
    'a--b',
  ];
  const structural = (prefix: string, name: string, v: string): string[] => [
    `<${prefix}${name}/>`,
    `<x:${name} xmlns:x="${CAREPLAN_NS}">${v}-bad</x:${name}>`,
    `<${prefix}${name} a=">">${v}-bad</${prefix}${name}>`,
    `<${prefix}${name} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string" xmlns:xs="${XS}">${v}</${prefix}${name}>`,
  ];

  function verdicts(text: string): { full: boolean; fast: boolean } | undefined {
    let doc;
    try {
      doc = parseUntrusted(Buffer.from(text));
    } catch (err) {
      if (err instanceof XmlLibError) return undefined; // a mutation that is not well-formed
      throw err;
    }
    try {
      const full = xsdErrors(match.validator, doc.root).length === 0;
      const twin = match.patternFree!;
      const fast =
        xsdErrors(twin.validator, doc.root).length === 0 &&
        twin.guard.accepts(text, 0, text.length);
      return { full, fast };
    } finally {
      doc.dispose();
    }
  }

  test('there are care-plan payloads, and every one of them passes by the fast path', () => {
    expect(match.patternFree).toBeDefined();
    expect(payloads.length).toBeGreaterThanOrEqual(10);
    for (const [name, text] of payloads)
      expect({ name, ...verdicts(text) }).toEqual({ name, full: true, fast: true });
  });

  test('no mutation of a patterned value passes the fast path and fails the full schema', () => {
    const seen = { fastValid: 0, fullInvalid: 0, slowPathValid: 0 };
    for (const [name, text] of payloads) {
      for (const m of text.matchAll(VALUE)) {
        const [whole, prefix, element, value] = m as unknown as [string, string, string, string];
        const variants = [
          ...replacements(value).map((r) => `<${prefix}${element}>${r}</${prefix}${element}>`),
          ...structural(prefix, element, value),
        ];
        for (const variant of variants) {
          const mutated = text.slice(0, m.index) + variant + text.slice(m.index! + whole.length);
          const v = verdicts(mutated);
          if (!v) continue;
          if (v.fast)
            expect({ name, variant, full: v.full }).toEqual({ name, variant, full: true });
          if (v.fast) seen.fastValid++;
          if (!v.full) seen.fullInvalid++;
          if (v.full && !v.fast) seen.slowPathValid++;
        }
      }
    }
    // The mutations exercise all three outcomes.
    expect(seen.fastValid).toBeGreaterThan(0);
    expect(seen.fullInvalid).toBeGreaterThan(100);
    expect(seen.slowPathValid).toBeGreaterThan(0);
  });
});
