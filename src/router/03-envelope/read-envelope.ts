/**
 * Reads a Distribution Envelope into the typed model, leniently: whatever is missing is left out,
 * so that the DE rules can report it instead of the reader throwing. Also returns where each part
 * stands (line, path) for precise findings, and each payload's body for payload validation.
 * Works on the light tree of a document libxml2 has accepted (lite-xml.ts).
 */
import { ITK_NS } from './itk-names.js';
import { childNamed, childrenNamed, standaloneXml, type LiteElement } from './lite-xml.js';
import { decodePayload, DEFAULT_MAX_DECODED_BYTES, type DecodedPayload } from './payload-codec.js';
import type { Envelope, HandlingSpec, ItkAddress, ManifestItem, Payload } from './envelope.js';

export interface At {
  readonly line: number;
  readonly path: string;
}

export interface ReadEnvelope {
  readonly envelope: Envelope;
  readonly manifestCount?: string;
  readonly payloadsCount?: string;
  readonly at: {
    readonly root: At;
    readonly header?: At;
    readonly addresses: readonly At[];
    readonly identities: readonly At[];
    readonly manifest?: At;
    readonly manifestItems: readonly At[];
    readonly sender?: At;
    readonly handling?: At;
    readonly specs: readonly At[];
    readonly payloads?: At;
    readonly payloadItems: readonly At[];
  };
  /** Per payload: its root element (XML / encrypted), its decoding (base64 / gzip), or nothing. */
  readonly payloadBodies: readonly PayloadBody[];
}

export type PayloadBody =
  | { readonly kind: 'element'; readonly element: LiteElement; readonly elementCount: number }
  | { readonly kind: 'decoded'; readonly decoded: DecodedPayload }
  /** Not decoded: the message's decoded-bytes budget ran out at an earlier payload. */
  | { readonly kind: 'undecoded' }
  | { readonly kind: 'empty'; readonly text: boolean };

export interface ReadOptions {
  /** Put each XML payload's standalone text into `Payload.content` (off on the hot path). */
  readonly payloadContent?: boolean;
  /**
   * Largest total of decoded (base64 / inflated gzip) payload bytes of the message; decoding
   * stops at the payload that would pass it (limits.maxDecodedBytes, default 20 MiB).
   */
  readonly maxDecodedBytes?: number;
}

const bool = (el: LiteElement, name: string) => {
  const v = el.attrs.get(name)?.trim();
  return v === 'true' || v === '1';
};
/**
 * A copy without the undefined members, so that optional fields are absent rather than
 * undefined. (Deleting them instead would turn the object into a slow dictionary in V8.)
 */
export function compact<T extends object>(o: T): T {
  const out: Partial<T> = {};
  for (const key in o) if (o[key] !== undefined) out[key] = o[key];
  return out as T;
}

const address = (el: LiteElement): ItkAddress =>
  Object.freeze(compact({ uri: el.attrs.get('uri') ?? '', type: el.attrs.get('type') }));

const manifestItem = (el: LiteElement): ManifestItem =>
  Object.freeze(
    compact({
      id: el.attrs.get('id') ?? '',
      mimeType: el.attrs.get('mimetype') ?? '',
      profileId: el.attrs.get('profileid'),
      base64: bool(el, 'base64'),
      compressed: bool(el, 'compressed'),
      encrypted: bool(el, 'encrypted'),
    }),
  );

const encodingOf = (item: ManifestItem | undefined): Payload['encoding'] =>
  item?.encrypted ? 'encrypted' : item?.compressed ? 'compressed' : item?.base64 ? 'base64' : 'xml';

/** What is left of the message's decoded-bytes budget (shared by its payloads, in order). */
interface Budget {
  readonly limit: number;
  left: number;
}

