import { IchigenError, compareLabels } from '../../model/index.js';
import type { Expr, MatrixSelector, SubqueryExpr } from './ast.js';
import { atTime, leftOpen, selectBatches } from './eval-context.js';
import { Evaluator } from './evaluator.js';
import { firstAfter, lastAtOrBefore, refTimes, withoutStale } from './selectors.js';
import { makeSteps, stepTime, type MatrixSeries } from './values.js';

/**
 * A range-vector argument: series (raw samples of a range selector, or a subquery's
 * points) with, per step, the window (start, end] (closed on the left in Prometheus 2
 * mode). Range functions walk windows by index, without copying samples.
 */
export interface MatrixArg {
  /** Window end (ms) per step. */
  readonly refs: Float64Array;
  readonly range: number;
  /** The series a batch at a time: a range selector streams them from the store. */
  batches(): AsyncIterable<MatrixSeries[]>;
  /** Index bounds [lo, hi) of the window of `s` at step i. */
  window(s: MatrixSeries, i: number): [number, number];
  /**
   * The same bounds written into `out` ([lo, hi]) without allocating; `out` also carries
   * the previous step's bounds, so windows moving forward are found by walking, not searching.
   */
  windowInto(s: MatrixSeries, i: number, out: Int32Array): void;
  /** Every step's window of `s` at once: [lo[i], hi[i]) (two moving pointers, no search per step). */
  boundsAll(s: MatrixSeries, lo: Int32Array, hi: Int32Array): void;
  /** For an instant query's top-level matrix: each series' samples in the first window. */
  windows(): Promise<MatrixSeries[]>;
}

function unwrap(e: Expr): Expr {
  return e.type === 'paren' ? unwrap(e.expr) : e;
}

export async function evalMatrixArg(ev: Evaluator, arg: Expr, func: string | undefined): Promise<MatrixArg> {
  const e = unwrap(arg);
  if (e.type === 'matrixSelector') return matrixSelector(ev, e, func);
  if (e.type === 'subquery') return subquery(ev, e);
  throw new IchigenError('EXECUTION', 'expected a range vector');
}

function makeArg(ev: Evaluator, batches: () => AsyncIterable<MatrixSeries[]>, refs: Float64Array, range: number): MatrixArg {
  const inclusive = !leftOpen(ev.ctx);
  return {
    refs,
    range,
    batches,
    window(s, i) {
      const ref = refs[i]!;
      return [firstAfter(s.timestamps, ref - range, inclusive), lastAtOrBefore(s.timestamps, ref) + 1];
    },
    windowInto(s, i, out) {
      const ts = s.timestamps;
      const ref = refs[i]!;
      const from = ref - range;
      if (i === 0 || refs[i - 1]! > ref) {
        out[0] = firstAfter(ts, from, inclusive);
        out[1] = lastAtOrBefore(ts, ref) + 1;
        return;
      }
      let lo = out[0]!;
      let hi = out[1]!;
      const n = ts.length;
      if (inclusive) while (lo < n && ts[lo]! < from) lo++;
      else while (lo < n && ts[lo]! <= from) lo++;
      if (hi < lo) hi = lo;
      while (hi < n && ts[hi]! <= ref) hi++;
      out[0] = lo;
      out[1] = hi;
    },
    boundsAll(s, loOut, hiOut) {
      const ts = s.timestamps;
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < refs.length; i++) {
        const ref = refs[i]!;
        const from = ref - range;
        if (i === 0 || refs[i - 1]! > ref) {
          lo = firstAfter(ts, from, inclusive);
          hi = lastAtOrBefore(ts, ref) + 1;
        } else {
          lo = advance(ts, lo, from, inclusive);
          hi = advance(ts, hi < lo ? lo : hi, ref, false);
        }
        loOut[i] = lo;
        hiOut[i] = hi;
      }
    },
    async windows() {
      const out: MatrixSeries[] = [];
      for await (const batch of batches()) {
        for (const s of batch) {
          const [lo, hi] = this.window(s, 0);
          if (hi <= lo) continue;
          out.push({ labels: s.labels, timestamps: s.timestamps.slice(lo, hi), values: s.values.slice(lo, hi) });
        }
      }
      return out.sort((a, b) => compareLabels(a.labels, b.labels));
    },
  };
}

