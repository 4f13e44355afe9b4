/**
 * parseLite's opaque elements: kept whole (offsets, attributes, line) but not looked inside, and
 * the parse goes on correctly after them whatever their content looks like.
 */
import { parseLite, type LiteElement } from '../../../src/envelope/lite-xml.js';

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
