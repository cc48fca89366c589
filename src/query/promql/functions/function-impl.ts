import { IchigenError, compareLabels, labelsKey } from '../../../model/index.js';
import type { Call } from '../ast.js';
import type { EvalContext } from '../eval-context.js';
import { checkUnique, dropName, type Evaluator } from '../evaluator.js';
import { evalMatrixArg } from '../matrix.js';
import { newSeries, stepTime, type EvalValue, type StepSeries } from '../values.js';

/** One function's implementation (the engine's half of the function table). */
export type FunctionImpl = (ev: Evaluator, call: Call) => Promise<EvalValue>;

/** A window of one series at one step, reused between calls (no allocation per step). */
export interface Window {
  ts: Float64Array;
  vs: Float64Array;
  lo: number;
  hi: number;
  /** Window bounds (ms) as Prometheus computes extrapolation against. */
  rangeStart: number;
  rangeEnd: number;
  range: number;
  /** The evaluation time of the step (before offset). */
  stepTime: number;
}

/** Returns the value at this window, or undefined for no output. */
export type RangeKernel = (w: Window, args: readonly number[], ctx: EvalContext, call: Call) => number | undefined;

export interface RangeOptions {
  /** Index of the range-vector argument (quantile_over_time: 1). */
  readonly matrixArg?: number;
  /** Whether the metric name survives (Prometheus drops it for almost every function). */
  readonly keepName?: (ctx: EvalContext) => boolean;
}

/** Builds a range-vector function from its per-window kernel. */
export function rangeFunction(kernel: RangeKernel, opts: RangeOptions = {}): FunctionImpl {
  const matrixArg = opts.matrixArg ?? 0;
  return async (ev, call) => {
    const scalarArgs: Float64Array[] = [];
    for (let a = 0; a < call.args.length; a++) if (a !== matrixArg) scalarArgs.push((await ev.evalScalar(call.args[a]!)).values);
    const m = await evalMatrixArg(ev, call.args[matrixArg]!, call.func);
    const n = ev.steps.n;
    const keep = opts.keepName?.(ev.ctx) ?? false;
    const out: StepSeries[] = [];
    const args = new Array<number>(scalarArgs.length).fill(0);
    const w: Window = { ts: new Float64Array(0), vs: new Float64Array(0), lo: 0, hi: 0, rangeStart: 0, rangeEnd: 0, range: m.range, stepTime: 0 };
    for await (const s of m.each()) {
      ev.ctx.limits.add(s.values.length);
      const r = newSeries(keep ? s.labels : dropName(s.labels), n);
      w.ts = s.timestamps;
      w.vs = s.values;
      let any = 0;
      const bounds = new Int32Array(2);
      for (let i = 0; i < n; i++) {
        m.windowInto(s, i, bounds);
        const lo = bounds[0]!;
        const hi = bounds[1]!;
        if (hi <= lo) continue;
        w.lo = lo;
        w.hi = hi;
        w.rangeEnd = m.refs[i]!;
        w.rangeStart = w.rangeEnd - m.range;
        w.stepTime = stepTime(ev.steps, i);
        for (let a = 0; a < args.length; a++) args[a] = scalarArgs[a]![i]!;
        const v = kernel(w, args, ev.ctx, call);
        if (v === undefined) continue;
        r.values[i] = v;
        r.present[i] = 1;
        any++;
      }
      ev.ctx.limits.release(s.values.length);
      ev.ctx.limits.tick();
      if (any > 0) {
        ev.ctx.limits.add(any);
        out.push(r);
      }
    }
    if (!keep) checkNoSameLabelset(out);
    out.sort((a, b) => compareLabels(a.labels, b.labels));
    return { kind: 'vector', series: out };
  };
}

/** Range functions refuse two output series with one label set anywhere in the range (as Prometheus). */
function checkNoSameLabelset(series: readonly StepSeries[]): void {
  if (series.length < 2) return;
  const seen = new Set<string>();
  for (const s of series) {
    const key = labelsKey(s.labels);
    if (seen.has(key)) throw new IchigenError('EXECUTION', 'vector cannot contain metrics with the same labelset');
    seen.add(key);
  }
}

/**
 * Builds an element-wise function over an instant vector (arg 0) with optional scalar
 * arguments; `undefined` from `f` drops the element.
 */
export function mapFunction(f: (v: number, args: readonly number[]) => number | undefined, keepName = false): FunctionImpl {
  return async (ev, call) => {
    const vec = await ev.evalVector(call.args[0]!);
    const scalarArgs: Float64Array[] = [];
    for (let a = 1; a < call.args.length; a++) scalarArgs.push((await ev.evalScalar(call.args[a]!)).values);
    const args = new Array<number>(scalarArgs.length).fill(0);
    for (const s of vec.series) {
      if (!keepName) s.labels = dropName(s.labels);
      for (let i = 0; i < s.values.length; i++) {
        if (!s.present[i]) continue;
        for (let a = 0; a < args.length; a++) args[a] = scalarArgs[a]![i]!;
        const v = f(s.values[i]!, args);
        if (v === undefined) s.present[i] = 0;
        else s.values[i] = v;
      }
    }
    const series = vec.series.filter((s) => s.present.some((p) => p === 1));
    if (!keepName) checkUnique(series);
    return { kind: 'vector', series };
  };
}
