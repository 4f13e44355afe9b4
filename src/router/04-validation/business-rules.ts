/**
 * Stage 5: business rules of the care-plan payloads and the acknowledgement payloads, on payloads
 * that passed their schema. Pure over the payload element; findings carry the element's line.
 */
import { CAREPLAN_NS, HL7_NS, ITK_NS } from '../03-envelope/itk-names.js';
import { readCarePlanFacts, type CarePlanFacts } from '../03-envelope/careplan-payload.js';
import { childNamed, type LiteElement } from '../03-envelope/lite-xml.js';
import { finding, warning } from './findings.js';
import type { Finding } from './finding.js';
import { isValidNhsNumber } from './nhs-number.js';
import type { CheckedPayload } from './payload-stage.js';

/** What the router needs of an acknowledgement payload to correlate it with the original. */
export type AckFacts =
  | {
      readonly kind: 'inf';
      readonly result: string;
      readonly trackingIdRef: string;
      readonly codes: readonly string[];
    }
  | { readonly kind: 'bus'; readonly typeCode: string; readonly originalTrackingId: string };

function readAckFacts(root: LiteElement): AckFacts | undefined {
  if (root.ns === ITK_NS && root.name === 'InfrastructureResponse') {
    const errors = childNamed(root, 'errors', ITK_NS)?.children ?? [];
    const codes = errors
      .map((e) => childNamed(e, 'ErrorCode', ITK_NS)?.text.trim() ?? '')
      .filter(Boolean);
    return {
      kind: 'inf',
      result: root.attrs.get('result') ?? '',
      trackingIdRef: root.attrs.get('trackingIdRef') ?? '',
      codes,
    };
  }
  if (root.ns === HL7_NS && root.name === 'BusinessResponseMessage') {
    const ack = childNamed(root, 'acknowledgedBy3', HL7_NS);
    const id = childNamed(childNamed(ack, 'conveyingTransmission', HL7_NS), 'id', HL7_NS);
    return {
      kind: 'bus',
      typeCode: ack?.attrs.get('typeCode') ?? '',
      originalTrackingId: id?.attrs.get('root') ?? '',
    };
  }
  return undefined;
}

export interface BusinessRuleOptions {
  /** Configured plan types; when absent, plan types are not checked. */
  readonly planTypes?: ReadonlySet<string>;
}

const UUID_UPPER = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const CHECKED = new Set([
  'nhsNumber',
  'planId',
  'inResponseTo',
  'planType',
  'version',
  'baseVersion',
]);

/** Every element below `el`, in document order. */
function descendants(el: LiteElement, out: LiteElement[] = []): LiteElement[] {
  for (const c of el.children) {
    out.push(c);
    descendants(c, out);
  }
  return out;
}

function carePlanRules(
  root: LiteElement,
  facts: CarePlanFacts,
  options: BusinessRuleOptions,
  id: string,
  part?: string,
): Finding[] {
  const out: Finding[] = [];
  const at = (el: LiteElement) => ({ line: el.line, part });
  const bad = (rule: string, detail: string, el: LiteElement) =>
    out.push(finding('1000', rule, `payload ${id}: ${detail}`, at(el)));
  for (const el of descendants(root)) {
    if (el.ns !== CAREPLAN_NS || !CHECKED.has(el.name)) continue;
    const value = el.text.trim();
    if (el.name === 'nhsNumber' && !isValidNhsNumber(value)) {
      bad('CP-NHS-NUMBER', `NHS number ${value} fails the modulus-11 check digit`, el);
    } else if ((el.name === 'planId' || el.name === 'inResponseTo') && !UUID_UPPER.test(value)) {
      bad('CP-UUID-CASE', `${el.name} ${value} must be an upper-case UUID`, el);
    } else if ((el.name === 'version' || el.name === 'baseVersion') && !(Number(value) >= 1)) {
      bad('CP-VERSION', `${el.name} ${value} must be 1 or more`, el);
    } else if (el.name === 'planType' && options.planTypes && !options.planTypes.has(value)) {
      bad(
        'CP-PLAN-TYPE',
        `plan type ${value} is not one of the configured plan types (${[...options.planTypes].join(', ')})`,
        el,
      );
    }
  }
  if (facts.message === 'CarePlanResponse') {
    if (facts.outcome === 'found' && !facts.plan)
      bad('CP-RESPONSE-PLAN', 'outcome found must carry the plan', root);
    if (facts.outcome !== 'found' && facts.plan)
      bad('CP-RESPONSE-PLAN', `outcome ${facts.outcome} must not carry a plan`, root);
  }
  if (facts.message === 'CarePlanUpdate' && facts.plan) {
    if (facts.plan.planId !== facts.planId) {
      bad(
        'CP-UPDATE-CONSISTENT',
        `the proposed plan's id ${facts.plan.planId} is not the update's plan id ${facts.planId}`,
        root,
      );
    }
    if (facts.baseVersion !== undefined && facts.plan.version !== facts.baseVersion + 1) {
      bad(
        'CP-UPDATE-CONSISTENT',
        `the proposed plan's version is ${facts.plan.version}; an update on version ${facts.baseVersion} proposes version ${facts.baseVersion + 1}`,
        root,
      );
    }
  }
  return out;
}

