/**
 * A whole care plan (`CarePlan` in schemas/careplan/careplan-v1.xsd) as the simulated systems
 * hold it: written into payloads, and read back from the plans they receive.
 */
import type { create } from 'xmlbuilder2';
import { CAREPLAN_NS } from '../../router/03-envelope/itk-names.js';
import { childNamed, childrenNamed, type LiteElement } from '../../router/03-envelope/lite-xml.js';
import type { Person } from './cast.js';

/** An element being built (xmlbuilder2 does not export the type from its root). */
export type XmlNode = ReturnType<typeof create>;

export interface Activity {
  readonly description: string;
  readonly responsible?: string;
  readonly due?: string;
  readonly status: string;
}

export interface PlanData {
  readonly planId: string;
  readonly version: number;
  readonly planType: string;
  readonly status: string;
  readonly title: string;
  readonly patient: {
    readonly nhsNumber: string;
    readonly name: string;
    readonly birthDate: string;
  };
  readonly owner: string;
  readonly careTeam: readonly Person[];
  readonly goals: readonly string[];
  readonly activities: readonly Activity[];
  readonly reviewDate?: string;
  readonly consentToShare: boolean;
  readonly lastUpdated: string;
  readonly author?: Person;
}

function writePerson(parent: XmlNode, name: string, p: Person): void {
  const el = parent.ele(name);
  el.ele('name').txt(p.name);
  el.ele('role').txt(p.role);
  if (p.organisation) el.ele('organisation').txt(p.organisation);
}

/** Appends the plan as element `name` (`plan` or `proposedPlan`) of the payload namespace. */
export function writePlan(parent: XmlNode, name: string, plan: PlanData): void {
  const el = parent.ele(name);
  el.ele('planId').txt(plan.planId);
  el.ele('version').txt(String(plan.version));
  el.ele('planType').txt(plan.planType);
  el.ele('status').txt(plan.status);
  el.ele('title').txt(plan.title);
  const patient = el.ele('patient');
  patient.ele('nhsNumber').txt(plan.patient.nhsNumber);
  patient.ele('name').txt(plan.patient.name);
  patient.ele('birthDate').txt(plan.patient.birthDate);
  el.ele('owner').txt(plan.owner);
  if (plan.careTeam.length > 0) {
    const team = el.ele('careTeam');
    for (const m of plan.careTeam) writePerson(team, 'member', m);
  }
  if (plan.goals.length > 0) {
    const goals = el.ele('goals');
    for (const g of plan.goals) goals.ele('goal').txt(g);
  }
  if (plan.activities.length > 0) {
    const activities = el.ele('activities');
    for (const a of plan.activities) {
      const act = activities.ele('activity');
      act.ele('description').txt(a.description);
      if (a.responsible) act.ele('responsible').txt(a.responsible);
      if (a.due) act.ele('due').txt(a.due);
      act.ele('status').txt(a.status);
    }
  }
  if (plan.reviewDate) el.ele('reviewDate').txt(plan.reviewDate);
  el.ele('consentToShare').txt(String(plan.consentToShare));
  el.ele('lastUpdated').txt(plan.lastUpdated);
  if (plan.author) writePerson(el, 'author', plan.author);
}

const text = (el: LiteElement | undefined, name: string): string | undefined =>
  childNamed(el, name, CAREPLAN_NS)?.text.trim();

function readPerson(el: LiteElement): Person {
  const organisation = text(el, 'organisation');
  return {
    name: text(el, 'name') ?? '',
    role: text(el, 'role') ?? '',
    ...(organisation ? { organisation } : {}),
  };
}

/** Reads a schema-valid `plan` / `proposedPlan` element. */
export function readPlan(el: LiteElement): PlanData {
  const patient = childNamed(el, 'patient', CAREPLAN_NS);
  const list = (parent: string, child: string) =>
    childrenNamed(childNamed(el, parent, CAREPLAN_NS), child, CAREPLAN_NS);
  const author = childNamed(el, 'author', CAREPLAN_NS);
  const reviewDate = text(el, 'reviewDate');
  return {
    planId: text(el, 'planId') ?? '',
    version: Number(text(el, 'version') ?? 0),
    planType: text(el, 'planType') ?? '',
    status: text(el, 'status') ?? '',
    title: text(el, 'title') ?? '',
    patient: {
      nhsNumber: text(patient, 'nhsNumber') ?? '',
      name: text(patient, 'name') ?? '',
      birthDate: text(patient, 'birthDate') ?? '',
    },
    owner: text(el, 'owner') ?? '',
    careTeam: list('careTeam', 'member').map(readPerson),
    goals: list('goals', 'goal').map((g) => g.text.trim()),
    activities: list('activities', 'activity').map((a) => {
      const responsible = text(a, 'responsible');
      const due = text(a, 'due');
      return {
        description: text(a, 'description') ?? '',
        status: text(a, 'status') ?? '',
        ...(responsible ? { responsible } : {}),
        ...(due ? { due } : {}),
      };
    }),
    ...(reviewDate ? { reviewDate } : {}),
    consentToShare: ['true', '1'].includes(text(el, 'consentToShare') ?? ''),
    lastUpdated: text(el, 'lastUpdated') ?? '',
    ...(author ? { author: readPerson(author) } : {}),
  };
}
