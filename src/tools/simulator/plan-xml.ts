/**
 * The XML of one care plan as the simulator keeps and sends it: a standalone `plan` element in the
 * care-plan namespace, cut from a payload it received (or a seed file) that libxml2 has already
 * parsed and validated. Only ever applied to such text: lite-xml trusts well-formedness.
 */
import type { Envelope } from '../../router/03-envelope/envelope.js';
import { CAREPLAN_NS } from '../../router/03-envelope/itk-names.js';
import { childNamed, parseLite, standaloneXml } from '../../router/03-envelope/lite-xml.js';

const ROOT_NAME = /^<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/;

/** The element's start tag's qualified name, e.g. `cp:plan`. */
const qnameOf = (xml: string): string => {
  const m = ROOT_NAME.exec(xml);
  if (!m) throw new Error('plan-xml: not an element');
  return `${m[1] ?? ''}${m[2]}`;
};

/** The standalone element `xml` (no declaration) with its root renamed to `local`, prefix kept. */
export function renameRoot(xml: string, local: string): string {
  const qname = qnameOf(xml);
  const prefix = qname.includes(':') ? qname.slice(0, qname.indexOf(':') + 1) : '';
  const renamed = `${prefix}${local}`;
  const head = `<${renamed}${xml.slice(qname.length + 1)}`;
  const end = `</${qname}>`;
  const trimmed = head.trimEnd();
  return trimmed.endsWith(end) ? `${trimmed.slice(0, -end.length)}</${renamed}>` : trimmed; // self-closing: nothing more to rename
}

/** The `plan` (or an update's `proposedPlan`) of a care-plan payload, as a standalone `plan` element. */
export function planXmlOf(envelope: Envelope): string | undefined {
  for (const p of envelope.payloads) {
    if (p.content === undefined || p.encoding === 'encrypted') continue;
    const root = parseLite(p.content);
    if (root.ns !== CAREPLAN_NS) continue;
    const el =
      childNamed(root, 'plan', CAREPLAN_NS) ?? childNamed(root, 'proposedPlan', CAREPLAN_NS);
    return el ? renameRoot(standaloneXml(p.content, el), 'plan') : undefined;
  }
  return undefined;
}

/** `planXml` with its `version` element set to `version`. */
export function withVersion(planXml: string, version: number): string {
  const el = childNamed(parseLite(planXml), 'version', CAREPLAN_NS);
  if (!el) throw new Error('plan-xml: the plan has no version element');
  const element = planXml.slice(el.start, el.end);
  const startTag = element.slice(0, element.indexOf('>') + 1);
  const replaced = `${startTag}${version}</${qnameOf(element)}>`;
  return planXml.slice(0, el.start) + replaced + planXml.slice(el.end);
}

/** A payload element in the care-plan namespace, from its name and inner XML. */
export const carePlanElement = (name: string, inner: string): string =>
  `<${name} xmlns="${CAREPLAN_NS}">${inner}</${name}>`;

const escapeText = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `<name>text</name>`, text escaped (the element inherits the care-plan namespace). */
export const textElement = (name: string, text: string): string =>
  `<${name}>${escapeText(text)}</${name}>`;
