/**
 * A pattern-free twin of a schema, with the patterns checked in JavaScript.
 *
 * libxml2 checks an xs:pattern facet at ~40 ns per character of the value, whatever the
 * expression (docs/xsd-engine.md): in a 60 KB care plan, whose every team member and activity
 * carries an ITK address, the patterns are half of the payload's schema check. V8 checks the
 * same patterns in a fraction of that. So a schema the analysis below understands is compiled
 * twice: as written, and without its xs:pattern elements. A payload is validated against the
 * twin; when that passes, `guard.accepts` looks at every value a pattern applies to. Only when
 * both say yes is the payload valid without the full schema; in every other case (an error, a
 * value the guard cannot read plainly, a pattern it does not match) the full schema decides and
 * its findings are the ones reported. The guard may only ever be stricter than the patterns:
 *
 * - it finds the values by the local names of the declarations whose types carry patterns,
 *   anywhere in the payload, whatever their context or namespace (a superset of the elements the
 *   schema types that way);
 * - it reads a value only when it is plain text (no entity or character reference, no comment,
 *   CDATA or child, no tab, line break, leading, trailing or doubled space), which is the value
 *   libxml2 checks under every white-space facet; anything else is "don't know";
 * - its searches are regular expressions, not a parser, so whatever could lead them astray is
 *   "don't know" too: for a schema with patterned elements, a comment, CDATA section or
 *   processing instruction anywhere in the text (a look-alike start tag inside one could carry
 *   the search past a real element), and an attribute value with any white space in it (see
 *   `accepts`);
 * - it translates only the part of the XSD regular-expression language whose JavaScript
 *   translation accepts no more than libxml2 does (\d becomes [0-9], which accepts less); not
 *   what libxml2 reads its own way: negated classes, a count or '?' in a pattern with '|', a
 *   dash in a class anywhere but first or last, a range from or to an escape.
 *
 * Only the bundled schemas are given twins (compiled-schema.ts says why).
 *
 * Schemas with anything the analysis does not follow get no twin and are always validated as
 * written: imports, redefines, or includes of another namespace, other prefixes or other
 * defaults; substitution groups; patterns in list, union or simple-content types; an expression
 * outside the supported subset.
 */
import { contentRange, parseLite, type LiteElement } from '../envelope/lite-xml.js';

const XS = 'http://www.w3.org/2001/XMLSchema';

export interface PatternGuard {
  /**
   * Whether every value in `text` [start, end) that one of the schema's patterns could apply to
   * matches it. False means "not certain", never "invalid".
   */
  accepts(text: string, start: number, end: number): boolean;
  /** The element and attribute local names it checks (for tests and reports). */
  readonly elements: readonly string[];
  readonly attributes: readonly string[];
}

export interface PatternFreeSchema {
  /** The schema text with every xs:pattern element removed. */
  readonly xsdText: string;
  readonly guard: PatternGuard;
}

/** Each inner array is one derivation step's patterns (any may match); every step must match. */
type Chain = readonly (readonly RegExp[])[];

class Unsupported extends Error {}

/**
 * The pattern-free twin of a schema given as text, or undefined when it has no patterns or uses
 * something this does not follow (the schema is then always validated as written).
 */