async function matrixSelector(ev: Evaluator, m: MatrixSelector, func: string | undefined): Promise<MatrixArg> {
  const vs = m.vector;
  const refs = refTimes(ev.ctx, ev.steps, vs.offset, atTime(ev.ctx, vs.at));
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of refs) {
    lo = Math.min(lo, r);
    hi = Math.max(hi, r);
  }
  // Every consumer of batches() is done with a batch before it asks for the next (windows()
  // copies what it keeps): the store may reuse the memory.
  const hints = { start: ev.steps.start, end: ev.steps.end, step: ev.steps.step, range: m.range, func, reuse: true };
  const ctx = ev.ctx;
  async function* batches(): AsyncIterable<MatrixSeries[]> {
    for await (const raw of selectBatches(ctx, vs.matchers, lo - m.range, hi, hints)) {
      const out: MatrixSeries[] = [];
      for (const r of raw) {
        ctx.limits.tick();
        const s = withoutStale(r);
        if (s.timestamps.length > 0) out.push(s);
      }
      if (out.length > 0) yield out;
    }
    ctx.limits.checkDeadline();
  }
  return makeArg(ev, batches, refs, m.range);
}

async function subquery(ev: Evaluator, sq: SubqueryExpr): Promise<MatrixArg> {
  const refs = refTimes(ev.ctx, ev.steps, sq.offset, atTime(ev.ctx, sq.at));
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of refs) {
    lo = Math.min(lo, r);
    hi = Math.max(hi, r);
  }
  const interval = sq.step > 0 ? sq.step : ev.ctx.options.defaultEvalInterval;
  const from = lo - sq.range;
  let start = interval * Math.trunc(from / interval);
  if (start < from) start += interval;
  const steps = makeSteps(start, hi, interval);
  // Every inner series holds one slot per step: refuse before allocating what the sample
  // limit would refuse anyway, so a tiny subquery step cannot exhaust memory.
  if (steps.n > Math.min(ev.ctx.options.maxSamples, 5_000_000)) {
    throw new IchigenError('TOO_MANY_SAMPLES', 'query processing would load too many samples into memory in query execution');
  }
  const inner = await new Evaluator(ev.ctx, steps).evalVector(sq.expr);
  const series: MatrixSeries[] = [];
  for (const s of inner.series) {
    let n = 0;
    for (let i = 0; i < steps.n; i++) n += s.present[i]!;
    const timestamps = new Float64Array(n);
    const values = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < steps.n; i++) {
      if (!s.present[i]) continue;
      timestamps[k] = stepTime(steps, i);
      values[k++] = s.values[i]!;
    }
    series.push({ labels: s.labels, timestamps, values });
  }
  return makeArg(
    ev,
    async function* () {
      if (series.length > 0) yield series;
    },
    refs,
    sq.range,
  );
}

/** Samples a window edge moves by walking; further, it gallops then bisects. */
const WALK = 32;

/**
 * Index of the first timestamp at or after `start` that is > t (>= t when `inclusive`).
 * Moving a window edge: a few samples (a graph's step over a scrape interval) walk, with
 * branches a CPU predicts; far (a 1 h step) gallops in doubling strides, then bisects.
 */
export function advance(ts: Float64Array, start: number, t: number, inclusive: boolean): number {
  const n = ts.length;
  let lo = start;
  if (lo + WALK >= n || (inclusive ? ts[lo + WALK]! >= t : ts[lo + WALK]! > t)) {
    if (inclusive) while (lo < n && ts[lo]! < t) lo++;
    else while (lo < n && ts[lo]! <= t) lo++;
    return lo;
  }
  // ts[lo + WALK] is before t: gallop until a probe is not (or the end), then bisect between.
  lo += WALK;
  let stride = WALK * 2;
  let hi = lo + stride;
  while (hi < n && (inclusive ? ts[hi]! < t : ts[hi]! <= t)) {
    lo = hi;
    stride *= 2;
    hi = lo + stride;
  }
  if (hi > n) hi = n;
  lo++;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (inclusive ? ts[mid]! < t : ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
