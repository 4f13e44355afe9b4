/** Key paths into a parsed YAML file: `routes[0].copyTo[1]`. */

/** One step into a document: a map key or a sequence index. */
export type KeySegment = string | number;

/** Formats segments as `a.b[0].c`; an empty path is the document itself. */
export function formatKeyPath(segments: readonly KeySegment[]): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Parses an ajv `instancePath` (a JSON pointer) into segments; digits under arrays become numbers. */
export function segmentsFromPointer(pointer: string, data: unknown): KeySegment[] {
  if (pointer === '') return [];
  const segments: KeySegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) ? Number(token) : token;
    segments.push(segment);
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<string, unknown>)[token]
        : undefined;
  }
  return segments;
}
