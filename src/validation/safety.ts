/**
 * Stage 1: safety before any parser sees the bytes. Refuses oversize messages, any DOCTYPE or
 * entity declaration, nesting deeper than the limit, and anything that is not UTF-8.
 * A single pass over the markup with indexOf; the content between tags is never decoded.
 */
import { isUtf8 } from 'node:buffer';
import { finding } from './findings.js';
import type { Finding } from './finding.js';

export interface SafetyLimits {
  readonly maxMessageBytes: number;
  readonly maxDepth: number;
}

export const DEFAULT_LIMITS: SafetyLimits = Object.freeze({
  maxMessageBytes: 5 * 1024 * 1024,
  maxDepth: 100,
});

const LT = 0x3c;
const GT = 0x3e;
const BANG = 0x21;
const QUESTION = 0x3f;
const SLASH = 0x2f;
const latin1 = (bytes: Uint8Array, from: number, to: number) =>
  Buffer.from(
    bytes.buffer,
    bytes.byteOffset + from,
    Math.max(0, Math.min(to, bytes.length) - from),
  ).toString('latin1');

/** 1-based line and column of a byte offset, computed only when something was found. */
function position(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function encodingProblem(bytes: Uint8Array): string | undefined {
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    return 'the message is UTF-16 (byte order mark); ITK messages must be UTF-8';
  }
  if (bytes[0] === 0x3c && bytes[1] === 0x00)
    return 'the message is UTF-16; ITK messages must be UTF-8';
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

/** End of a construct that starts at `from` and ends with `terminator` (exclusive index after it). */
function skipTo(bytes: Uint8Array, from: number, terminator: string): number {
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(
    terminator,
    from,
    'latin1',
  );
  return at === -1 ? bytes.length : at + terminator.length;
}

/** End of a start or end tag, stepping over quoted attribute values that may contain '>'. */
function endOfTag(bytes: Uint8Array, from: number): number {
  let quote = 0;
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (quote !== 0) {
      if (b === quote) quote = 0;
    } else if (b === 0x22 || b === 0x27) quote = b;
    else if (b === GT) return i;
  }
  return bytes.length;
}

export function checkSafety(bytes: Uint8Array, limits: SafetyLimits = DEFAULT_LIMITS): Finding[] {
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

  let depth = 0;
  for (let i = bytes.indexOf(LT); i !== -1 && i < bytes.length; i = bytes.indexOf(LT, i)) {
    const next = bytes[i + 1];
    if (next === BANG) {
      const head = latin1(bytes, i, i + 9);
      if (head.startsWith('<!--')) i = skipTo(bytes, i + 4, '-->');
      else if (head.startsWith('<![CDATA[')) i = skipTo(bytes, i + 9, ']]>');
      else if (/^<!(DOCTYPE|ENTITY)/i.test(head)) {
        return [
          finding(
            '1000',
            'SAFE-DOCTYPE',
            `a ${head
              .slice(2)
              .replace(/[^A-Za-z].*$/, '')
              .toUpperCase()} declaration was refused: ITK messages never carry DTDs or entity declarations`,
            position(bytes, i),
          ),
        ];
      } else i += 2;
    } else if (next === QUESTION) {
      i = skipTo(bytes, i + 2, '?>');
    } else if (next === SLASH) {
      depth--;
      i = endOfTag(bytes, i + 2) + 1;
    } else {
      const end = endOfTag(bytes, i + 1);
      if (bytes[end - 1] !== SLASH && ++depth > limits.maxDepth) {
        return [
          finding(
            '1000',
            'SAFE-DEPTH',
            `elements are nested deeper than the limit of ${limits.maxDepth}`,
            position(bytes, i),
          ),
        ];
      }
      i = end + 1;
    }
  }
  return [];
}
