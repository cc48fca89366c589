import { IchigenError } from './errors.js';

/**
 * Durations in Prometheus' syntax (`1h30m`, `15s`, `500ms`, `7d`, `2w`, `1y`), used in
 * configuration and query parameters alike. Units must go from largest to smallest.
 */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Parses to milliseconds; returns undefined when the text is not a duration. */
export function tryParseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const g = m[i + 1];
    if (g !== undefined) ms += Number(g) * UNITS[i]![1];
  }
  return ms;
}

export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new IchigenError('INVALID_PARAMETER', `not a valid duration: "${text}" (e.g. 15s, 5m, 1h30m, 7d)`);
  return ms;
}

/** The shortest Prometheus-style form of a millisecond duration (`1h30m`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.abs(ms);
  let out = ms < 0 ? '-' : '';
  for (const [unit, size] of UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
