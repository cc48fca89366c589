import { IchigenError } from '../../model/index.js';
import type { Expr, MatrixSelector, SubqueryExpr } from './ast.js';
import { atTime, leftOpen } from './eval-context.js';
import { Evaluator } from './evaluator.js';
import { firstAfter, lastAtOrBefore, loadSeries, refTimes, withoutStale } from './selectors.js';
import { makeSteps, stepTime, type MatrixSeries } from './values.js';

/**
 * A range-vector argument: series (raw samples of a range selector, or a subquery's
 * points) with, per step, the window (start, end] (closed on the left in Prometheus 2
 * mode). Range functions walk windows by index, without copying samples.
 */
export interface MatrixArg {
  readonly series: readonly MatrixSeries[];
  /** Window end (ms) per step. */
  readonly refs: Float64Array;
  readonly range: number;
  /** Index bounds [lo, hi) of the window of `series[k]` at step i. */
  window(k: number, i: number): [number, number];
  /** For an instant query's top-level matrix: each series' samples in the first window. */
  windows(): MatrixSeries[];
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

function makeArg(ev: Evaluator, series: MatrixSeries[], refs: Float64Array, range: number): MatrixArg {
  const inclusive = !leftOpen(ev.ctx);
  return {
    series,
    refs,
    range,
    window(k, i) {
      const s = series[k]!;
      const ref = refs[i]!;
      return [firstAfter(s.timestamps, ref - range, inclusive), lastAtOrBefore(s.timestamps, ref) + 1];
    },
    windows() {
      const out: MatrixSeries[] = [];
      for (let k = 0; k < series.length; k++) {
        const [lo, hi] = this.window(k, 0);
        if (hi <= lo) continue;
        const s = series[k]!;
        out.push({ labels: s.labels, timestamps: s.timestamps.slice(lo, hi), values: s.values.slice(lo, hi) });
      }
      return out;
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
  const raw = await loadSeries(ev.ctx, vs.matchers, lo - m.range, hi, { start: ev.steps.start, end: ev.steps.end, step: ev.steps.step, range: m.range, func });
  const series = raw.map(withoutStale).filter((s) => s.timestamps.length > 0);
  return makeArg(ev, series, refs, m.range);
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
  if (steps.n > 11_000 * 1000) throw new IchigenError('EXECUTION', 'subquery has too many steps');
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
  return makeArg(ev, series, refs, sq.range);
}
