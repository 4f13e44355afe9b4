/**
 * Faults on demand: what a simulated end point does wrong, and when. A rule holds one or more
 * faults, optionally limited to messages of a service / interaction / message type (`*` globs, as
 * in route conditions) and to the first `times` such messages. Pure.
 */
import { compileGlobs } from '../../router/00-common/glob.js';
import type { ItkErrorKey } from '../../router/00-common/itk-errors.js';
import { formatDuration } from './duration.js';
import type { SimulatorState } from './plan-store.js';
import type { Received } from './received.js';

export interface NackFault {
  /** The ITK error code the nack carries (DE0001–DE0012, 1000, 2100, 2200, 3000). */
  readonly code: ItkErrorKey;
  /** Its ErrorDiagnosticText; default "simulated fault". */
  readonly text?: string;
}

/** Which messages a rule applies to; every condition given must hold (each: any of its globs). */
export interface FaultScope {
  readonly service?: readonly string[];
  readonly interaction?: readonly string[];
  /** The payload root's local name: `CarePlanRequest`, `InfrastructureResponse`, `BusinessResponseMessage`… */
  readonly messageType?: readonly string[];
}

export interface FaultRule {
  /** Nack every such message with this code instead of processing it. */
  readonly nack?: NackFault;
  /** Wait this long before sending anything in answer. */
  readonly delayMs?: number;
  /** Consume the message and send nothing. */
  readonly drop?: boolean;
  /** Send every answer twice (the same message, same tracking id). */
  readonly duplicateAnswers?: boolean;
  /** Answer with a stale plan version: a found response one version old, an accepted update's notification not incremented. */
  readonly staleVersion?: boolean;
  /** Acknowledge acknowledgements (a deliberate accreditation failure). */
  readonly ackAcks?: boolean;
  readonly when?: FaultScope;
  /** Only the first `times` matching messages; default every one. */
  readonly times?: number;
}

/** The faults in force for one message: every matching rule's, merged. */
export interface ActiveFaults {
  readonly nack?: NackFault;
  readonly delayMs: number;
  readonly drop: boolean;
  readonly duplicateAnswers: boolean;
  readonly staleVersion: boolean;
  readonly ackAcks: boolean;
  /** Their names, for the log: `nack DE0003`, `delay 2 s`, `drop`… */
  readonly names: readonly string[];
}

export const NO_FAULTS: ActiveFaults = Object.freeze({
  delayMs: 0,
  drop: false,
  duplicateAnswers: false,
  staleVersion: false,
  ackAcks: false,
  names: Object.freeze([]),
});

const holds = (patterns: readonly string[] | undefined, value: string | undefined) =>
  patterns === undefined || (value !== undefined && compileGlobs(patterns).test(value));

export function ruleMatches(rule: FaultRule, msg: Received): boolean {
  const w = rule.when ?? {};
  return (
    holds(w.service, msg.envelope?.service) &&
    holds(w.interaction, msg.handling.interaction) &&
    holds(w.messageType, msg.messageType || undefined)
  );
}

function namesOf(rule: FaultRule): string[] {
  return [
    ...(rule.nack ? [`nack ${rule.nack.code}`] : []),
    ...(rule.delayMs ? [`delay ${formatDuration(rule.delayMs)}`] : []),
    ...(rule.drop ? ['drop'] : []),
    ...(rule.duplicateAnswers ? ['duplicate answers'] : []),
    ...(rule.staleVersion ? ['stale version'] : []),
    ...(rule.ackAcks ? ['acknowledge acknowledgements'] : []),
  ];
}

/** The faults in force for `msg`, and the state with each applied rule's use counted. */
export function applyFaults(
  rules: readonly FaultRule[],
  msg: Received,
  state: SimulatorState,
): { faults: ActiveFaults; state: SimulatorState } {
  const uses = [...state.faultUses];
  let f: ActiveFaults = NO_FAULTS;
  let matched = false;
  rules.forEach((rule, i) => {
    const used = uses[i] ?? 0;
    if ((rule.times !== undefined && used >= rule.times) || !ruleMatches(rule, msg)) return;
    uses[i] = used + 1;
    matched = true;
    f = {
      ...((f.nack ?? rule.nack) ? { nack: f.nack ?? rule.nack } : {}),
      delayMs: Math.max(f.delayMs, rule.delayMs ?? 0),
      drop: f.drop || rule.drop === true,
      duplicateAnswers: f.duplicateAnswers || rule.duplicateAnswers === true,
      staleVersion: f.staleVersion || rule.staleVersion === true,
      ackAcks: f.ackAcks || rule.ackAcks === true,
      names: [...f.names, ...namesOf(rule)],
    };
  });
  if (!matched) return { faults: f, state };
  return { faults: f, state: Object.freeze({ ...state, faultUses: Object.freeze(uses) }) };
}
