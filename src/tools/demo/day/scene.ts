/**
 * A scene of the demo's day: a clock time, the story told before it plays, what it sends, and
 * every message it must cause (deliveries, acknowledgements, answers, refusals).
 */
import type { CareSystem } from '../care-system.js';
import { CAST, type Role } from '../cast.js';
import type { Expected } from '../expectations.js';
import type { SentNote } from '../journal.js';
import type { PlanData } from '../plan-data.js';
import type { Arrival, ArrivalKind } from '../read-arrival.js';
import type { SceneClock } from '../scene-clock.js';

export interface DayContext {
  readonly systems: Readonly<Record<Role, CareSystem>>;
  readonly locator: string;
  readonly clock: SceneClock;
  /** Carried from scene to scene: the plan's id and the nurses' copy of version 1. */
  readonly state: { planId?: string; firstVersion?: PlanData };
}

export interface Scene {
  readonly time: string;
  /** Short, for the summary: "the GP creates the plan and pushes it to the team". */
  readonly title: string;
  /** Told before it plays. */
  readonly story: string;
  expect(): readonly Expected[];
  play(day: DayContext): Promise<void>;
}

/** The end point ids, by the part each plays. */
export const GP = CAST.gp.endpointId;
export const NURSES = CAST.community.endpointId;
export const HOSPICE = CAST.hospice.endpointId;
export const OOH = CAST.ooh.endpointId;

type Test = (a: Arrival, about: SentNote | undefined) => boolean;

/** Expect a message of `kind` from → to; `what` names it when it does not arrive. */
export const arrives = (
  from: string,
  to: string,
  kind: ArrivalKind,
  what: string,
  test?: Test,
): Expected => ({ from, to, kind, what, ...(test ? { test } : {}) });

/** An acknowledgement of the message the journal knows by `label`. */
export const acking =
  (label: string): Test =>
  (_, about) =>
    about?.label === label;

/** A notification of version `v` to the team: its three deliveries and their inf acks to the GP. */
export function pushed(v: number, event: string): Expected[] {
  const isIt: Test = (a) => a.plan?.version === v && a.facts?.event === event;
  const acked = acking(`notification v${v}`);
  return [
    arrives(GP, NURSES, 'CarePlanNotification', `version ${v}`, isIt),
    arrives(GP, HOSPICE, 'CarePlanNotification', `version ${v}`, isIt),
    arrives(GP, OOH, 'CarePlanNotification', `version ${v}, 111's copy`, isIt),
    arrives(NURSES, GP, 'inf-ack', `the inf ack of version ${v}`, acked),
    arrives(OOH, GP, 'inf-ack', `the inf ack of version ${v}`, acked),
    arrives('router', GP, 'inf-ack', `the inf ack of version ${v}, for the hospice`, acked),
  ];
}

/** The nurses' copy of the plan (as their system received it). */
export function nursesCopy(day: DayContext): PlanData {
  const copy = day.systems.community.plans.get(day.state.planId ?? '');
  if (!copy) throw new Error('the community nurses hold no copy of the plan');
  return copy;
}