const DE_CODE = /^DE00(0[1-9]|1[0-2])$/;
const DE_CODE_SYSTEM = '2.16.840.1.113883.2.1.3.2.4.17.516';

/**
 * What TKW's ITK 2.2 ack rules want of a received inf ack beyond the official schema (TKW-x
 * ITKServiceAcknowledgements.conf lines 39-147), and the official schema's `errors` the contract
 * lets a positive ack leave out: warnings only. An ack that can be correlated must be delivered.
 */
function infAckWarnings(root: LiteElement, id: string, part?: string): Finding[] {
  const out: Finding[] = [];
  const errors = childNamed(root, 'errors', ITK_NS);
  if (!errors) {
    out.push(
      warning(
        '1000',
        'ACK-INF-ERRORS-ABSENT',
        `payload ${id}: no errors element (the official schema requires one, empty for OK)`,
        {
          line: root.line,
          part,
        },
      ),
    );
  }
  if (root.attrs.get('result') !== 'Failure') return out;
  for (const info of errors?.children ?? []) {
    const at = { line: info.line, part };
    const errorId = childNamed(info, 'ErrorID', ITK_NS)?.text.trim() ?? '';
    if (!UUID_UPPER.test(errorId))
      out.push(
        warning(
          '1000',
          'ACK-INF-ERROR-ID',
          `payload ${id}: ErrorID "${errorId}" is not an upper-case UUID (TKW)`,
          at,
        ),
      );
    const code = childNamed(info, 'ErrorCode', ITK_NS);
    const system = code?.attrs.get('codeSystem');
    if (!DE_CODE.test(code?.text.trim() ?? '') || system !== DE_CODE_SYSTEM)
      out.push(
        warning(
          '1000',
          'ACK-INF-DE-CODE',
          `payload ${id}: ErrorCode "${code?.text.trim() ?? ''}" (code system ${system ?? 'absent'}) is not DE0001-DE0012 in ${DE_CODE_SYSTEM} (TKW)`,
          at,
        ),
      );
  }
  return out;
}

function ackRules(root: LiteElement, id: string, part?: string): Finding[] {
  const at = { line: root.line, part };
  if (root.ns === ITK_NS && root.name === 'InfrastructureResponse') {
    const errors = childNamed(root, 'errors', ITK_NS);
    const out = infAckWarnings(root, id, part);
    if (root.attrs.get('result') === 'Failure' && !childNamed(errors, 'errorInfo', ITK_NS)) {
      out.push(
        finding(
          '1000',
          'ACK-INF-ERRORS',
          `payload ${id}: a Failure response must carry at least one errorInfo`,
          at,
        ),
      );
    }
    return out;
  }
  if (root.ns === HL7_NS && root.name === 'BusinessResponseMessage') {
    const ack = childNamed(root, 'acknowledgedBy3', HL7_NS);
    const out: Finding[] = [];
    const typeCode = ack?.attrs.get('typeCode');
    if (!typeCode || !['AA', 'AE', 'AR'].includes(typeCode)) {
      out.push(
        finding(
          '1000',
          'ACK-BUS-TYPECODE',
          `payload ${id}: acknowledgedBy3/@typeCode must be AA, AE or AR (found ${typeCode ?? 'none'})`,
          { line: ack?.line ?? root.line, part },
        ),
      );
    }
    const idEl = childNamed(childNamed(ack, 'conveyingTransmission', HL7_NS), 'id', HL7_NS);
    if (!idEl?.attrs.get('root')) {
      out.push(
        finding(
          '1000',
          'ACK-BUS-CONVEYING',
          `payload ${id}: acknowledgedBy3/conveyingTransmission/id/@root (the original tracking id) is missing`,
          { line: ack?.line ?? root.line, part },
        ),
      );
    }
    return out;
  }
  return [];
}

/**
 * Stage 5 over every schema-valid payload; returns findings, the message's care-plan facts and
 * its acknowledgement facts. A message carries at most one care-plan payload (docs/decisions.md,
 * "One care-plan payload per message"): a second one is refused, so the facts returned are those
 * of the only care-plan payload, and no care-plan rule can be skipped for a plan the pipeline
 * never sees.
 */
export function checkBusinessRules(
  checked: readonly CheckedPayload[],
  options: BusinessRuleOptions,
): { findings: Finding[]; carePlan?: CarePlanFacts; ack?: AckFacts } {
  const findings: Finding[] = [];
  let carePlan: CarePlanFacts | undefined;
  let carePlans = 0;
  let ack: AckFacts | undefined;
  for (const { payload, root, part } of checked) {
    const facts = readCarePlanFacts(root);
    if (facts) {
      if (++carePlans === 2) {
        findings.push(
          finding(
            '1000',
            'CP-ONE-PLAN-PAYLOAD',
            `payload ${payload.id}: a second care-plan payload; a message carries at most one (send one message per plan)`,
            { line: root.line, part },
          ),
        );
      }
      carePlan ??= facts;
      findings.push(...carePlanRules(root, facts, options, payload.id, part));
    } else {
      ack ??= readAckFacts(root);
      findings.push(...ackRules(root, payload.id, part));
    }
  }
  const one = carePlan && carePlans === 1 ? { carePlan } : {};
  return { findings, ...one, ...(ack ? { ack } : {}) };
}
