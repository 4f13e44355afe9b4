/**
 * The tracking id of a message the router cannot read (stage 1 or 2), for its nack: senders match
 * nacks by tracking id. Read without parsing the hostile part: a bounded scan (the first 4 KiB)
 * of the document's start, accepting only this shape, else the nil UUID:
 *
 *   [UTF-8 BOM] [<?xml …?>] [comments and white space] <p:DistributionEnvelope … xmlns:p="ITK">
 *   [white space] <p:header … trackingid="UPPER-CASE-UUID" …>
 *
 * No DOCTYPE, no other element between them, nothing but ASCII in the tags, each attribute once, the value exactly an
 * upper-case UUID (nothing padded, no references): a value the router names is one the sender
 * wrote, never one a later, unparsed part of the message could have changed.
 */
import { ITK_NS } from './itk-names.js';

export const NIL_TRACKING_ID = '00000000-0000-0000-0000-000000000000';

const SCAN_BYTES = 4096;
const UUID_UPPER = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const PROLOG = /^(?:<\?xml[^<>]*\?>)?(?:[ \t\r\n]+|<!--(?:[^-]|-(?!-))*-->)*/y;
const NAME = '[A-Za-z_][A-Za-z0-9_.-]*';
const START_TAG = new RegExp(
  `<(?:(${NAME}):)?(${NAME})((?:[ \\t\\r\\n]+${NAME}(?::${NAME})?[ \\t\\r\\n]*=[ \\t\\r\\n]*(?:"[^"<&]*"|'[^'<&]*'))*)[ \\t\\r\\n]*>`,
  'y',
);
const ATTRIBUTE = new RegExp(
  `[ \\t\\r\\n]+(${NAME}(?::${NAME})?)[ \\t\\r\\n]*=[ \\t\\r\\n]*(?:"([^"]*)"|'([^']*)')`,
  'g',
);

interface Tag {
  readonly prefix: string;
  readonly name: string;
  readonly attrs: ReadonlyMap<string, string>;
}

/** The start tag at `text[at]`, with its attributes (undefined when any is repeated). */
function startTag(text: string, at: number): { tag: Tag; end: number } | undefined {
  START_TAG.lastIndex = at;
  const m = START_TAG.exec(text);
  if (!m) return undefined;
  const attrs = new Map<string, string>();
  for (const a of m[3]!.matchAll(ATTRIBUTE)) {
    if (attrs.has(a[1]!)) return undefined;
    attrs.set(a[1]!, a[2] ?? a[3] ?? '');
  }
  return { tag: { prefix: m[1] ?? '', name: m[2]!, attrs }, end: START_TAG.lastIndex };
}

/** The header's tracking id when a bounded scan can read it safely, else the nil UUID. */
export function scanTrackingId(bytes: Uint8Array): string {
  let head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, SCAN_BYTES));
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
  const text = head.toString('latin1'); // the accepted shape is ASCII; anything else fails to match
  PROLOG.lastIndex = 0;
  PROLOG.exec(text);
  const root = startTag(text, PROLOG.lastIndex);
  if (!root || root.tag.name !== 'DistributionEnvelope') return NIL_TRACKING_ID;
  const ns = root.tag.attrs.get(root.tag.prefix ? `xmlns:${root.tag.prefix}` : 'xmlns');
  if (ns !== ITK_NS) return NIL_TRACKING_ID;
  let at = root.end;
  while (at < text.length && ' \t\r\n'.includes(text[at]!)) at++;
  const header = startTag(text, at);
  if (!header || header.tag.name !== 'header') return NIL_TRACKING_ID;
  const hns = header.tag.prefix
    ? (header.tag.attrs.get(`xmlns:${header.tag.prefix}`) ??
      root.tag.attrs.get(`xmlns:${header.tag.prefix}`))
    : (header.tag.attrs.get('xmlns') ?? root.tag.attrs.get('xmlns'));
  if (hns !== ITK_NS) return NIL_TRACKING_ID;
  const id = header.tag.attrs.get('trackingid');
  return id !== undefined && UUID_UPPER.test(id) ? id : NIL_TRACKING_ID;
}
