/**
 * Builds Distribution Envelope XML from the model with xmlbuilder2. XML and encrypted payloads
 * are inserted verbatim (their standalone text), so parse(build(x)) gives x back.
 */
import { randomUUID } from 'node:crypto';
import { create } from 'xmlbuilder2';
import type { Envelope, ItkAddress } from './envelope.js';
import { ITK_NS } from './itk-names.js';
import { encodePayload } from './payload-codec.js';

/** A new ITK id: an upper-case UUID (tracking ids, error ids). */
export const newItkId = (): string => randomUUID().toUpperCase();
/** A new manifest / payload id: `uuid_` + upper-case UUID. */
export const newPayloadId = (): string => `uuid_${newItkId()}`;

const withType = (a: ItkAddress) => (a.type ? { uri: a.uri, type: a.type } : { uri: a.uri });

export function buildEnvelope(envelope: Envelope): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const root = doc.ele(ITK_NS, 'itk:DistributionEnvelope');
  const header = root.ele(ITK_NS, 'itk:header', {
    service: envelope.service,
    trackingid: envelope.trackingId,
  });
  if (envelope.addresses.length > 0) {
    const list = header.ele(ITK_NS, 'itk:addresslist');
    for (const a of envelope.addresses) list.ele(ITK_NS, 'itk:address', withType(a));
  }
  if (envelope.auditIdentity.length > 0) {
    const audit = header.ele(ITK_NS, 'itk:auditIdentity');
    for (const id of envelope.auditIdentity) audit.ele(ITK_NS, 'itk:id', withType(id));
  }
  const manifest = header.ele(ITK_NS, 'itk:manifest', { count: String(envelope.manifest.length) });
  for (const m of envelope.manifest) {
    const attrs: Record<string, string> = { id: m.id, mimetype: m.mimeType };
    if (m.profileId) attrs.profileid = m.profileId;
    if (m.base64) attrs.base64 = 'true';
    if (m.compressed) attrs.compressed = 'true';
    if (m.encrypted) attrs.encrypted = 'true';
    manifest.ele(ITK_NS, 'itk:manifestitem', attrs);
  }
  if (envelope.senderAddress)
    header.ele(ITK_NS, 'itk:senderAddress', withType(envelope.senderAddress));
  if (envelope.handlingSpecs.length > 0) {
    const handling = header.ele(ITK_NS, 'itk:handlingSpecification');
    for (const s of envelope.handlingSpecs)
      handling.ele(ITK_NS, 'itk:spec', { key: s.key, value: s.value });
  }
  const payloads = root.ele(ITK_NS, 'itk:payloads', { count: String(envelope.payloads.length) });
  const verbatim: string[] = [];
  for (const p of envelope.payloads) {
    const el = payloads.ele(ITK_NS, 'itk:payload', { id: p.id });
    if (p.content === undefined) continue;
    if (p.encoding === 'base64' || p.encoding === 'compressed')
      el.txt(encodePayload(p.content, p.encoding));
    else {
      el.txt(`[[itk-router-payload-${verbatim.length}]]`);
      verbatim.push(p.content);
    }
  }
  const xml = doc.end({ prettyPrint: true });
  return xml.replace(/\[\[itk-router-payload-(\d+)\]\]/g, (_, i: string) => verbatim[Number(i)]!);
}

/** What a one-payload message the router or a simulator sends needs to say. */
export interface SimpleMessage {
  readonly service: string;
  readonly to?: ItkAddress;
  readonly from: { readonly address: string; readonly identity: string };
  /** The payload: one XML element, as text. */
  readonly payload: string;
  readonly profileId?: string;
  readonly handlingSpecs?: readonly { readonly key: string; readonly value: string }[];
  readonly trackingId?: string;
}

/** A Distribution Envelope carrying one XML payload, with a new tracking id and payload id. */
export function buildSimpleMessage(m: SimpleMessage): {
  trackingId: string;
  envelope: Envelope;
  xml: string;
} {
  const payloadId = newPayloadId();
  const trackingId = m.trackingId ?? newItkId();
  const envelope: Envelope = {
    service: m.service,
    trackingId,
    addresses: m.to ? [m.to] : [],
    auditIdentity: [{ uri: m.from.identity }],
    manifest: [
      {
        id: payloadId,
        mimeType: 'text/xml',
        ...(m.profileId ? { profileId: m.profileId } : {}),
        base64: false,
        compressed: false,
        encrypted: false,
      },
    ],
    senderAddress: { uri: m.from.address },
    handlingSpecs: m.handlingSpecs ?? [],
    payloads: [{ id: payloadId, encoding: 'xml', content: m.payload }],
  };
  return { trackingId, envelope, xml: buildEnvelope(envelope) };
}
