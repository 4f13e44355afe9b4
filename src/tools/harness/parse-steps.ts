/**
 * Raw YAML steps (already checked against pack-schema.ts) into the step model: defaults filled,
 * durations read, each step's origin (file and line) kept for the report.
 */
import type { ConfigProblem } from '../../router/01-config/index.js';
import type { KeySegment } from '../../router/01-config/key-path.js';
import { problemAt, locate, type YamlSource } from '../../router/01-config/yaml-source.js';
import { parseDuration } from '../simulator/duration.js';
import type {
  AnswerMatch,
  CallCertificate,
  Duration,
  EndpointAnswer,
  Match,
  SoapChanges,
  Step,
  XPathCondition,
} from './model.js';
import { expand, type TemplateScope } from './template.js';

/** Milliseconds of a duration, its placeholders expanded first. */
export function durationMs(d: Duration, scope: TemplateScope): number {
  return typeof d === 'number' ? d : parseDuration(expand(d, scope), 'duration');
}

/** How long `expect` / `expectNack` wait, and `expectNothing` watches, unless told. */
export const DEFAULT_WITHIN_MS = 5000;
export const DEFAULT_QUIET_MS = 1000;

type Raw = Record<string, unknown>;

const strings = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((value ?? {}) as Raw).map(([k, v]) => [k, String(v)]));

const list = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).map(String);

function matchOf(raw: Raw): Match {
  const keys = [
    'from',
    'bodyEquals',
    'properties',
    'headers',
    'service',
    'xpath',
    'infAck',
    'busAck',
  ] as const;
  const match: Record<string, unknown> = {};
  for (const key of keys) if (raw[key] !== undefined) match[key] = raw[key];
  return match as Match;
}

/** A signed duration (`-1h`, `+10m`, `90s`) in milliseconds; throws on anything else. */
export function signedDurationMs(text: string, key: string): number {
  const t = text.trim();
  const sign = t.startsWith('-') ? -1 : 1;
  return sign * parseDuration(t.replace(/^[-+]/, ''), key);
}

function soapOf(
  raw: Raw | undefined,
  problem: (key: string, message: string) => void,
): SoapChanges {
  if (!raw) return {};
  return {
    ...(raw.soapAction !== undefined ? { soapAction: String(raw.soapAction) } : {}),
    ...(raw.contentType !== undefined ? { contentType: String(raw.contentType) } : {}),
    ...(raw.set !== undefined ? { set: strings(raw.set) } : {}),
    ...(raw.omit !== undefined ? { omit: list(raw.omit) } : {}),
    ...(raw.repeat !== undefined ? { repeat: list(raw.repeat) } : {}),
    ...(raw.replyTo !== undefined ? { replyTo: String(raw.replyTo) } : {}),
    ...(raw.shift !== undefined ? { shift: shiftOf(String(raw.shift), problem) } : {}),
    ...(raw.envelope !== undefined ? { envelope: String(raw.envelope) } : {}),
  };
}

function shiftOf(text: string, problem: (key: string, message: string) => void): string {
  if (!text.includes('{{')) {
    try {
      signedDurationMs(text, 'shift');
    } catch (err) {
      problem('shift', (err as Error).message);
    }
  }
  return text;
}

function answerMatchOf(raw: Raw | undefined): AnswerMatch {
  if (!raw) return {};
  const fault = raw.fault as Raw | undefined;
  return {
    ...(raw.status !== undefined ? { status: Number(raw.status) } : {}),
    ...(raw.refused === true ? { refused: true } : {}),
    ...(fault
      ? {
          fault: {
            ...(fault.faultcode !== undefined ? { faultcode: String(fault.faultcode) } : {}),
            ...(fault.code !== undefined ? { code: String(fault.code) } : {}),
            ...(fault.text !== undefined ? { text: String(fault.text) } : {}),
            ...(fault.diagnostic !== undefined ? { diagnostic: String(fault.diagnostic) } : {}),
          },
        }
      : {}),
    ...(raw.xpath !== undefined ? { xpath: raw.xpath as XPathCondition[] } : {}),
  };
}

/** `200`, `202`, `503`, or `fault <code>` (HTTP 500), `fault <code> <status>`. */
export function endpointAnswerOf(value: unknown): EndpointAnswer | string {
  const text = String(value).trim();
  if (text === '200' || text === '202' || text === '503')
    return { status: Number(text) as 200 | 202 | 503 };
  const fault = /^fault\s+(1000|2100|2200|3000)(?:\s+(\d{3}))?$/.exec(text);
  if (fault)
    return { fault: fault[1]!, ...(fault[2] !== undefined ? { status: Number(fault[2]) } : {}) };
  return `answer ${JSON.stringify(text)}: expected 200, 202, 503 or "fault <1000|2100|2200|3000> [status]"`;
}

