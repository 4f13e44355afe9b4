/**
 * Messages for the trust-boundary tests (issue 12): the worked example notification
 * (examples/careplan-notification.xml, the GP to the community team) rebuilt with other payloads,
 * several payloads, gzip payloads, and padded attribute values.
 */
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import { fixture } from './fixture-files.js';

const EXAMPLE = fixture('examples/careplan-notification.xml').toString('utf8');
const PAYLOAD_RE = /<itk:payload id="[^"]*">\s*([\s\S]*?)\s*<\/itk:payload>/;

/** The example's care-plan payload element (CarePlanNotification), as written. */
export const EXAMPLE_PLAN_XML = PAYLOAD_RE.exec(EXAMPLE)![1]!;
export const EXAMPLE_PROFILE = 'urn:itk-router:profile:CarePlanNotification-v1-0';

export const upperUuid = (): string => randomUUID().toUpperCase();

/** The example plan with a fresh plan id (and, optionally, other element values). */
export function planXml(edit: Record<string, string> = {}): string {
  let xml = EXAMPLE_PLAN_XML.replace(/<planId>[^<]*<\/planId>/, `<planId>${upperUuid()}</planId>`);
  for (const [name, value] of Object.entries(edit))
    xml = xml.replace(new RegExp(`<${name}>[^<]*</${name}>`), `<${name}>${value}</${name}>`);
  return xml;
}

export interface PayloadSpec {
  /** The payload's XML (a standalone document for base64 / gzip). */
  readonly xml: string;
  readonly encoding?: 'xml' | 'base64' | 'gzip';
  /** Manifest profile id; default the notification's; null for none. */
  readonly profileId?: string | null;
  readonly mimeType?: string;
  /** Already-encoded payload text (base64 / gzip): replaces the encoding of `xml`. */
  readonly encoded?: string;
}

export interface TrustMessage {
  readonly trackingId: string;
  readonly xml: string;
  readonly bytes: Buffer;
}

/**
 * The example DE with `payloads` instead of its own, and (optionally) the header's trackingid and
 * other text edits applied to the header only.
 */
export function buildDe(
  payloads: readonly PayloadSpec[],
  opts: { trackingId?: string; header?: (header: string) => string } = {},
): TrustMessage {
  const trackingId = opts.trackingId ?? upperUuid();
  const ids = payloads.map(() => `uuid_${upperUuid()}`);
  const items = payloads
    .map((p, i) => {
      const profile = p.profileId === null ? '' : ` profileid="${p.profileId ?? EXAMPLE_PROFILE}"`;
      const enc =
        p.encoding === 'base64'
          ? ' base64="true"'
          : p.encoding === 'gzip'
            ? ' base64="true" compressed="true"'
            : '';
      return `<itk:manifestitem id="${ids[i]}" mimetype="${p.mimeType ?? 'text/xml'}"${profile}${enc}/>`;
    })
    .join('\n      ');
  const bodies = payloads
    .map((p, i) => {
      const body =
        p.encoded ??
        (p.encoding === 'base64'
          ? Buffer.from(p.xml).toString('base64')
          : p.encoding === 'gzip'
            ? zlib.gzipSync(Buffer.from(p.xml)).toString('base64')
            : p.xml);
      return `<itk:payload id="${ids[i]}">${body}</itk:payload>`;
    })
    .join('\n    ');
  let xml = EXAMPLE.replace(/trackingid="[^"]*"/, `trackingid="${trackingId}"`)
    .replace(
      /<itk:manifest count="1">[\s\S]*?<\/itk:manifest>/,
      `<itk:manifest count="${payloads.length}">\n      ${items}\n    </itk:manifest>`,
    )
    .replace(
      /<itk:payloads count="1">[\s\S]*<\/itk:payloads>/,
      `<itk:payloads count="${payloads.length}">\n    ${bodies}\n  </itk:payloads>`,
    );
  if (opts.header) {
    const start = xml.indexOf('<itk:header');
    const end = xml.indexOf('</itk:header>') + '</itk:header>'.length;
    xml = xml.slice(0, start) + opts.header(xml.slice(start, end)) + xml.slice(end);
  }
  return { trackingId, xml, bytes: Buffer.from(xml, 'utf8') };
}

/** The example notification (one plan of its own) with a header edit. */
export const exampleWith = (header: (h: string) => string, trackingId?: string): TrustMessage =>
  buildDe([{ xml: planXml() }], { header, ...(trackingId ? { trackingId } : {}) });

/**
 * White space variants of a value as written in an attribute: each reads, in the schema
 * (xs:anyURI collapses), as the bare value, and raw as something else.
 */
export const PADDINGS: readonly (readonly [string, (v: string) => string])[] = [
  ['trailing space', (v) => `${v} `],
  ['leading space', (v) => ` ${v}`],
  ['trailing tab', (v) => `${v}\t`],
  ['leading newline', (v) => `\n${v}`],
  ['trailing CR', (v) => `${v}\r`],
  ['trailing &#x20;', (v) => `${v}&#x20;`],
  ['leading &#9;', (v) => `&#9;${v}`],
  ['trailing &#10;', (v) => `${v}&#10;`],
  ['trailing &#13;', (v) => `${v}&#13;`],
  ['two spaces inside', (v) => `${v.slice(0, 4)}  ${v.slice(4)}`],
];

/** `value` of attribute `attr` of the first element whose start tag matches `tag`, replaced. */
export function setAttr(text: string, tag: string, attr: string, to: (v: string) => string) {
  const re = new RegExp(`(<itk:${tag}\\b[^>]*?\\b${attr}=")([^"]*)(")`);
  if (!re.test(text)) throw new Error(`no ${tag}/@${attr} to edit`);
  return text.replace(re, (_, a: string, v: string, c: string) => `${a}${to(v)}${c}`);
}

/** The interaction spec's value. */
export function setInteraction(text: string, to: (v: string) => string): string {
  const re = /(<itk:spec key="urn:nhs-itk:ns:201005:interaction" value=")([^"]*)(")/;
  if (!re.test(text)) throw new Error('no interaction spec to edit');
  return text.replace(re, (_, a: string, v: string, c: string) => `${a}${to(v)}${c}`);
}
