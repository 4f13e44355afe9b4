/**
 * Seeds the simulator's plan store from a folder of plan files (`--plans <dir>`): each `*.xml` is
 * a CarePlanNotification Distribution Envelope (the plan, shared with its address list) or a bare
 * plan (`CarePlan`, `plan` or `proposedPlan` element in the care-plan namespace). Every file is
 * validated with the project's validator, a bare plan wrapped in a notification first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildSimpleMessage } from '../../router/03-envelope/build-envelope.js';
import {
  CAREPLAN_NS,
  carePlanProfile,
  carePlanService,
} from '../../router/03-envelope/itk-names.js';
import { parseLite, standaloneXml } from '../../router/03-envelope/lite-xml.js';
import type { Validator } from '../../router/04-validation/create-validator.js';
import type { ValidationResult } from '../../router/04-validation/validator.js';
import { carePlanElement, planXmlOf, renameRoot, textElement } from './plan-xml.js';
import { heldPlan, type HeldPlan } from './plan-store.js';
import { withPayloadContent } from './received.js';

export class PlanFileError extends Error {
  override readonly name = 'PlanFileError';
}

const BARE_ROOTS = new Set(['CarePlan', 'plan', 'proposedPlan']);
const SEED_ADDRESS = 'urn:nhs-uk:addressing:ods:SIMULATOR:SEED';

const firstError = (v: ValidationResult) => {
  const f = v.findings.find((x) => x.severity === 'error');
  return f
    ? `${f.code} ${f.rule}: ${f.detail}${f.location.line ? ` (line ${f.location.line})` : ''}`
    : '';
};

/** A bare plan's element as a standalone `plan` in the care-plan namespace. */
function barePlanXml(source: string, file: string): string {
  const root = parseLite(source);
  if (!BARE_ROOTS.has(root.name) || (root.ns !== CAREPLAN_NS && root.ns !== '')) {
    throw new PlanFileError(
      `${file}: the root element is {${root.ns}}${root.name}, not a Distribution Envelope nor a CarePlan`,
    );
  }
  let xml = standaloneXml(source, root);
  if (root.ns === '') xml = xml.replace(/^<([\w.-]+)/, `<$1 xmlns="${CAREPLAN_NS}"`);
  return renameRoot(xml, 'plan');
}

/** The plan a seed file holds. */
export function readPlanFile(file: string, validator: Validator): HeldPlan {
  const bytes = fs.readFileSync(file);
  let v = validator.validate(bytes);
  let envelope = v.envelope && withPayloadContent(bytes, v.envelope);
  let sharedWith: string[] = [];
  if (envelope) {
    if (!v.valid) throw new PlanFileError(`${file}: invalid: ${firstError(v)}`);
    if (v.carePlan?.message !== 'CarePlanNotification')
      throw new PlanFileError(`${file}: not a CarePlanNotification`);
    sharedWith = envelope.addresses.map((a) => a.uri);
  } else {
    // Not a DE: well-formed and safe only if the validator stopped at the root-element check.
    if (v.findings[0]?.rule !== 'DE-ROOT') throw new PlanFileError(`${file}: ${firstError(v)}`);
    const plan = barePlanXml(bytes.toString('utf8'), file);
    const wrapped = buildSimpleMessage({
      service: carePlanService('CarePlanNotification'),
      from: { address: SEED_ADDRESS, identity: 'urn:nhs-uk:identity:ods:SIMULATOR' },
      to: { uri: SEED_ADDRESS },
      profileId: carePlanProfile('CarePlanNotification'),
      payload: carePlanElement('CarePlanNotification', textElement('event', 'created') + plan),
    });
    const wrappedBytes = Buffer.from(wrapped.xml, 'utf8');
    v = validator.validate(wrappedBytes);
    if (!v.valid || !v.envelope) throw new PlanFileError(`${file}: invalid plan: ${firstError(v)}`);
    envelope = withPayloadContent(wrappedBytes, v.envelope);
  }
  const xml = planXmlOf(envelope);
  if (!v.carePlan?.plan || !xml) throw new PlanFileError(`${file}: no plan found`);
  return heldPlan(v.carePlan.plan, xml, sharedWith);
}

/** Every `*.xml` plan file of `dir`, in file-name order; a later version of a plan wins. */
export function loadPlans(dir: string, validator: Validator): HeldPlan[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.xml'));
  } catch (err) {
    throw new PlanFileError(`cannot read the plans folder ${dir}: ${(err as Error).message}`);
  }
  const plans = new Map<string, HeldPlan>();
  for (const name of names.sort()) {
    const plan = readPlanFile(path.join(dir, name), validator);
    const held = plans.get(plan.planId);
    if (!held || held.version < plan.version) plans.set(plan.planId, plan);
  }
  return [...plans.values()];
}