/** Reads the steps at `path` of `source`; problems (bad durations) are pushed to `problems`. */
export function parseSteps(
  raw: readonly unknown[],
  source: YamlSource,
  path: readonly KeySegment[],
  problems: ConfigProblem[],
): Step[] {
  let sends = 0;
  let calls = 0;
  return raw.map((item, index): Step => {
    const [kind, value] = Object.entries(item as Raw)[0]!;
    const at = [...path, index, kind];
    const origin = { file: source.file, ...(locate(source, at, true) ?? {}) };
    const duration = (v: unknown, fallback: number, key: string): Duration => {
      if (v === undefined) return fallback;
      if (typeof v === 'string' && v.includes('{{')) return v;
      try {
        return parseDuration(typeof v === 'number' ? `${v}s` : String(v), key);
      } catch (err) {
        problems.push(problemAt(source, [...at, key], (err as Error).message));
        return fallback;
      }
    };
    if (kind === 'pause') return { kind, for: duration(value, 0, 'pause'), origin };
    const body = value as Raw;
    const common = {
      origin,
      ...(body.requirement !== undefined ? { requirement: String(body.requirement) } : {}),
      ...(body.note !== undefined ? { note: String(body.note) } : {}),
    };
    switch (kind) {
      case 'send':
        sends += 1;
        return {
          ...common,
          kind,
          id: body.id === undefined ? `send${sends}` : String(body.id),
          as: String(body.as),
          ...(body.template !== undefined ? { template: String(body.template) } : {}),
          ...(body.file !== undefined ? { file: String(body.file) } : {}),
          ...(body.again !== undefined ? { again: String(body.again) } : {}),
          with: strings(body.with),
          userId: body.userId !== false,
          freshTrackingId: body.freshTrackingId !== false,
        };
      case 'expect':
        return {
          ...common,
          kind,
          at: String(body.at),
          within: duration(body.within, DEFAULT_WITHIN_MS, 'within'),
          match: matchOf(body),
          capture: strings(body.capture),
        };
      case 'expectNack':
        return {
          ...common,
          kind,
          ...(body.at !== undefined ? { at: String(body.at) } : {}),
          within: duration(body.within, DEFAULT_WITHIN_MS, 'within'),
          code: String(body.code),
          ...(body.diagnostic !== undefined ? { diagnostic: String(body.diagnostic) } : {}),
          ...(body.for !== undefined ? { for: String(body.for) } : {}),
          ...(body.trackingIdRef !== undefined
            ? { trackingIdRef: String(body.trackingIdRef) }
            : {}),
          ...(body.unreadable === true ? { unreadable: true } : {}),
          ...(body.reportedBy !== undefined ? { reportedBy: String(body.reportedBy) } : {}),
          match: matchOf(body),
          capture: strings(body.capture),
        };
      case 'call':
        calls += 1;
        return {
          ...common,
          kind,
          id: body.id === undefined ? `call${calls}` : String(body.id),
          as: String(body.as),
          certificate: (body.certificate ?? 'own') as CallCertificate,
          ...(body.template !== undefined ? { template: String(body.template) } : {}),
          ...(body.file !== undefined ? { file: String(body.file) } : {}),
          ...(body.again !== undefined ? { again: String(body.again) } : {}),
          with: strings(body.with),
          freshTrackingId: body.freshTrackingId !== false,
          soap: soapOf(body.soap as Raw | undefined, (key, message) =>
            problems.push(problemAt(source, [...at, 'soap', key], message)),
          ),
          answer: answerMatchOf(body.answer as Raw | undefined),
          capture: strings(body.capture),
        };
      case 'serve': {
        const answers = list(body.answers).flatMap((a, i) => {
          const answer = endpointAnswerOf(a);
          if (typeof answer !== 'string') return [answer];
          problems.push(problemAt(source, [...at, 'answers', i], answer));
          return [];
        });
        return { ...common, kind, at: String(body.at), answers };
      }
      case 'expectNothing':
        return {
          ...common,
          kind,
          at: list(body.at),
          for: duration(body.for, DEFAULT_QUIET_MS, 'for'),
          ...(body.match !== undefined ? { match: matchOf(body.match as Raw) } : {}),
        };
      default:
        return {
          ...common,
          kind: 'action',
          id: String(body.id),
          text: String(body.text),
          with: strings(body.with),
        };
    }
  });
}
