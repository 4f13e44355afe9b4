/** A YAML file read with positions kept, so every problem can name its line. */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { ConfigProblem } from './config-error.js';
import { formatKeyPath, type KeySegment } from './key-path.js';

/** A parsed YAML file: its plain value and what is needed to point back into the text. */
export interface YamlSource {
  /** Absolute path of the file. */
  readonly file: string;
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The plain JavaScript value; `undefined` for an empty file. */
  readonly value: unknown;
}

/** The outcome of reading a file: a source, or the problems that stopped it being read. */
export type YamlReadResult =
  | { readonly source: YamlSource; readonly problems: readonly [] }
  | { readonly source?: undefined; readonly problems: readonly ConfigProblem[] };

/** Reads and parses one YAML file; syntax errors come back as problems with line and key. */
export function readYamlSource(file: string): YamlReadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return { problems: [{ file, key: '', message: `cannot read the file (${reason})` }] };
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error): ConfigProblem => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const key = formatKeyPath(keyPathAt(document.contents, error.pos[0]));
      const message = `YAML syntax error: ${error.message.split('\n')[0] ?? error.code}`;
      return { file, line, column: col, key, message };
    });
    return { problems };
  }
  return { source: { file, document, lineCounter, value: document.toJS() }, problems: [] };
}

/**
 * Where a key path points in the file: the value's position, or with `onKey` the key's own
 * (for a key that should not be there). A path that does not reach a node gives the deepest
 * node on the way.
 */
export function locate(
  source: YamlSource,
  path: readonly KeySegment[],
  onKey = false,
): { line: number; column: number } | undefined {
  let node: unknown = source.document.contents;
  let range = (node as Node | null)?.range;
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      const keyNode = pair.key as Node;
      range = last && onKey ? keyNode.range : ((pair.value as Node | null)?.range ?? keyNode.range);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      range = (node as Node).range ?? range;
    } else break;
  }
  if (range === undefined || range === null) return undefined;
  const { line, col } = source.lineCounter.linePos(range[0]);
  return { line, column: col };
}

/** The key path of the innermost map entry or sequence item whose text holds `offset`. */
function keyPathAt(node: unknown, offset: number): KeySegment[] {
  if (isMap(node)) {
    for (const pair of node.items) {
      const start = (pair.key as Node | null)?.range?.[0];
      const end = (pair.value as Node | null)?.range?.[2] ?? (pair.key as Node | null)?.range?.[2];
      if (start !== undefined && end !== undefined && offset >= start && offset <= end) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        return [key, ...keyPathAt(pair.value, offset)];
      }
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      const range = (item as Node | null)?.range;
      if (range && offset >= range[0] && offset <= range[2]) {
        return [index, ...keyPathAt(item, offset)];
      }
    }
  }
  return [];
}

/** A problem at a key path of a source, with the line and column found there. */
export function problemAt(
  source: YamlSource,
  path: readonly KeySegment[],
  message: string,
  onKey = false,
): ConfigProblem {
  return { file: source.file, ...locate(source, path, onKey), key: formatKeyPath(path), message };
}
