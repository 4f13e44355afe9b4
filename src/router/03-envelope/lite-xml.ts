/**
 * A light, read-only element tree of a document that libxml2 has ALREADY parsed and found
 * well-formed (and free of any DOCTYPE, refused at stage 1). Reading the envelope and payload
 * facts from this tree in JavaScript is ~10× faster than walking libxml2-wasm's DOM node by node
 * across the WebAssembly boundary. Never act on a tree of bytes libxml2 has not accepted: it
 * trusts well-formedness and only knows the five predefined entities and character references.
 * It never throws, though, whatever it is given (test/unit/validation/trust-boundary.test.ts):
 * text that is not XML gives some tree, an element named '' when there is none.
 */

export interface LiteElement {
  /** Local name. */
  readonly name: string;
  /** Namespace URI ('' for none). */
  readonly ns: string;
  /** Attributes by qualified name as written (xmlns declarations excluded). */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly LiteElement[];
  /** The element's own text (its direct text and CDATA), entities decoded. */
  readonly text: string;
  /** 1-based line of the start tag. */
  readonly line: number;
  /** Offsets of the element in the source string: `source.slice(start, end)` is the element. */
  readonly start: number;
  readonly end: number;
  /** Namespace prefixes in scope at this element ('' is the default namespace). */
  readonly scope: ReadonlyMap<string, string>;
  /** Prefixes this element declares itself. */
  readonly declares: ReadonlySet<string>;
}

/**
 * Text is read lazily: the parser records where each text run lies (a CDATA run is marked by a
 * negative start), and `text` joins and decodes them on first use. Most elements (those with
 * child elements) never have their text read.
 */
class Building implements LiteElement {
  readonly children: Building[] = [];
  readonly runs: number[] = [];
  #text: string | undefined;

  constructor(
    private readonly source: string,
    readonly name: string,
    readonly ns: string,
    readonly attrs: Map<string, string>,
    readonly line: number,
    readonly start: number,
    public end: number,
    readonly scope: Map<string, string>,
    readonly declares: Set<string>,
  ) {}

  get text(): string {
    if (this.#text === undefined) {
      let text = '';
      for (let r = 0; r < this.runs.length; r += 2) {
        const from = this.runs[r]!;
        const to = this.runs[r + 1]!;
        text +=
          from < 0 ? this.source.slice(-from - 1, to) : decodeEntities(this.source.slice(from, to));
      }
      this.#text = text;
    }
    return this.#text;
  }
}

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export const decodeEntities = (s: string): string =>
  s.indexOf('&') === -1
    ? s
    : s.replace(ENTITY, (ref, e: string) => {
        if (e[0] !== '#') return NAMED[e]!;
        const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        // libxml2 refuses a reference to no character; the light reader leaves it as written
        return cp <= 0x10ffff ? String.fromCodePoint(cp) : ref;
      });

/**
 * An attribute value as XML reads it: each literal tab, line break or carriage return (a CR LF
 * pair counting once) is a space; the same characters written as references stay.
 */
const attributeValue = (raw: string): string =>
  decodeEntities(/[\t\n\r]/.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, ' ') : raw);

/** The index just after the first `mark` from `from`, or the end of `source` when there is none. */
const after = (source: string, mark: string, from: number): number => {
  const at = source.indexOf(mark, from);
  return at === -1 ? source.length : at + mark.length;
};

/** Shared by every element without attributes / namespace declarations (the tree is read-only). */
const NO_ATTRIBUTES: Map<string, string> = new Map();
const NO_DECLARATIONS: Set<string> = new Set();

// XML white space is these four characters only: JavaScript's \s also matches U+1680 and U+FEFF,
// which may be part of an XML name.
const ATTR = /[ \t\n\r]*([^ \t\n\r=/>]+)[ \t\n\r]*=[ \t\n\r]*(?:"([^"]*)"|'([^']*)')/y;
const NAME = /[^ \t\n\r/>]+/y;
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** The rest of a start tag from its name on, stepping over quoted values that may hold '>'. */
const TAG_REST = /[^"'>]*(?:(?:"[^"]*"|'[^']*')[^"'>]*)*>/y;

const isTagNameEnd = (c: string | undefined) =>
  c === '>' || c === '/' || c === ' ' || c === '\n' || c === '\t' || c === '\r';