export function withoutPatterns(
  xsdText: string,
  include: (schemaLocation: string) => string | undefined = () => undefined,
): PatternFreeSchema | undefined {
  try {
    return analyse(flattenIncludes(xsdText, include));
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

function* xsElements(el: LiteElement): Generator<LiteElement> {
  if (el.ns === XS) yield el;
  for (const c of el.children) yield* xsElements(c);
}

/** Settings of a schema document that apply to its own declarations only. */
const DOCUMENT_DEFAULTS = [
  'elementFormDefault',
  'attributeFormDefault',
  'blockDefault',
  'finalDefault',
];

/**
 * The schema with each xs:include replaced by the included document's declarations, which is
 * what an include means when both documents have the same target namespace, the same prefixes
 * and the same form and block / final defaults; anything else is not followed.
 */
function flattenIncludes(xsdText: string, include: (location: string) => string | undefined) {
  const root = parseLite(xsdText);
  let out = '';
  let from = 0;
  for (const inc of root.children) {
    if (inc.ns !== XS || inc.name !== 'include') continue;
    const included = include(inc.attrs.get('schemaLocation') ?? '');
    if (included === undefined) throw new Unsupported();
    const other = parseLite(included);
    const same = (key: string) => other.attrs.get(key) === root.attrs.get(key);
    if (
      other.ns !== XS ||
      other.name !== 'schema' ||
      !other.attrs.has('targetNamespace') ||
      !['targetNamespace', ...DOCUMENT_DEFAULTS].every(same) ||
      [...other.scope].some(([prefix, uri]) => root.scope.get(prefix) !== uri)
    )
      throw new Unsupported();
    const [start, end] = contentRange(included, other);
    out += xsdText.slice(from, inc.start) + included.slice(start, end);
    from = inc.end;
  }
  return out + xsdText.slice(from);
}

function analyse(xsdText: string): PatternFreeSchema | undefined {
  const root = parseLite(xsdText);
  if (root.ns !== XS || root.name !== 'schema') throw new Unsupported();
  const target = root.attrs.get('targetNamespace') ?? '';
  const all = [...xsElements(root)];
  if (all.some((e) => ['include', 'import', 'redefine', 'override'].includes(e.name)))
    throw new Unsupported();
  // A member of a substitution group may take its type from the group's head, under its own name.
  if (all.some((e) => e.name === 'element' && e.attrs.has('substitutionGroup')))
    throw new Unsupported();
  const patterns = all.filter((e) => e.name === 'pattern');
  if (patterns.length === 0) return undefined;

  const parentOf = new Map<LiteElement, LiteElement>();
  for (const e of all) for (const c of e.children) parentOf.set(c, e);
  const named = new Map<string, LiteElement>();
  for (const t of root.children)
    if (t.ns === XS && t.name === 'simpleType') named.set(t.attrs.get('name') ?? '', t);

  /** The local name of a reference to one of this schema's own types, else undefined. */
  const ownType = (el: LiteElement, qname: string | undefined): string | undefined => {
    if (qname === undefined) return undefined;
    const colon = qname.indexOf(':');
    const ns = el.scope.get(colon === -1 ? '' : qname.slice(0, colon)) ?? '';
    return ns === target ? qname.slice(colon + 1) : undefined;
  };

  const chains = new Map<LiteElement, Chain>();
  /** The pattern chain of a simpleType element (empty: no patterns anywhere in its derivation). */
  const chainOf = (simpleType: LiteElement, visiting = new Set<LiteElement>()): Chain => {
    const known = chains.get(simpleType);
    if (known) return known;
    if (visiting.has(simpleType)) throw new Unsupported();
    visiting.add(simpleType);
    const restriction = simpleType.children.find((c) => c.ns === XS && c.name === 'restriction');
    let chain: Chain = [];
    if (restriction) {
      const own = restriction.children
        .filter((c) => c.ns === XS && c.name === 'pattern')
        .map((p) => toRegExp(p.attrs.get('value') ?? ''));
      const baseName = ownType(restriction, restriction.attrs.get('base'));
      const baseType = baseName === undefined ? undefined : named.get(baseName);
      const inline = restriction.children.find((c) => c.ns === XS && c.name === 'simpleType');
      const base = baseType ?? inline;
      chain = [...(own.length > 0 ? [own] : []), ...(base ? chainOf(base, visiting) : [])];
    }
    chains.set(simpleType, chain);
    return chain;
  };

  // Every pattern must sit in a simpleType's restriction.
  for (const p of patterns) {
    const restriction = parentOf.get(p);
    const simpleType = restriction && parentOf.get(restriction);
    if (restriction?.name !== 'restriction' || simpleType?.name !== 'simpleType')
      throw new Unsupported();
  }

  const byElement = new Map<string, Chain>();
  const patternedTypes = new Set(
    [...named].filter(([, t]) => chainOf(t).length > 0).map(([name]) => name),
  );
  for (const e of all) {
    for (const key of ['type', 'base', 'itemType', 'memberTypes']) {
      const value = e.attrs.get(key);
      if (value === undefined) continue;
      for (const ref of value.trim().split(/\s+/)) {
        const name = ownType(e, ref);
        if (name === undefined || !patternedTypes.has(name)) continue;
        const allowed =
          (key === 'type' && (e.name === 'element' || e.name === 'attribute')) ||
          (key === 'base' && e.name === 'restriction' && parentOf.get(e)?.name === 'simpleType');
        if (!allowed) throw new Unsupported();
      }
    }
    if (e.name === 'simpleType' && chainOf(e).length > 0 && !e.attrs.has('name')) {
      // An anonymous patterned type: only a declaration, or a simpleType's restriction (above),
      // may hold it.
      const holder = parentOf.get(e);
      const allowed =
        holder?.name === 'element' ||
        holder?.name === 'attribute' ||
        (holder?.name === 'restriction' && parentOf.get(holder)?.name === 'simpleType');
      if (!allowed) throw new Unsupported();
    }
  }
  const byAttribute = new Map<string, Chain>();
  for (const e of all) {
    if ((e.name !== 'element' && e.name !== 'attribute') || !e.attrs.has('name')) continue;
    const typeName = ownType(e, e.attrs.get('type'));
    const inline = e.children.find((c) => c.ns === XS && c.name === 'simpleType');
    const type = typeName === undefined ? inline : named.get(typeName);
    const chain = type ? chainOf(type) : [];
    if (chain.length === 0) continue;
    const name = e.attrs.get('name')!;
    const into = e.name === 'element' ? byElement : byAttribute;
    into.set(name, [...(into.get(name) ?? []), ...chain]);
  }

  let stripped = '';
  let from = 0;
  for (const p of [...patterns].sort((a, b) => a.start - b.start)) {
    stripped += xsdText.slice(from, p.start);
    from = p.end;
  }
  stripped += xsdText.slice(from);
  return { xsdText: stripped, guard: guardFor(byElement, byAttribute) };
}

/** A value read plainly is the value libxml2 checks under every white-space facet. */
const NOT_PLAIN = /[&\t\n\r]|^ | $| {2}/;
/** Attribute values are read only without white space (see `accepts`). */
const NOT_PLAIN_ATTRIBUTE = /[& \t\n\r]/;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** XML white space (JavaScript's \s also matches U+1680 and U+FEFF, which may be in a name). */
const S = '[ \\t\\n\\r]';
/** A name regex alternative under any prefix. */
const anyPrefix = (names: readonly string[]) =>
  `(?:[^ \\t\\n\\r<>/"'=:]+:)?(${names.map(escapeRegExp).join('|')})`;
/**
 * Any prefixed attribute named type or nil: xsi:type may give an element another type, and the
 * XSI namespace may be declared outside the text or written with character references.
 */
const MAYBE_XSI = /:(?:type|nil)\s*=/;

function guardFor(
  byElement: ReadonlyMap<string, Chain>,
  byAttribute: ReadonlyMap<string, Chain>,
): PatternGuard {
  const elements = [...byElement.keys()];
  const attributes = [...byAttribute.keys()];
  // One pass over the text for the elements: a start tag of one of the names (1), the rest of
  // the tag stepping over quoted values that may hold '>', the text after it (2) and the
  // character after the next '<' (3: '/' when an end tag follows the text; undefined when the
  // text ends first, and the value is not known). Or the start of a comment, CDATA section or
  // processing instruction (no group matched).
  const startTag =
    elements.length > 0
      ? new RegExp(
          `<(?:[!?]|${anyPrefix(elements)}(?=[ \\t\\n\\r/>])[^"'>]*(?:(?:"[^"]*"|'[^']*')[^"'>]*)*>([^<]*)(?:<(.?))?)`,
          'gs',
        )
      : undefined;
  // And one for the attributes, always preceded by white space in a tag: name (1), value (2, 3).
  const attribute =
    attributes.length > 0
      ? new RegExp(`${S}${anyPrefix(attributes)}${S}*=${S}*(?:"([^"]*)"|'([^']*)')`, 'g')
      : undefined;
  const passes = (chain: Chain | undefined, value: string) =>
    chain!.every((step) => step.some((re) => re.test(value)));

  return {
    elements,
    attributes,
    accepts(whole, start, end) {
      // A search must not run on past `end`: it would read the rest of the document.
      const text = start === 0 && end === whole.length ? whole : whole.slice(start, end);
      if (MAYBE_XSI.test(text)) return false;
      // Every '<' of well-formed text begins a tag until the first comment, CDATA section or
      // processing instruction (a look-alike tag inside one could carry a match past a real
      // element): up to there, each match begins at a real start tag and reads it exactly.
      if (startTag) {
        startTag.lastIndex = 0;
        for (let m = startTag.exec(text); m; m = startTag.exec(text)) {
          if (m[1] === undefined) return false;
          const after = m[2]!;
          const next = m[3]; // after the next '<'; undefined when the text ends first
          const gt =
            m.index + m[0].length - after.length - (next === undefined ? 1 : 2 + next.length);
          // The next search starts after this start tag: what the match read beyond it is text.
          startTag.lastIndex = gt + 1;
          const value = text[gt - 1] === '/' ? '' : next === '/' ? after : null;
          if (value === null || NOT_PLAIN.test(value) || !passes(byElement.get(m[1]!), value))
            return false;
        }
      }
      // A match may begin in text, a comment or another attribute's value; that only checks
      // more. It hides a real attribute only by running over it, and then holds the white space
      // that must precede that attribute's name: refusing every value with white space in it
      // leaves every real attribute matched where it begins.
      if (attribute) {
        attribute.lastIndex = 0;
        for (let m = attribute.exec(text); m; m = attribute.exec(text)) {
          const value = m[2] ?? m[3]!;
          if (NOT_PLAIN_ATTRIBUTE.test(value) || !passes(byAttribute.get(m[1]!), value))
            return false;
        }
      }
      return true;
    },
  };
}

/** Single-character escapes of XSD regular expressions, as themselves. */
const SINGLE_ESCAPES = new Set([...'\\|.-^?*+{}()[]']);
const WS = ' \\t\\n\\r';

const literal = (c: string) =>
  /[A-Za-z0-9]/.test(c) ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`;

/**
 * An XSD pattern (implicitly anchored, XML Schema 1.0 regular-expression language) as a
 * JavaScript RegExp that accepts no more than it. Throws Unsupported outside the subset.
 */
export function toRegExp(pattern: string): RegExp {
  // libxml2 refuses 'aa' for a{2}|a: its automaton mishandles a counted or optional character in
  // an alternation. Accepting no more than libxml2 means leaving such patterns to it.
  if (pattern.includes('|') && /[{?]/.test(pattern)) throw new Unsupported();
  const chars = [...pattern];
  let out = '';
  let i = 0;
  const escape = (inClass: boolean): string => {
    const c = chars[++i];
    if (c === undefined) throw new Unsupported();
    if (c === 'n') return '\\n';
    if (c === 'r') return '\\r';
    if (c === 't') return '\\t';
    if (SINGLE_ESCAPES.has(c)) return literal(c);
    if (c === 's') return inClass ? WS : `[${WS}]`;
    if (c === 'S' && !inClass) return `[^${WS}]`;
    // \d is every Unicode decimal digit in XSD: [0-9] accepts less, which is safe (there are
    // no negated classes).
    if (c === 'd') return inClass ? '0-9' : '[0-9]';
    throw new Unsupported();
  };
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '\\') out += escape(false);
    else if (c === '.') out += '[^\\n\\r]';
    else if (c === '[') {
      i++;
      // libxml2 refuses 'c' for [^a]*[^b]: it compares negated classes wrongly when it decides
      // its automaton is deterministic, and then never backtracks. So no negated class.
      if (chars[i] === '^') throw new Unsupported();
      let cls = '';
      let first = true;
      while (chars[i] !== ']' || first) {
        const d = chars[i];
        if (d === undefined || d === '[') throw new Unsupported();
        if (d === '-') {
          // A dash is a character first or last. Anywhere else libxml2 reads it its own way
          // ('[a-c-e]' leaves the dash out), and '-[' is class subtraction.
          if (!first && chars[i + 1] !== ']') throw new Unsupported();
          cls += '\\-';
        } else {
          const single = d === '\\' ? escape(true) : literal(d);
          if (chars[i + 1] === '-' && chars[i + 2] !== ']') {
            // A range, only between two plain characters: libxml2 starts none at an escape
            // ('[\--9]' is only '-' and '9' there).
            const end = chars[i + 2];
            if (d === '\\' || end === undefined || end === '\\' || end === '[' || end === '-')
              throw new Unsupported();
            cls += `${single}-${literal(end)}`;
            i += 2;
          } else cls += single;
        }
        first = false;
        i++;
      }
      out += `[${cls}]`;
    } else if ('()|*+?'.includes(c)) out += c;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(i).join(''));
      if (!m) throw new Unsupported();
      out += m[0];
      i += m[0].length - 1;
    } else if (c === ']' || c === '}') throw new Unsupported();
    else out += literal(c);
    i++;
  }
  try {
    return new RegExp(`^(?:${out})$`, 'u');
  } catch {
    throw new Unsupported();
  }
}
