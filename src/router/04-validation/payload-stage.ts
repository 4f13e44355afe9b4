/**
 * Stage 4: each payload against the schema the catalogue chooses for it. XML payloads are
 * validated in place (a subtree of the envelope document); decoded base64 / gzip payloads are
 * safety-checked and parsed as documents of their own. Encrypted payloads pass unvalidated.
 */
import type { Envelope, ManifestItem, Payload } from '../03-envelope/envelope.js';
import type { PayloadBody, ReadEnvelope } from '../03-envelope/read-envelope.js';
import { parseLite, type LiteElement } from '../03-envelope/lite-xml.js';
import { CAREPLAN_BULK } from '../03-envelope/careplan-payload.js';
import { CAREPLAN_NS, ITK_NS, SPEC_KEY } from '../03-envelope/itk-names.js';
import { finding, warning } from './findings.js';
import type { Finding } from './finding.js';
import { schemaErrors } from './compiled-schema.js';
import { checkSafety, utf8Text, type SafetyLimits } from './safety.js';
import type { CatalogueMatch, SchemaCatalogue } from './schema-catalogue.js';
import {
  childElements,
  firstChildElement,
  parseUntrusted,
  XmlLibError,
  type XmlDocument,
  type XmlElement,
} from './xml-engine.js';
import { payloadSchemaFindings } from './xsd-findings.js';

export interface PayloadStageOptions {
  readonly catalogue: SchemaCatalogue;
  readonly unknownPayloads: 'pass' | 'refuse';
  readonly limits: SafetyLimits;
}

/** A payload that passed its schema, with its root element, for the business rules. */
export interface CheckedPayload {
  readonly payload: Payload;
  readonly root: LiteElement;
  readonly part?: string;
}

/**
 * What to validate: the libxml2 element (for the XSD), its light twin (for the rules) and the
 * text the light twin's offsets point into.
 */
interface Target {
  readonly dom: XmlElement;
  readonly lite: LiteElement;
  readonly text: string;
  readonly part?: string;
  /** A decoded payload's own document: disposed as soon as its schema check is done. */
  readonly doc?: XmlDocument;
}

/** The root element of the envelope's payload number `index` (0-based) in the libxml2 tree. */
function domPayloadRoot(doc: XmlDocument, index: number): XmlElement | null {
  const [payloads] = childElements(doc.root, ITK_NS, 'payloads');
  const payload = payloads && childElements(payloads, ITK_NS, 'payload')[index];
  return payload ? firstChildElement(payload) : null;
}

const XML_MIME = /(^|\/|\+)xml$/i;

const interactionOf = (e: Envelope) =>
  e.handlingSpecs.find((s) => s.key === SPEC_KEY.interaction)?.value;

/**
 * Runs stage 4. A decoded payload's document lives only while its schema is checked: no decoded
 * copy is kept beyond the light tree the business rules read.
 */
export function checkPayloads(
  doc: XmlDocument,
  source: string,
  read: ReadEnvelope,
  options: PayloadStageOptions,
): { findings: Finding[]; checked: CheckedPayload[] } {
  const findings: Finding[] = [];
  const checked: CheckedPayload[] = [];
  const { envelope } = read;
  envelope.payloads.forEach((payload, i) => {
    if (payload.encoding === 'encrypted') return;
    const item = envelope.manifest.find((m) => m.id === payload.id) ?? envelope.manifest[i];
    const match = options.catalogue.lookup({
      profileId: item?.profileId,
      interaction: interactionOf(envelope),
      service: envelope.service,
      primary: i === 0,
    });
    const body = read.payloadBodies[i]!;
    const target = targetOf(
      doc,
      source,
      i,
      body,
      payload,
      options,
      findings,
      match !== undefined || XML_MIME.test(item?.mimeType ?? ''),
    );
    if (!target) return;
    try {
      check(target, match, payload, item, envelope, options, findings, checked);
    } finally {
      target.doc?.dispose();
    }
  });
  return { findings, checked };
}

function check(
  target: Target,
  match: CatalogueMatch | undefined,
  payload: Payload,
  item: ManifestItem | undefined,
  envelope: Envelope,
  options: PayloadStageOptions,
  findings: Finding[],
  checked: CheckedPayload[],
): void {
  if (!match) {
    const detail = `payload ${payload.id}: no schema in the catalogue for profile ${item?.profileId ?? '(none)'}, interaction ${interactionOf(envelope) ?? '(none)'}, service ${envelope.service}`;
    // A care-plan payload is never passed through unread: its rules would be skipped.
    const carePlan = target.lite.ns === CAREPLAN_NS;
    findings.push(
      options.unknownPayloads === 'refuse' || carePlan
        ? finding(
            '1000',
            'PAYLOAD-UNKNOWN',
            carePlan
              ? `${detail}; a payload in the care-plan namespace ${CAREPLAN_NS} must be one the catalogue names`
              : detail,
            {
              line: target.lite.line,
              part: target.part,
            },
          )
        : warning('1000', 'PAYLOAD-UNKNOWN', `${detail}; passed through unvalidated`, {
            line: target.lite.line,
            part: target.part,
          }),
    );
    return;
  }
  const rootProblem = checkRoot(target.lite, match);
  if (rootProblem) {
    findings.push(
      finding('1000', 'PAYLOAD-ROOT', `payload ${payload.id}: ${rootProblem}`, {
        line: target.lite.line,
        part: target.part,
      }),
    );
    return;
  }
  const errors = payloadSchemaFindings(schemaErrors(match, target.dom), payload.id, target.part);
  findings.push(...errors);
  if (errors.length === 0)
    checked.push({ payload, root: target.lite, ...(target.part ? { part: target.part } : {}) });
}

function checkRoot(root: LiteElement, match: CatalogueMatch): string | undefined {
  if (root.ns === match.namespace && match.roots.includes(root.name)) return undefined;
  const expected = match.roots.map((r) => `{${match.namespace}}${r}`).join(' or ');
  return `the payload root is {${root.ns}}${root.name} but schema ${match.schemaId} expects ${expected}`;
}

function targetOf(
  doc: XmlDocument,
  source: string,
  index: number,
  body: PayloadBody,
  payload: Payload,
  options: PayloadStageOptions,
  findings: Finding[],
  isXml: boolean,
): Target | undefined {
  if (body.kind === 'element') {
    const dom = domPayloadRoot(doc, index);
    return dom ? { dom, lite: body.element, text: source } : undefined;
  }
  if (body.kind !== 'decoded' || !body.decoded.ok) return undefined;
  const text = utf8Text(body.decoded.bytes);
  // A payload that names the care-plan namespace is read whatever its MIME type says.
  if (!isXml && !text.includes(CAREPLAN_NS)) return undefined;
  const part = `payload ${payload.id}`;
  const safety = checkSafety(body.decoded.bytes, options.limits, text);
  if (safety.length > 0) {
    findings.push(
      ...safety.map((f) =>
        finding('1000', f.rule, `${part}: ${f.detail}`, { ...f.location, part }),
      ),
    );
    return undefined;
  }
  try {
    const decodedDoc = parseUntrusted(body.decoded.bytes, part);
    return {
      dom: decodedDoc.root,
      lite: parseLite(text, CAREPLAN_BULK),
      text,
      part,
      doc: decodedDoc,
    };
  } catch (err) {
    if (!(err instanceof XmlLibError)) throw err;
    const d = err.details[0];
    findings.push(
      finding('1000', 'XML-WELLFORMED', `${part}: ${d?.message.trim() ?? err.message}`, {
        line: d?.line,
        column: d?.col,
        part,
      }),
    );
    return undefined;
  }
}