/**
 * Where the element `qname`, whose start tag ends just before `from`, ends (the index after its
 * end tag). The first `</qname>` is that end tag unless a nested `<qname` start tag, a comment, a
 * CDATA section or a processing instruction (whose text may look like tags) lies before it: then
 * the tags are counted one by one. A well-formed document has no '<' in text or attribute
 * values, and the searches are for the element's name, '!' and '?', which are rare in a document
 * while '<' is everywhere: a long element is stepped over without visiting its tags.
 */
function skipElement(source: string, from: number, qname: string): number {
  for (let at = source.indexOf(qname, from); at !== -1; at = source.indexOf(qname, at + 1)) {
    if (!isTagNameEnd(source[at + qname.length])) continue;
    if (source[at - 1] === '<') break;
    if (source[at - 1] === '/' && source[at - 2] === '<') {
      if (markupIn(source, from, at, '!') || markupIn(source, from, at, '?')) break;
      return after(source, '>', at + qname.length);
    }
  }
  return countToEnd(source, from);
}

/** Whether `<` followed by `mark` ('!' or '?') occurs in [from, to). */
function markupIn(source: string, from: number, to: number, mark: string): boolean {
  for (let at = source.indexOf(mark, from); at !== -1 && at < to; at = source.indexOf(mark, at + 1))
    if (source[at - 1] === '<') return true;
  return false;
}

/**
 * The slow, always-right form of skipElement: counts start and end tags without building
 * anything, stepping over comments, CDATA and processing instructions.
 */
function countToEnd(source: string, from: number): number {
  let depth = 1;
  let i = source.indexOf('<', from);
  while (i !== -1) {
    const c = source[i + 1];
    let next: number;
    if (c === '!') {
      next = source.startsWith('<![CDATA[', i)
        ? after(source, ']]>', i + 9)
        : after(source, '-->', i + 4);
    } else if (c === '?') {
      next = after(source, '?>', i + 2);
    } else if (c === '/') {
      next = after(source, '>', i + 2);
      if (--depth === 0) return next;
    } else {
      TAG_REST.lastIndex = i + 1;
      TAG_REST.exec(source);
      next = TAG_REST.lastIndex;
      if (source[next - 2] !== '/') depth++;
    }
    i = source.indexOf('<', next);
  }
  return source.length;
}

/** Elements to keep whole but not look inside: in namespace `ns`, with a local name in `names`. */
export interface OpaqueElements {
  readonly ns: string;
  readonly names: ReadonlySet<string>;
}

/**
 * Parses `source` into a light tree. Elements named in `opaque` are kept (name, attributes,
 * line, offsets) without children or text, and their content is only stepped over: a caller
 * that never reads the bulk of a long document (e.g. the 130 activities of a care plan) does not
 * pay for building it.
 */
