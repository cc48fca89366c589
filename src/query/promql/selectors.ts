import { STALE_NAN_HI, STALE_NAN_LO, compareLabels, isStaleAt } from '../../model/index.js';
import type { VectorSelector } from './ast.js';
import { atTime, leftOpen, selectBatches, type EvalContext } from './eval-context.js';
import { newSeries, stepTime, type MatrixSeries, type StepSeries, type Steps } from './values.js';

/** Reference time (ms) of each step for a selector: `@` pins it, `offset` shifts it. */
export function refTimes(ctx: EvalContext, steps: Steps, offset: number, at: ReturnType<typeof atTime>): Float64Array {
  const out = new Float64Array(steps.n);
  for (let i = 0; i < steps.n; i++) out[i] = (at ?? stepTime(steps, i)) - offset;
  return out;
}

function minMax(a: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * An instant vector selector at every step: the latest sample within the lookback window,
 * none when that sample is a staleness marker.
 */
export async function evalVectorSelector(ctx: EvalContext, vs: VectorSelector, steps: Steps, keepTimes: boolean): Promise<StepSeries[]> {
  const refs = refTimes(ctx, steps, vs.offset, atTime(ctx, vs.at));
  const [lo, hi] = minMax(refs);
  const lookback = ctx.options.lookbackDelta;
  const open = leftOpen(ctx);
  const out: StepSeries[] = [];
  // Series stream from the store: only the per-step values are kept (so the store may reuse a batch's memory).
  for await (const batch of selectBatches(ctx, vs.matchers, lo - lookback, hi, { start: steps.start, end: steps.end, step: steps.step, reuse: true })) {
    for (const s of batch) {
      const r = newSeries(s.labels, steps.n);
      if (keepTimes) r.times = new Float64Array(steps.n);
      let any = 0;
      const ts = s.timestamps;
      for (let i = 0; i < steps.n; i++) {
        const ref = refs[i]!;
        const j = lastAtOrBefore(ts, ref);
        if (j < 0) continue;
        const t = ts[j]!;
        if (open ? t <= ref - lookback : t < ref - lookback) continue;
        if (isStaleAt(s.values, j)) continue;
        r.values[i] = s.values[j]!;
        r.present[i] = 1;
        if (r.times) r.times[i] = t;
        any++;
      }
      ctx.limits.tick();
      if (any > 0) {
        ctx.limits.add(any);
        out.push(r);
      }
    }
  }
  ctx.limits.checkDeadline();
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}

/** Index of the last timestamp <= t, or -1. */
export function lastAtOrBefore(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first timestamp > t (or >= t when `inclusive`). */
export function firstAfter(ts: Float64Array, t: number, inclusive: boolean): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (inclusive ? ts[mid]! < t : ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Drops staleness markers: range selectors never see them. */
export function withoutStale(s: MatrixSeries): MatrixSeries {
  const n = s.values.length;
  // A staleness marker is a NaN: only a series holding a NaN needs its bits looked at.
  let nan = false;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(s.values[i]!)) {
      nan = true;
      break;
    }
  }
  if (!nan) return s;
  const bits = new Uint32Array(s.values.buffer, s.values.byteOffset, n * 2);
  let stale = 0;
  for (let i = 0; i < n; i++) if (bits[2 * i + 1] === STALE_NAN_HI && bits[2 * i] === STALE_NAN_LO) stale++;
  if (stale === 0) return s;
  const timestamps = new Float64Array(n - stale);
  const values = new Float64Array(n - stale);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (bits[2 * i + 1] === STALE_NAN_HI && bits[2 * i] === STALE_NAN_LO) continue;
    timestamps[k] = s.timestamps[i]!;
    values[k++] = s.values[i]!;
  }
  return { labels: s.labels, timestamps, values };
}
