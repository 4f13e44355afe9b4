/**
 * parseLite's opaque elements: kept whole (offsets, attributes, line) but not looked inside, and
 * the parse goes on correctly after them whatever their content looks like.
 */
import { parseLite, type LiteElement } from '../../../src/router/03-envelope/lite-xml.js';

const NS = 'urn:test';
const OPAQUE = { ns: NS, names: new Set(['bulk']) };

const SOURCE = `<r xmlns="${NS}" xmlns:o="urn:other">
  <bulk kind="a > b" note='it&apos;s'>
    <bulk><x/></bulk>
    <!-- </bulk> in a comment -->
    <![CDATA[ </bulk> <y> in CDATA ]]>
    <?pi </bulk> ?>
    <z a="/>" b='>'>text &lt;</z>
    <empty/>
  </bulk>
  <after>kept &amp; read</after>
  <o:bulk><inside/></o:bulk>
  <bulk/>
</r>`;

const names = (el: LiteElement) => el.children.map((c) => c.name);

describe('parseLite with opaque elements', () => {
  const root = parseLite(SOURCE, OPAQUE);
  const [bulk, after, other, selfClosed] = root.children;

  test('an opaque element keeps its attributes, line and whole extent, without children or text', () => {
    expect(names(root)).toEqual(['bulk', 'after', 'bulk', 'bulk']);
    expect(bulk!.attrs.get('kind')).toBe('a > b');
    expect(bulk!.attrs.get('note')).toBe("it's");
    expect(bulk!.line).toBe(2);
    expect(bulk!.children).toEqual([]);
    expect(bulk!.text).toBe('');
    const whole = SOURCE.slice(bulk!.start, bulk!.end);
    expect(whole.startsWith('<bulk kind=')).toBe(true);
    expect(whole.endsWith('<empty/>\n  </bulk>')).toBe(true);
  });

  test('the parse goes on after it as if it had read the content: lines, text, siblings', () => {
    expect(after!.text).toBe('kept & read');
    expect(after!.line).toBe(10);
    expect(selfClosed!.line).toBe(12);
    expect(SOURCE.slice(root.start, root.end)).toBe(SOURCE);
  });

  test('only the named namespace is opaque', () => {
    expect(other!.ns).toBe('urn:other');
    expect(names(other!)).toEqual(['inside']);
  });

  test('without opaque elements, the same source reads the same apart from what was inside', () => {
    const full = parseLite(SOURCE);
    expect(names(full)).toEqual(names(root));
    expect(names(full.children[0]!)).toEqual(['bulk', 'z', 'empty']);
    expect(full.children[0]!.end).toBe(bulk!.end);
    expect(full.children.map((c) => c.line)).toEqual(root.children.map((c) => c.line));
  });
});

describe('stepping over an opaque element finds its end whatever lies inside', () => {
  /** Each child of the root, as the opaque parse and the full parse see it. */
  const outline = (el: LiteElement) =>
    el.children.map((c) => ({ name: c.name, start: c.start, end: c.end, line: c.line }));
  const wrap = (inner: string, after = '<after>x</after>') =>
    `<r xmlns="${NS}" xmlns:o="${NS}">\n${inner}\n${after}\n</r>`;

  test.each([
    ['plain content', '<bulk>\n<a>1</a>\n<b c="d"/>\n</bulk>'],
    ['a nested element of the same name', '<bulk><a/><bulk><x/></bulk><b/></bulk>'],
    ['elements whose names begin with the same name', '<bulk><bulkish>1</bulkish><bulk-x/></bulk>'],
    ['the name, "!" and "?" in text and attribute values', '<bulk a="bulk"> bulk! why? </bulk>'],
    ['white space before the end tag\'s ">"', '<bulk><a/></bulk\n  >'],
    ['a prefixed name', '<o:bulk><bulk/><o:bulkish/></o:bulk>'],
    ['a prefixed name with an unprefixed twin inside', '<o:bulk><bulk></bulk></o:bulk>'],
    ['a comment holding the end tag', '<bulk><!-- </bulk> --><a/></bulk>'],
    ['CDATA holding the end tag', '<bulk><![CDATA[</bulk>]]></bulk>'],
    ['a processing instruction holding the end tag', '<bulk><?pi </bulk>?></bulk>'],
    ['an empty element', '<bulk></bulk>'],
  ])('%s', (_, inner) => {
    for (const after of ['<after>x</after>', '<!-- later --><?later?><bulk>again</bulk>']) {
      const source = wrap(inner, after);
      const opaque = parseLite(source, OPAQUE);
      expect(outline(opaque)).toEqual(outline(parseLite(source)));
      expect(opaque.children[0]!.children).toEqual([]);
      expect(source.slice(opaque.children[0]!.start, opaque.children[0]!.end)).toBe(inner);
    }
  });
});

describe('names and attribute values as XML reads them', () => {
  test('U+1680 and U+FEFF are name characters, not white space', () => {
    const source = `<r xmlns="${NS}" a\u1680b="/>" p\ufeffq='>'><v>x</v><w/></r>`;
    const root = parseLite(source);
    expect(root.attrs).toEqual(
      new Map([
        ['a\u1680b', '/>'],
        ['p\ufeffq', '>'],
      ]),
    );
    expect(names(root)).toEqual(['v', 'w']);
    expect(root.end).toBe(source.length);
  });

  test('a tab, line break or carriage return in an attribute value is read as a space', () => {
    const root = parseLite(`<r xmlns="${NS}" a="1\t2\n3\r\n4\r5" b="&#9;x&#10;"/>`);
    expect(root.attrs.get('a')).toBe('1 2 3 4 5');
    expect(root.attrs.get('b')).toBe('\tx\n'); // written as references, they stay
  });
});
