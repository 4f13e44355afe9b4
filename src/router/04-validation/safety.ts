/**
 * Stage 1: safety before any parser sees the bytes. Refuses oversize messages, any DOCTYPE or
 * entity declaration, nesting deeper than the limit, and anything that is not UTF-8 markup (a NUL
 * byte, or a first character other than '<' after an optional UTF-8 BOM and white space).
 * A single pass over the markup with indexOf (over the UTF-8 text once the bytes are known to be
 * UTF-8); the content between tags is never looked at.
 */
import { isUtf8 } from 'node:buffer';
import { DEFAULT_MAX_DECODED_BYTES } from '../03-envelope/payload-codec.js';
import { finding } from './findings.js';
import type { Finding } from './finding.js';

export interface SafetyLimits {
  readonly maxMessageBytes: number;
  readonly maxDepth: number;
  /** Total decoded (base64 / gzip) payload bytes per message; default 20 MiB. */
  readonly maxDecodedBytes?: number;
}

export { DEFAULT_MAX_DECODED_BYTES };

export const DEFAULT_LIMITS: SafetyLimits = Object.freeze({
  maxMessageBytes: 5 * 1024 * 1024,
  maxDepth: 100,
  maxDecodedBytes: DEFAULT_MAX_DECODED_BYTES,
});

const GT = 0x3e;
const SLASH = 0x2f;
const DQ = 0x22;
const SQ = 0x27;
const latin1 = (bytes: Uint8Array, from: number, to: number) =>
  Buffer.from(
    bytes.buffer,
    bytes.byteOffset + from,
    Math.max(0, Math.min(to, bytes.length) - from),
  ).toString('latin1');

/** The message as text (UTF-8), as the later stages read it. */
export const utf8Text = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');

/** 1-based line and column (in characters) of an offset, computed only when something was found. */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** XML white space: space, tab, line feed, carriage return. */
const isXmlSpace = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * The contract is UTF-8 only (docs/message-safety.md, "Trust boundary"): no NUL byte anywhere,
 * and after an optional UTF-8 byte-order mark and white space the first character is '<'. That
 * refuses UTF-16 and UTF-32 with or without a byte-order mark (their first bytes are a BOM or a
 * NUL), text before the first tag, and empty input, before any parser guesses an encoding.
 */
function encodingProblem(bytes: Uint8Array): string | undefined {
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    return 'the message is UTF-16 or UTF-32 (byte order mark); ITK messages must be UTF-8';
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return `the message contains a NUL byte (at byte ${nul}); ITK messages are UTF-8 text without NUL (UTF-16 and UTF-32 are refused)`;
  }
  let first = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (isXmlSpace(bytes[first])) first++;
  if (first >= bytes.length) return 'the message is empty: no XML markup';
  if (bytes[first] !== 0x3c) {
    return `the message does not start with '<' (byte ${first} is 0x${bytes[first]!.toString(16).padStart(2, '0')}); ITK messages are UTF-8 XML`;
  }
  if (!isUtf8(bytes)) return 'the message contains bytes that are not valid UTF-8';
  const start = bytes[0] === 0xef ? 3 : 0;
  if (latin1(bytes, start, start + 5) === '<?xml') {
    const end = bytes.indexOf(GT, start);
    const decl = latin1(bytes, start, end === -1 ? Math.min(bytes.length, 200) : end);
    const m = /encoding\s*=\s*["']([^"']*)["']/.exec(decl);
    if (m && m[1]!.toLowerCase() !== 'utf-8') {
      return `the XML declaration names encoding "${m[1]}"; ITK messages must be UTF-8`;
    }
  }
  return undefined;
}

/**
 * Where tags end: the index of the '>' closing the tag whose name starts at `from`, stepping over
 * quoted attribute values that may contain '>'. Most tags hold no quote before their '>', which
 * the positions of the next quotes (kept across calls, as tags are asked for in document order)
 * tell without reading the tag character by character.
 */
function tagEnds(text: string): (from: number) => number {
  let dq = -1;
  let sq = -1;
  return (from) => {
    const gt = text.indexOf('>', from);
    // >>> 0 turns "none" (-1) into 2^32 - 1: after every '>'.
    if (dq < from) dq = text.indexOf('"', from) >>> 0;
    if (sq < from) sq = text.indexOf("'", from) >>> 0;
    if (gt !== -1 && dq > gt && sq > gt) return gt;
    let quote = 0;
    for (let i = from; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === DQ || c === SQ) quote = c;
      else if (c === GT) return i;
    }
    return text.length;
  };
}

/** The index just after `terminator`, searching from `from` (the end of the text when absent). */
function after(text: string, from: number, terminator: string): number {
  const at = text.indexOf(terminator, from);
  return at === -1 ? text.length : at + terminator.length;
}

/**
 * Stage 1 over `bytes`. `text` is the same bytes decoded as UTF-8 (callers that decode anyway
 * pass theirs); the markup is scanned in it once the bytes are known to be UTF-8.
 */
export function checkSafety(
  bytes: Uint8Array,
  limits: SafetyLimits = DEFAULT_LIMITS,
  text?: string,
): Finding[] {
  if (bytes.length > limits.maxMessageBytes) {
    return [
      finding(
        '1000',
        'SAFE-SIZE',
        `the message is ${bytes.length} bytes, over the limit of ${limits.maxMessageBytes} bytes`,
      ),
    ];
  }
  const encoding = encodingProblem(bytes);
  if (encoding) return [finding('1000', 'SAFE-ENCODING', encoding, { line: 1 })];
  return checkMarkup(text ?? utf8Text(bytes), limits);
}

function checkMarkup(text: string, limits: SafetyLimits): Finding[] {
  const endOfTag = tagEnds(text);
  let depth = 0;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i)) {
    const next = text[i + 1];
    if (next === '!') {
      if (text.startsWith('<!--', i)) i = after(text, i + 4, '-->');
      else if (text.startsWith('<![CDATA[', i)) i = after(text, i + 9, ']]>');
      else if (/^<!(DOCTYPE|ENTITY)/i.test(text.slice(i, i + 9))) {
        const head = text.slice(i, i + 9);
        return [
          finding(
            '1000',
            'SAFE-DOCTYPE',
            `a ${head
              .slice(2)
              .replace(/[^A-Za-z].*$/, '')
              .toUpperCase()} declaration was refused: ITK messages never carry DTDs or entity declarations`,
            position(text, i),
          ),
        ];
      } else i += 2;
    } else if (next === '?') {
      i = after(text, i + 2, '?>');
    } else if (next === '/') {
      depth--;
      i = endOfTag(i + 2) + 1;
    } else {
      const end = endOfTag(i + 1);
      if (text.charCodeAt(end - 1) !== SLASH && ++depth > limits.maxDepth) {
        return [
          finding(
            '1000',
            'SAFE-DEPTH',
            `elements are nested deeper than the limit of ${limits.maxDepth}`,
            position(text, i),
          ),
        ];
      }
      i = end + 1;
    }
  }
  return [];
}
