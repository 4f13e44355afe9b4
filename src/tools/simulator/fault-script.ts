/**
 * Fault rules from the command line's flags and from a YAML fault script (`--faults <file>`):
 *
 * ```yaml
 * faults:
 *   - nack: DE0003                 # or { code: DE0003, text: why }
 *     when: { messageType: CarePlanRequest }   # service / interaction / messageType; a value or a list; * globs
 *     times: 1                     # only the first matching message
 *   - delay: 2s
 *   - drop: true
 *   - duplicate-answers: true
 *   - stale-version: true
 *   - ack-acks: true
 * ```
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import { ITK_ERRORS, type ItkErrorKey } from '../../router/00-common/itk-errors.js';
import { parseDuration } from './duration.js';
import type { FaultRule, FaultScope, NackFault } from './faults.js';

export class FaultScriptError extends Error {
  override readonly name = 'FaultScriptError';
}

/** The fault flags of `itk-router simulate`. */
export interface FaultFlags {
  readonly nack?: string;
  readonly delay?: string;
  readonly drop?: boolean;
  readonly duplicateAnswers?: boolean;
  readonly staleVersion?: boolean;
  readonly ackAcks?: boolean;
}

const RULE_KEYS = [
  'nack',
  'delay',
  'drop',
  'duplicate-answers',
  'stale-version',
  'ack-acks',
  'when',
  'times',
] as const;
const SCOPE_KEYS = ['service', 'interaction', 'messageType'] as const;

/** A duration (a bare number is seconds), or a FaultScriptError naming where. */
function duration(value: unknown, where: string): number {
  try {
    return parseDuration(String(value), where);
  } catch (err) {
    throw new FaultScriptError((err as Error).message);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function nackFault(code: string, text?: string, where = '--nack'): NackFault {
  if (!Object.hasOwn(ITK_ERRORS, code)) {
    throw new FaultScriptError(
      `${where}: "${code}" is not an ITK error code (${Object.keys(ITK_ERRORS).join(', ')})`,
    );
  }
  return text === undefined ? { code: code as ItkErrorKey } : { code: code as ItkErrorKey, text };
}

/** One rule holding every fault the flags ask for, for every message; none when no flag is set. */
export function faultsFromFlags(flags: FaultFlags): FaultRule[] {
  const rule: FaultRule = {
    ...(flags.nack !== undefined ? { nack: nackFault(flags.nack) } : {}),
    ...(flags.delay !== undefined ? { delayMs: duration(flags.delay, '--delay') } : {}),
    ...(flags.drop ? { drop: true } : {}),
    ...(flags.duplicateAnswers ? { duplicateAnswers: true } : {}),
    ...(flags.staleVersion ? { staleVersion: true } : {}),
    ...(flags.ackAcks ? { ackAcks: true } : {}),
  };
  return Object.keys(rule).length > 0 ? [rule] : [];
}

function strings(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => typeof v === 'string' && v !== ''))
    throw new FaultScriptError(`${where}: expected a string or a list of strings`);
  return list as string[];
}

function scope(value: unknown, where: string): FaultScope {
  if (!isRecord(value)) throw new FaultScriptError(`${where}: expected a mapping`);
  const unknown = Object.keys(value).filter((k) => !(SCOPE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new FaultScriptError(
      `${where}: unknown key ${unknown[0]} (use ${SCOPE_KEYS.join(', ')})`,
    );
  const out: Record<string, string[]> = {};
  for (const key of SCOPE_KEYS)
    if (value[key] !== undefined) out[key] = strings(value[key], `${where}.${key}`);
  return out;
}

function flag(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new FaultScriptError(`${where}: expected true or false`);
  return value;
}

function rule(raw: unknown, where: string): FaultRule {
  if (!isRecord(raw)) throw new FaultScriptError(`${where}: expected a mapping`);
  const unknown = Object.keys(raw).filter((k) => !(RULE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0)
    throw new FaultScriptError(`${where}: unknown key ${unknown[0]} (use ${RULE_KEYS.join(', ')})`);
  const { nack, delay, when, times } = raw;
  if (times !== undefined && !(Number.isInteger(times) && (times as number) >= 1))
    throw new FaultScriptError(`${where}.times: expected a whole number ≥ 1`);
  const r: FaultRule = {
    ...(nack !== undefined
      ? {
          nack: isRecord(nack)
            ? nackFault(
                String(nack.code),
                nack.text === undefined ? undefined : String(nack.text),
                `${where}.nack`,
              )
            : nackFault(String(nack), undefined, `${where}.nack`),
        }
      : {}),
    ...(delay !== undefined ? { delayMs: duration(delay, `${where}.delay`) } : {}),
    ...(raw.drop !== undefined ? { drop: flag(raw.drop, `${where}.drop`) } : {}),
    ...(raw['duplicate-answers'] !== undefined
      ? { duplicateAnswers: flag(raw['duplicate-answers'], `${where}.duplicate-answers`) }
      : {}),
    ...(raw['stale-version'] !== undefined
      ? { staleVersion: flag(raw['stale-version'], `${where}.stale-version`) }
      : {}),
    ...(raw['ack-acks'] !== undefined
      ? { ackAcks: flag(raw['ack-acks'], `${where}.ack-acks`) }
      : {}),
    ...(when !== undefined ? { when: scope(when, `${where}.when`) } : {}),
    ...(times !== undefined ? { times: times as number } : {}),
  };
  return r;
}

/** The rules of a fault script's text (`name` says where it came from, in errors). */
export function parseFaultScript(text: string, name = 'fault script'): FaultRule[] {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new FaultScriptError(`${name}: ${(err as Error).message}`);
  }
  const list = isRecord(data) ? data.faults : data;
  if (isRecord(data) && Object.keys(data).some((k) => k !== 'faults'))
    throw new FaultScriptError(`${name}: the only top-level key is faults`);
  if (data == null || list == null) return [];
  if (!Array.isArray(list)) throw new FaultScriptError(`${name}: faults must be a list of rules`);
  return list.map((raw, i) => rule(raw, `${name}: faults[${i}]`));
}

export function loadFaultScript(file: string): FaultRule[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new FaultScriptError(`cannot read the fault script ${file}: ${(err as Error).message}`);
  }
  return parseFaultScript(text, file);
}