function readPayload(
  source: string,
  el: LiteElement,
  item: ManifestItem | undefined,
  options: ReadOptions,
  budget: Budget,
): { payload: Payload; body: PayloadBody } {
  const id = el.attrs.get('id') ?? '';
  const encoding = encodingOf(item);
  if (encoding === 'base64' || encoding === 'compressed') {
    if (budget.left < 0)
      return { payload: Object.freeze({ id, encoding }), body: { kind: 'undecoded' } };
    const decoded = decodePayload(el.text, encoding, budget.left, budget.limit);
    if (decoded.ok) budget.left -= decoded.bytes.length;
    else if (decoded.overBudget) budget.left = -1;
    // The decoded text is kept only where a caller asked for payload contents (tools, tests).
    const content =
      decoded.ok && options.payloadContent ? decoded.bytes.toString('utf8') : undefined;
    return {
      payload: Object.freeze(compact({ id, encoding, content })),
      body: { kind: 'decoded', decoded },
    };
  }
  const root = el.children[0];
  if (!root) {
    return {
      payload: Object.freeze({ id, encoding }),
      body: { kind: 'empty', text: el.text.trim() !== '' },
    };
  }
  const payload = compact({
    id,
    encoding,
    content: options.payloadContent ? standaloneXml(source, root) : undefined,
    rootNamespace: root.ns,
    rootName: root.name,
  });
  return {
    payload: Object.freeze(payload),
    body: { kind: 'element', element: root, elementCount: el.children.length },
  };
}

const at = (el: LiteElement, path: string): At => ({ line: el.line, path });
const indexed = (base: string, name: string, els: LiteElement[]) =>
  els.map((el, i) => at(el, `${base}/itk:${name}[${i + 1}]`));

/** Read the envelope whose light tree is `root` (source: the document text it was built from). */
export function readEnvelope(
  source: string,
  root: LiteElement,
  options: ReadOptions = {},
): ReadEnvelope {
  const rootPath = '/itk:DistributionEnvelope';
  const hPath = `${rootPath}/itk:header`;
  const header = childNamed(root, 'header', ITK_NS);
  const addressEls = childrenNamed(childNamed(header, 'addresslist', ITK_NS), 'address', ITK_NS);
  const identityEls = childrenNamed(childNamed(header, 'auditIdentity', ITK_NS), 'id', ITK_NS);
  const manifestEl = childNamed(header, 'manifest', ITK_NS);
  const itemEls = childrenNamed(manifestEl, 'manifestitem', ITK_NS);
  const senderEl = childNamed(header, 'senderAddress', ITK_NS);
  const handlingEl = childNamed(header, 'handlingSpecification', ITK_NS);
  const specEls = childrenNamed(handlingEl, 'spec', ITK_NS);
  const payloadsEl = childNamed(root, 'payloads', ITK_NS);
  const payloadEls = childrenNamed(payloadsEl, 'payload', ITK_NS);

  const manifest = itemEls.map(manifestItem);
  const byId = new Map(manifest.map((m) => [m.id, m]));
  const limit = options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;
  const budget: Budget = { limit, left: limit };
  const read = payloadEls.map((el, i) =>
    readPayload(source, el, byId.get(el.attrs.get('id') ?? '') ?? manifest[i], options, budget),
  );

  const envelope: Envelope = Object.freeze(
    compact({
      service: header?.attrs.get('service') ?? '',
      trackingId: header?.attrs.get('trackingid') ?? '',
      addresses: Object.freeze(addressEls.map(address)),
      auditIdentity: Object.freeze(identityEls.map(address)),
      manifest: Object.freeze(manifest),
      senderAddress: senderEl ? address(senderEl) : undefined,
      handlingSpecs: Object.freeze(
        specEls.map((el): HandlingSpec =>
          Object.freeze({ key: el.attrs.get('key') ?? '', value: el.attrs.get('value') ?? '' }),
        ),
      ),
      payloads: Object.freeze(read.map((r) => r.payload)),
    }),
  );
  return {
    envelope,
    manifestCount: manifestEl?.attrs.get('count'),
    payloadsCount: payloadsEl?.attrs.get('count'),
    at: compact({
      root: at(root, rootPath),
      header: header ? at(header, hPath) : undefined,
      addresses: indexed(`${hPath}/itk:addresslist`, 'address', addressEls),
      identities: indexed(`${hPath}/itk:auditIdentity`, 'id', identityEls),
      manifest: manifestEl ? at(manifestEl, `${hPath}/itk:manifest`) : undefined,
      manifestItems: indexed(`${hPath}/itk:manifest`, 'manifestitem', itemEls),
      sender: senderEl ? at(senderEl, `${hPath}/itk:senderAddress`) : undefined,
      handling: handlingEl ? at(handlingEl, `${hPath}/itk:handlingSpecification`) : undefined,
      specs: indexed(`${hPath}/itk:handlingSpecification`, 'spec', specEls),
      payloads: payloadsEl ? at(payloadsEl, `${rootPath}/itk:payloads`) : undefined,
      payloadItems: indexed(`${rootPath}/itk:payloads`, 'payload', payloadEls),
    }),
    payloadBodies: read.map((r) => r.body),
  };
}
