/**
 * The `retention` section of config/router.yaml: ages written as durations (`90d`, `12h`), turned
 * into seconds. Pure.
 */

/** A whole number and a unit: s(econds), m(inutes), h(ours), d(ays), w(eeks). */
export const DURATION = /^([1-9][0-9]*)(s|m|h|d|w)$/;

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
};

/** Seconds in a duration such as `7d`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
}

/** The shortest duration text for a number of seconds: 604800 → `1w`, 90000 → `25h`. */
export function formatDuration(seconds: number): string {
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    const size = UNIT_SECONDS[unit]!;
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** The retention policy, after parsing. */
export interface RetentionConfig {
  /** How often the router prunes, in seconds. */
  readonly intervalSeconds: number;
  /** Rows per transaction. */
  readonly batchSize: number;
  /** How long the original bytes of a message in each state are kept. */
  readonly bodies: AgesByState;
  /** How long the record of a message in each state (history, answers) is kept. */
  readonly records: AgesByState;
  /** How long a closed care plan's index entry is kept after its last version; absent: forever. */
  readonly closedCarePlans?: number;
}

/** Ages in seconds by message state name (the schema checked the names against the store's states). */
export type AgesByState = Readonly<Record<string, number>>;

/** The section as the schema accepted it (durations still text). */
export interface RawRetention {
  readonly intervalSeconds: number;
  readonly batchSize: number;
  readonly bodies: Readonly<Record<string, string>>;
  readonly records: Readonly<Record<string, string>>;
  readonly closedCarePlans?: string;
}

const ages = (map: Readonly<Record<string, string>>): AgesByState =>
  Object.fromEntries(
    Object.entries(map).map(([state, text]) => [state, parseDuration(text) ?? Number.NaN]),
  );

/** Parses the durations (the schema has checked their form and the state names). */
export function retentionConfig(raw: RawRetention): RetentionConfig {
  const closed = raw.closedCarePlans === undefined ? undefined : parseDuration(raw.closedCarePlans);
  return {
    intervalSeconds: raw.intervalSeconds,
    batchSize: raw.batchSize,
    bodies: ages(raw.bodies),
    records: ages(raw.records),
    ...(closed === undefined ? {} : { closedCarePlans: closed }),
  };
}
