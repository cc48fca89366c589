import { IchigenError, compareLabels } from '../../model/index.js';
import type { Expr, MatrixSelector, SubqueryExpr } from './ast.js';
import { atTime, dialectMatchers, leftOpen } from './eval-context.js';
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
  /** The series one at a time: a range selector streams them from the store. */
  each(): AsyncIterable<MatrixSeries>;
  /** Index bounds [lo, hi) of the window of `s` at step i. */
  window(s: MatrixSeries, i: number): [number, number];
  /**
   * The same bounds written into `out` ([lo, hi]) without allocating; `out` also carries
   * the previous step's bounds, so windows moving forward are found by walking, not searching.
   */
  windowInto(s: MatrixSeries, i: number, out: Int32Array): void;
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

function makeArg(ev: Evaluator, each: () => AsyncIterable<MatrixSeries>, refs: Float64Array, range: number): MatrixArg {
  const inclusive = !leftOpen(ev.ctx);
  return {
    refs,
    range,
    each,
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
    async windows() {
      const out: MatrixSeries[] = [];
      for await (const s of each()) {
        const [lo, hi] = this.window(s, 0);
        if (hi <= lo) continue;
        out.push({ labels: s.labels, timestamps: s.timestamps.slice(lo, hi), values: s.values.slice(lo, hi) });
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
  const hints = { start: ev.steps.start, end: ev.steps.end, step: ev.steps.step, range: m.range, func };
  const ctx = ev.ctx;
  async function* each(): AsyncIterable<MatrixSeries> {
    for await (const raw of ctx.querier.select(dialectMatchers(ctx, vs.matchers), lo - m.range, hi, hints)) {
      ctx.limits.tick();
      const s = withoutStale(raw);
      if (s.timestamps.length > 0) yield s;
    }
    ctx.limits.checkDeadline();
  }
  return makeArg(ev, each, refs, m.range);
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
      yield* series;
    },
    refs,
    sq.range,
  );
}
