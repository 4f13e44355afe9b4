/**
 * What a run found, as plain data: the evidence the reports (JUnit, HTML, JSON) are written from.
 * Every case keeps the messages exchanged, the steps with their timings and, for a failure, the
 * requirement it broke, the conditions and the offending message.
 */
import type { CheckResult } from './checks.js';
import type { RunEnvironment } from './environment.js';
import type { Origin, PackTarget, Requirement, Step } from './model.js';

export type CaseStatus = 'passed' | 'failed' | 'skipped' | 'error';
export type StepStatus = 'passed' | 'failed' | 'skipped' | 'not-run';

/** One message the harness sent or received during a case. */
export interface Exchanged {
  /** Order within the case, from 1. */
  readonly n: number;
  readonly direction: 'sent' | 'received';
  /** Milliseconds since the case started. */
  readonly atMs: number;
  /** ISO time. */
  readonly time: string;
  /** Sent: the end point the harness sent as (or `$ops`). Received: where it arrived (or `quarantine`). */
  readonly endpoint: string;
  /** The pack's role for that end point, if it has one. */
  readonly role?: string;
  readonly queue?: string;
  /** Sent: the broker user it was published as, and whether user_id was set. */
  readonly brokerUser?: string;
  readonly userIdSet?: boolean;
  /** The body as text (UTF-8; invalid bytes shown as U+FFFD). */
  readonly body: string;
  readonly bytes: number;
  readonly properties: Readonly<Record<string, string | number>>;
  readonly headers: Readonly<Record<string, string>>;
  /** What it is, in plain English, with its tracking id. */
  readonly summary: string;
  readonly trackingId?: string;
  /** The project's validator on it: valid, or its first errors. */
  readonly valid: boolean;
  readonly problems: readonly string[];
  /** The step that sent it, or that it matched. */
  readonly step?: number;
  /** The message a failed step shows as the cause. */
  readonly offending?: boolean;
}

export interface StepRecord {
  /** From 1, in the case's order. */
  readonly index: number;
  readonly kind: Step['kind'];
  /** The step in words, placeholders expanded where they could be. */
  readonly title: string;
  readonly requirement?: string;
  readonly note?: string;
  readonly status: StepStatus;
  /** Milliseconds since the case started. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly detail?: string;
  /** The conditions, as evaluated on the matched message (or the closest one, on a failure). */
  readonly checks?: readonly CheckResult[];
  /** `Exchanged.n` of the messages this step sent or matched. */
  readonly messages: readonly number[];
  readonly origin: Origin;
}

/** Exactly what broke. */
export interface Failure {
  readonly requirement: Requirement;
  /** `StepRecord.index`. */
  readonly step: number;
  readonly stepTitle: string;
  readonly summary: string;
  readonly checks: readonly CheckResult[];
  /** `Exchanged.n` of the offending message, when there is one. */
  readonly offending?: number;
}

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly Requirement[];
  readonly status: CaseStatus;
  /** Why it was skipped, or the error that stopped it. */
  readonly reason?: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly steps: readonly StepRecord[];
  readonly messages: readonly Exchanged[];
  readonly failure?: Failure;
  readonly origin: Origin;
}

export interface RoleBinding {
  readonly role: string;
  readonly endpoint: string;
  readonly name: string;
  readonly address: string;
  readonly brokerUser: string;
  readonly acks: 'endpoint' | 'router';
}

export interface PackRun {
  readonly pack: {
    readonly name: string;
    readonly title: string;
    readonly description: string;
    readonly target: PackTarget;
    readonly dir: string;
    readonly requirements: readonly Requirement[];
  };
  /** e.g. `supplier-careplans (supplier: riverside-gp)`. */
  readonly label: string;
  readonly roles: readonly RoleBinding[];
  /** The end point under test, for a supplier pack. */
  readonly underTest?: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly setup?: CaseResult;
  readonly cases: readonly CaseResult[];
  readonly startedAt: string;
  readonly durationMs: number;
}

export interface Totals {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly error: number;
}

export interface HarnessRun {
  readonly tool: string;
  /** The contract version, the router, harness, Node, broker and store, the host. */
  readonly environment: RunEnvironment;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly target: {
    readonly broker: string;
    readonly vhost: string;
    readonly prefix: string;
    readonly routes: string;
    readonly routerAddress: string;
    readonly routerIdentity: string;
    readonly quarantineRead: boolean;
    readonly endpoints: readonly {
      id: string;
      name: string;
      addresses: readonly string[];
      acks: string;
    }[];
  };
  /** Anything besides the cases, e.g. what the self-test set up and what was under test. */
  readonly notes: readonly string[];
  readonly packs: readonly PackRun[];
  readonly totals: Totals;
  /** The self-test's deliberately faulty routers and the cases that caught each (selftest only). */
  readonly faultyRouters?: readonly FaultyRouterResult[];
}

/** One deliberately faulty router of the self-test, and what caught it. */
export interface FaultyRouterResult {
  readonly fault: string;
  /** What it does wrong. */
  readonly does: string;
  /** The contract clauses it breaks. */
  readonly breaks: string;
  /** The cases run against it. */
  readonly cases: readonly string[];
  /** The cases that failed it: each with the requirement that broke and why. */
  readonly caughtBy: readonly { id: string; requirement: string; summary: string }[];
  /** Cases that could not run (error or skipped) or do not count (failing without the fault too), with the reason. */
  readonly notRun: readonly { id: string; reason: string }[];
  readonly durationMs: number;
}

/** Every faulty router was caught by at least one case. */
export const allFaultsCaught = (run: HarnessRun): boolean =>
  (run.faultyRouters ?? []).every((f) => f.caughtBy.length > 0);

export function totalsOf(packs: readonly PackRun[]): Totals {
  const all = packs.flatMap((p) => p.cases);
  const count = (s: CaseStatus) => all.filter((c) => c.status === s).length;
  return {
    total: all.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    error: count('error'),
  };
}

/** Exit 0 only when every case passed. */
export const allPassed = (run: HarnessRun): boolean =>
  run.totals.total > 0 && run.totals.passed === run.totals.total;
