/**
 * The facts of a care-plan payload (namespace urn:itk-router:careplan:v1) that the router acts
 * on, read from a schema-valid payload element. The XSD (schemas/careplan/careplan-v1.xsd) is the
 * definitive form; this reads only what routing, the index and the business rules need.
 */
import { childNamed, type LiteElement, type OpaqueElements } from './lite-xml.js';
import { compact } from './read-envelope.js';
import { CAREPLAN_MESSAGES, CAREPLAN_NS, type CarePlanMessageName } from './itk-names.js';

/** One `plan` (or `proposedPlan`, or a locate-response `entry`). */
export interface CarePlanSummary {
  readonly planId: string;
  readonly version: number;
  readonly planType: string;
  readonly status: string;
  readonly title: string;
  readonly owner: string;
  readonly nhsNumber?: string;
  readonly consentToShare: boolean;
  readonly lastUpdated: string;
}

export interface CarePlanFacts {
  readonly message: CarePlanMessageName;
  /** Notification event. */
  readonly event?: string;
  /** The plan of a notification or response, the proposed plan of an update. */
  readonly plan?: CarePlanSummary;
  /** Request / update / (from the plan) the plan id. */
  readonly planId?: string;
  readonly nhsNumber?: string;
  readonly planType?: string;
  readonly baseVersion?: number;
  readonly inResponseTo?: string;
  readonly outcome?: string;
  readonly entries: readonly CarePlanSummary[];
}

/**
 * The bulk of a plan that the router never reads: the care team, goals and activities. The facts
 * below and the business rules (nhsNumber, planId, version, …) all lie outside them (the schema
 * puts none inside), so the validator's light tree steps over them (lite-xml.ts `opaque`).
 */
export const CAREPLAN_BULK: OpaqueElements = Object.freeze({
  ns: CAREPLAN_NS,
  names: new Set(['careTeam', 'goals', 'activities']),
});

const text = (el: LiteElement | undefined, name: string) =>
  childNamed(el, name, CAREPLAN_NS)?.text.trim();

function summary(el: LiteElement): CarePlanSummary {
  const nhsNumber = text(childNamed(el, 'patient', CAREPLAN_NS), 'nhsNumber');
  const base = {
    planId: text(el, 'planId') ?? '',
    version: Number(text(el, 'version') ?? 0),
    planType: text(el, 'planType') ?? '',
    status: text(el, 'status') ?? '',
    title: text(el, 'title') ?? '',
    owner: text(el, 'owner') ?? '',
    consentToShare: ['true', '1'].includes(text(el, 'consentToShare') ?? ''),
    lastUpdated: text(el, 'lastUpdated') ?? '',
  };
  return Object.freeze(nhsNumber === undefined ? base : { ...base, nhsNumber });
}

const isMessage = (name: string): name is CarePlanMessageName =>
  (CAREPLAN_MESSAGES as readonly string[]).includes(name);

/** Facts of a care-plan payload root, or undefined when it is not one. */
export function readCarePlanFacts(root: LiteElement): CarePlanFacts | undefined {
  if (root.ns !== CAREPLAN_NS || !isMessage(root.name)) return undefined;
  const planEl =
    childNamed(root, 'plan', CAREPLAN_NS) ?? childNamed(root, 'proposedPlan', CAREPLAN_NS);
  const plan = planEl ? summary(planEl) : undefined;
  const entries = root.children
    .filter((c) => c.name === 'entry' && c.ns === CAREPLAN_NS)
    .map(summary);
  const baseVersion = text(root, 'baseVersion');
  return Object.freeze(
    compact({
      message: root.name,
      event: text(root, 'event'),
      plan,
      planId: text(root, 'planId') ?? plan?.planId,
      nhsNumber: text(root, 'nhsNumber') ?? plan?.nhsNumber,
      planType: text(root, 'planType') ?? plan?.planType,
      baseVersion: baseVersion === undefined ? undefined : Number(baseVersion),
      inResponseTo: text(root, 'inResponseTo'),
      outcome: text(root, 'outcome'),
      entries: Object.freeze(entries),
    }),
  );
}
