/**
 * Time ranges as the user writes them: relative (`now-1h`, `now`) or absolute (ISO date or
 * epoch milliseconds). They resolve to milliseconds when a query runs, so a refresh moves
 * a relative range forward.
 */
export interface TimeRange {
  readonly from: string;
  readonly to: string;
}

export const RELATIVE_PRESETS = ['5m', '15m', '30m', '1h', '3h', '6h', '12h', '24h', '2d', '7d', '30d'] as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Parses a duration such as `5m`, `1h30m`, `250ms` into milliseconds. */
export function parseDurationMs(text: string): number {
  const s = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new Error(`not a duration: "${text}"`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (s.length === 0) throw new Error('empty duration');
  return total;
}

/** Resolves one end of a range to epoch milliseconds. */
export function resolveTime(expr: string, now: number): number {
  const s = expr.trim();
  if (s === 'now') return now;
  const rel = /^now\s*-\s*(.+)$/.exec(s);
  if (rel) return now - parseDurationMs(rel[1]!);
  if (/^\d{10,13}$/.test(s)) return s.length <= 10 ? Number(s) * 1000 : Number(s);
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new Error(`not a time: "${expr}" (use now-1h, an ISO date, or epoch ms)`);
  return ms;
}

export function resolveRange(range: TimeRange, now = Date.now()): { start: number; end: number } {
  const start = resolveTime(range.from, now);
  const end = resolveTime(range.to, now);
  if (start >= end) throw new Error('the start of the range must be before its end');
  return { start, end };
}

const NICE_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * A step that gives about `points` points over the range, rounded up to a round interval
 * (so neighbouring refreshes align) and at least `minStepS`.
 */
export function stepFor(rangeMs: number, points = 500, minStepS = 1): number {
  const raw = Math.max(rangeMs / 1000 / points, minStepS);
  for (const s of NICE_STEPS_S) if (s >= raw) return s;
  return Math.ceil(raw / 86400) * 86400;
}

/** A short label for a range: "Last 1h" for `now-1h`→`now`, else the two ends. */
export function describeRange(range: TimeRange): { relative: string } | { from: string; to: string } {
  const m = /^now-(\w+)$/.exec(range.from);
  if (m && range.to === 'now') return { relative: m[1]! };
  return { from: range.from, to: range.to };
}

/** An absolute range from a zoom selection. */
export function absoluteRange(startMs: number, endMs: number): TimeRange {
  return { from: String(Math.round(startMs)), to: String(Math.round(endMs)) };
}