export function parseLite(source: string, opaque?: OpaqueElements): LiteElement {
  const stack: Building[] = [];
  let root: Building | undefined;
  let line = 1;
  let counted = 0;
  const lineAt = (pos: number) => {
    for (
      let nl = source.indexOf('\n', counted);
      nl !== -1 && nl < pos;
      nl = source.indexOf('\n', nl + 1)
    ) {
      line++;
      counted = nl + 1;
    }
    if (counted < pos) counted = pos;
    return line;
  };
  let i = source.indexOf('<');
  while (i !== -1) {
    const top = stack[stack.length - 1];
    const c = source[i + 1];
    let next: number;
    if (c === '!') {
      if (source.startsWith('<![CDATA[', i)) {
        next = after(source, ']]>', i + 9);
        if (top) top.runs.push(-(i + 9) - 1, next - 3);
      } else next = after(source, '-->', i + 4);
    } else if (c === '?') {
      next = after(source, '?>', i + 2);
    } else if (c === '/') {
      next = after(source, '>', i + 2);
      const done = stack.pop();
      if (done) done.end = next;
    } else {
      NAME.lastIndex = i + 1;
      const qname = NAME.exec(source)?.[0];
      if (qname === undefined) {
        // '<' not followed by a name: not XML (libxml2 refuses it); step over it
        i = source.indexOf('<', i + 1);
        continue;
      }
      let pos = NAME.lastIndex;
      let attrs = NO_ATTRIBUTES;
      let scope = top?.scope ?? new Map<string, string>([['xml', XML_NS]]);
      let declares = NO_DECLARATIONS;
      // Most elements have no attributes: their name is followed by '>' or '/>'.
      const after = source[pos];
      for (ATTR.lastIndex = pos; after !== '>' && after !== '/';) {
        const m = ATTR.exec(source);
        if (!m) break;
        pos = ATTR.lastIndex;
        const key = m[1]!;
        const value = attributeValue(m[2] ?? m[3] ?? '');
        if (key === 'xmlns' || key.startsWith('xmlns:')) {
          if (declares === NO_DECLARATIONS) {
            scope = new Map(scope);
            declares = new Set();
          }
          const prefix = key === 'xmlns' ? '' : key.slice(6);
          scope.set(prefix, value);
          declares.add(prefix);
        } else {
          if (attrs === NO_ATTRIBUTES) attrs = new Map();
          attrs.set(key, value);
        }
      }
      const gt = source.indexOf('>', pos);
      const close = gt === -1 ? source.length : gt;
      const selfClosing = source[close - 1] === '/';
      const colon = qname.indexOf(':');
      const el = new Building(
        source,
        colon === -1 ? qname : qname.slice(colon + 1),
        scope.get(colon === -1 ? '' : qname.slice(0, colon)) ?? '',
        attrs,
        lineAt(i),
        i,
        close + 1,
        scope,
        declares,
      );
      if (top) top.children.push(el);
      else root ??= el;
      next = close + 1;
      if (!selfClosing) {
        if (opaque?.names.has(el.name) && el.ns === opaque.ns)
          next = el.end = skipElement(source, next, qname);
        else stack.push(el);
      }
    }
    const lt = source.indexOf('<', next);
    const current = stack[stack.length - 1];
    if (current && lt > next) current.runs.push(next, lt);
    i = lt;
  }
  // No element at all (text libxml2 would refuse): an empty element named '', never a throw.
  return root ?? new Building(source, '', '', NO_ATTRIBUTES, 1, 0, 0, new Map(), NO_DECLARATIONS);
}

/** Where the content of `el` lies in `source`: after its start tag, before its end tag. */
export function contentRange(source: string, el: LiteElement): [number, number] {
  TAG_REST.lastIndex = el.start + 1;
  TAG_REST.test(source);
  const open = TAG_REST.lastIndex;
  return source[open - 2] === '/' ? [open, open] : [open, source.lastIndexOf('</', el.end)];
}

/** Children of `el` with this local name and namespace. */
export const childrenNamed = (
  el: LiteElement | undefined,
  name: string,
  ns: string,
): LiteElement[] => (el ? el.children.filter((c) => c.name === name && c.ns === ns) : []);

export const childNamed = (
  el: LiteElement | undefined,
  name: string,
  ns: string,
): LiteElement | undefined => el?.children.find((c) => c.name === name && c.ns === ns);

const escapeAttr = (v: string) =>
  v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** Whether the element's text uses a prefix ('' = unprefixed names) in an element or attribute name. */
const usesPrefix = (text: string, prefix: string): boolean =>
  prefix === ''
    ? /<[A-Za-z_][\w.-]*[ \t\n\r/>]/.test(text)
    : new RegExp(`(<|</|[ \t\n\r])${prefix.replace(/[.-]/g, '\\$&')}:`).test(text);

/**
 * The element as a standalone XML text: its source verbatim, with the namespace declarations it
 * inherits from its ancestors, and uses, added to its start tag.
 */
export function standaloneXml(source: string, el: LiteElement): string {
  const text = source.slice(el.start, el.end);
  const inherited: string[] = [];
  for (const [prefix, uri] of el.scope) {
    if (prefix === 'xml' || el.declares.has(prefix) || !usesPrefix(text, prefix)) continue;
    inherited.push(
      prefix === '' ? ` xmlns="${escapeAttr(uri)}"` : ` xmlns:${prefix}="${escapeAttr(uri)}"`,
    );
  }
  if (inherited.length === 0) return text;
  NAME.lastIndex = 1;
  NAME.exec(text);
  return text.slice(0, NAME.lastIndex) + inherited.join('') + text.slice(NAME.lastIndex);
}
