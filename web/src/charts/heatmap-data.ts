import type { AlignedSeries } from './series-data.js';

/** Histogram buckets over time: one row per bucket (lowest first), one column per step. */
export interface HeatmapData {
  readonly times: Float64Array;
  /** Bucket bounds: (lower, upper]; the first lower bound is -Inf for the lowest bucket. */
  readonly buckets: ReadonlyArray<{ readonly lower: number; readonly upper: number }>;
  /** counts[bucket][step]; null where no bucket series had a value. */
  readonly counts: ReadonlyArray<ReadonlyArray<number | null>>;
  /** The largest count (for the colour scale); 0 when all are empty. */
  readonly max: number;
}

/** `le` as a number ("+Inf" included); undefined when a series has no usable `le`. */
function leOf(labels: Readonly<Record<string, string>>): number | undefined {
  const le = labels.le;
  if (le === undefined) return undefined;
  if (le === '+Inf' || le === 'Inf') return Infinity;
  const n = Number(le);
  return Number.isNaN(n) ? undefined : n;
}

/**
 * Turns Prometheus' cumulative histogram buckets (series with an `le` label, e.g.
 * `sum by (le) (rate(x_bucket[5m]))`) into per-bucket counts: each bucket minus the one below
 * it, never negative (buckets scraped a moment apart can cross). Series that share an `le`
 * are added together. Undefined when no series has an `le` label.
 */
export function heatmapFromBuckets(data: AlignedSeries): HeatmapData | undefined {
  const byLe = new Map<number, Array<number | null>>();
  const n = data.times.length;
  for (const s of data.series) {
    const le = leOf(s.labels);
    if (le === undefined) continue;
    let acc = byLe.get(le);
    if (!acc) byLe.set(le, (acc = new Array<number | null>(n).fill(null)));
    for (let i = 0; i < n; i++) {
      const v = s.values[i];
      if (v !== null && v !== undefined && Number.isFinite(v)) acc[i] = (acc[i] ?? 0) + v;
    }
  }
  if (byLe.size === 0) return undefined;
  const les = [...byLe.keys()].sort((a, b) => a - b);
  let max = 0;
  const counts = les.map((le, b) => {
    const cum = byLe.get(le)!;
    const below = b > 0 ? byLe.get(les[b - 1]!)! : undefined;
    return cum.map((v, i) => {
      if (v === null) return null;
      const c = Math.max(0, v - (below?.[i] ?? 0));
      if (c > max) max = c;
      return c;
    });
  });
  return { times: data.times, buckets: les.map((upper, b) => ({ lower: b === 0 ? -Infinity : les[b - 1]!, upper })), counts, max };
}

const STOPS: ReadonlyArray<readonly [number, number, number]> = [
  [255, 247, 188],
  [254, 196, 79],
  [236, 112, 20],
  [153, 52, 4],
];

/** A colour for a count relative to the largest one (square-root scale: small counts stay visible). */
export function heatColor(count: number, max: number): string | undefined {
  if (!(count > 0) || !(max > 0)) return undefined;
  const f = Math.sqrt(Math.min(1, count / max)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(f));
  const t = f - i;
  const [a, b] = [STOPS[i]!, STOPS[i + 1]!];
  return `rgb(${Math.round(a[0] + (b[0] - a[0]) * t)}, ${Math.round(a[1] + (b[1] - a[1]) * t)}, ${Math.round(a[2] + (b[2] - a[2]) * t)})`;
}
