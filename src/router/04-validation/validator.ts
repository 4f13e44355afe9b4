/**
 * The five validation stages of docs/contract.md, in order, returning every finding.
 * A stage that makes the later ones meaningless stops the run: unsafe bytes, not well-formed,
 * not a Distribution Envelope. Otherwise all stages run, so one report says everything.
 */
import { ITK_NS } from '../03-envelope/itk-names.js';
import { readEnvelope } from '../03-envelope/read-envelope.js';
import { parseLite } from '../03-envelope/lite-xml.js';
import type { Envelope } from '../03-envelope/envelope.js';
import { NIL_TRACKING_ID, scanTrackingId } from '../03-envelope/scan-tracking-id.js';
import { CAREPLAN_BULK, type CarePlanFacts } from '../03-envelope/careplan-payload.js';
import { checkBusinessRules, type AckFacts } from './business-rules.js';
import { checkEnvelopeRules } from './envelope-rules.js';
import { finding, hasErrors } from './findings.js';
import type { Finding } from './finding.js';
import { checkPayloads } from './payload-stage.js';
import { checkSafety, DEFAULT_LIMITS, utf8Text, type SafetyLimits } from './safety.js';
import type { SchemaCatalogue } from './schema-catalogue.js';
import { schemaErrors, type SchemaPair } from './compiled-schema.js';
import { parseUntrusted, XmlLibError, type XmlDocument } from './xml-engine.js';
import { deSchemaFindings } from './xsd-findings.js';

export interface ValidatorOptions {
  readonly catalogue: SchemaCatalogue;
  /** The compiled DE schema (compiled once, see createValidator). */
  readonly envelopeSchema: SchemaPair;
  readonly limits?: SafetyLimits;
  readonly unknownPayloads?: 'pass' | 'refuse';
  readonly planTypes?: ReadonlySet<string>;
  /** Serialise XML payloads into the envelope model (off on the router's hot path). */
  readonly payloadContent?: boolean;
}

export interface ValidationResult {
  readonly valid: boolean;
  readonly findings: readonly Finding[];
  /** The envelope, when the message was a readable Distribution Envelope (even an invalid one). */
  readonly envelope?: Envelope;
  /**
   * The facts of the message's care-plan payload, when it has one and it passed its schema. A
   * message carries at most one (a second is refused, CP-ONE-PLAN-PAYLOAD), so these are the facts
   * of every plan in it: the care-plan step judges all there is.
   */
  readonly carePlan?: CarePlanFacts;
  /** The facts of an acknowledgement payload (inf ack or business ack) that passed its schema. */
  readonly ack?: AckFacts;
  /**
   * For a message refused in stage 1 or 2 (no envelope): its header's tracking id when a bounded
   * scan of its start can read it (scan-tracking-id.ts), else the nil UUID. What its nack names.
   */
  readonly unreadableTrackingId?: string;
}

const result = (
  findings: Finding[],
  more: {
    envelope?: Envelope;
    carePlan?: CarePlanFacts;
    ack?: AckFacts;
    unreadableTrackingId?: string;
  } = {},
): ValidationResult =>
  Object.freeze({ valid: !hasErrors(findings), findings: Object.freeze(findings), ...more });

export function validateMessage(bytes: Uint8Array, options: ValidatorOptions): ValidationResult {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const source = utf8Text(bytes);
  const safety = checkSafety(bytes, limits, source);
  if (safety.length > 0) return result(safety, { unreadableTrackingId: scanTrackingId(bytes) });

  let doc: XmlDocument;
  try {
    doc = parseUntrusted(bytes);
  } catch (err) {
    if (!(err instanceof XmlLibError)) throw err;
    const d = err.details.find((x) => x.level >= 2) ?? err.details[0];
    const detail = d ? `not well-formed XML: ${d.message.trim()}` : 'not well-formed XML';
    return result(
      [finding('1000', 'XML-WELLFORMED', detail, d ? { line: d.line, column: d.col } : {})],
      { unreadableTrackingId: scanTrackingId(bytes) },
    );
  }
  const owned: XmlDocument[] = [doc];
  try {
    const root = doc.root;
    if (root.name !== 'DistributionEnvelope' || root.namespaceUri !== ITK_NS) {
      const found = `{${root.namespaceUri}}${root.name}`;
      return result(
        [
          finding(
            'DE0001',
            'DE-ROOT',
            `the root element is ${found}, not {${ITK_NS}}DistributionEnvelope`,
            { line: root.line, path: '/' + root.name },
          ),
        ],
        { unreadableTrackingId: NIL_TRACKING_ID },
      );
    }
    const lite = parseLite(source, CAREPLAN_BULK);
    const findings = deSchemaFindings(schemaErrors(options.envelopeSchema, doc));
    const read = readEnvelope(source, lite, {
      payloadContent: options.payloadContent,
      maxDecodedBytes: limits.maxDecodedBytes ?? DEFAULT_LIMITS.maxDecodedBytes,
    });
    findings.push(...checkEnvelopeRules(read));
    const payloads = checkPayloads(doc, source, read, {
      catalogue: options.catalogue,
      unknownPayloads: options.unknownPayloads ?? 'pass',
      limits,
    });
    findings.push(...payloads.findings);
    const { findings: ruleFindings, ...facts } = checkBusinessRules(payloads.checked, {
      planTypes: options.planTypes,
    });
    findings.push(...ruleFindings);
    return result(findings, { envelope: read.envelope, ...facts });
  } finally {
    for (const d of owned) d.dispose();
  }
}
