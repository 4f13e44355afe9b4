/** Durations as people type them on a command line or in a fault script: `2s`, `500ms`, `1m`, `1.5h`. */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;

/**
 * Milliseconds of `text` (a bare number is seconds), or of a number of milliseconds as given.
 * @throws RangeError naming what was wrong.
 */
export function parseDuration(text: string | number, what = 'duration'): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text;
    throw new RangeError(`${what}: ${text} is not a number of milliseconds ≥ 0`);
  }
  const m = DURATION.exec(text.trim());
  if (!m) throw new RangeError(`${what}: "${text}" is not a duration such as 500ms, 2s, 1m or 1h`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
}

/** `1500` → `1.5 s`, `300` → `300 ms`. */
export const formatDuration = (ms: number): string =>
  ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(3))} s`;
