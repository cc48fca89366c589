import { IchigenError, compareLabels, labelsKey, type Labels } from '../../../model/index.js';
import type { Call } from '../ast.js';
import type { EvalContext } from '../eval-context.js';
import { checkUnique, dropName, type Evaluator } from '../evaluator.js';
import { evalMatrixArg } from '../matrix.js';
import { stepTime, type EvalValue, type StepSeries } from '../values.js';

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

/**
 * A whole series at once, for functions that can do better than window by window (rate
 * keeps running sums): fills `values`/`present` for every step whose window [lo, hi) is not
 * empty, returns how many steps got a value.
 */
export type SeriesKernel = (ts: Float64Array, vs: Float64Array, lo: Int32Array, hi: Int32Array, refs: Float64Array, range: number, ctx: EvalContext, values: Float64Array, present: Uint8Array) => number;

export interface RangeOptions {
  /** Index of the range-vector argument (quantile_over_time: 1). */
  readonly matrixArg?: number;
  /** Optional whole-series form of the kernel (same answers, faster). */
  readonly series?: SeriesKernel;
  /** Whether the metric name survives (Prometheus drops it for almost every function). */
  readonly keepName?: (ctx: EvalContext) => boolean;
}

/**
 * Receives a function's output one series at a time. `values`/`present` are scratch arrays
 * reused for the next series: a consumer that keeps them must copy them.
 */
export type SeriesSink = (labels: Labels, values: Float64Array, present: Uint8Array, count: number) => void;

/** A range-vector function that can also stream its output (aggregations fold it as it comes). */
export interface StreamingFunction extends FunctionImpl {
  stream(ev: Evaluator, call: Call, sink: SeriesSink): Promise<void>;
}

/** Builds a range-vector function from its per-window kernel. */
export function rangeFunction(kernel: RangeKernel, opts: RangeOptions = {}): StreamingFunction {
  const matrixArg = opts.matrixArg ?? 0;
  const stream = async (ev: Evaluator, call: Call, sink: SeriesSink): Promise<void> => {
    const scalarArgs: Float64Array[] = [];
    for (let a = 0; a < call.args.length; a++) if (a !== matrixArg) scalarArgs.push((await ev.evalScalar(call.args[a]!)).values);
    const m = await evalMatrixArg(ev, call.args[matrixArg]!, call.func);
    const n = ev.steps.n;
    const keep = opts.keepName?.(ev.ctx) ?? false;
    const args = new Array<number>(scalarArgs.length).fill(0);
    const w: Window = { ts: new Float64Array(0), vs: new Float64Array(0), lo: 0, hi: 0, rangeStart: 0, rangeEnd: 0, range: m.range, stepTime: 0 };
    const values = new Float64Array(n);
    const present = new Uint8Array(n);
    const los = new Int32Array(n);
    const his = new Int32Array(n);
    // Prometheus refuses two output series with one label set anywhere in the range.
    const seen = keep ? undefined : new Set<string>();
    for await (const batch of m.batches()) {
      for (const s of batch) {
        ev.ctx.limits.add(s.values.length);
        w.ts = s.timestamps;
        w.vs = s.values;
        present.fill(0);
        m.boundsAll(s, los, his);
        let any = 0;
        if (opts.series !== undefined) any = opts.series(s.timestamps, s.values, los, his, m.refs, m.range, ev.ctx, values, present);
        for (let i = 0; opts.series === undefined && i < n; i++) {
          const lo = los[i]!;
          const hi = his[i]!;
          if (hi <= lo) continue;
          w.lo = lo;
          w.hi = hi;
          w.rangeEnd = m.refs[i]!;
          w.rangeStart = w.rangeEnd - m.range;
          w.stepTime = stepTime(ev.steps, i);
          for (let a = 0; a < args.length; a++) args[a] = scalarArgs[a]![i]!;
          const v = kernel(w, args, ev.ctx, call);
          if (v === undefined) continue;
          values[i] = v;
          present[i] = 1;
          any++;
        }
        ev.ctx.limits.release(s.values.length);
        ev.ctx.limits.tick();
        if (any === 0) continue;
        const labels = keep ? s.labels : dropName(s.labels);
        if (seen !== undefined) {
          const key = labelsKey(labels);
          if (seen.has(key)) throw new IchigenError('EXECUTION', 'vector cannot contain metrics with the same labelset');
          seen.add(key);
        }
        sink(labels, values, present, any);
      }
    }
  };
  const impl: FunctionImpl = async (ev, call) => {
    const out: StepSeries[] = [];
    await stream(ev, call, (labels, values, present, count) => {
      ev.ctx.limits.add(count);
      out.push({ labels, values: values.slice(), present: present.slice() });
    });
    out.sort((a, b) => compareLabels(a.labels, b.labels));
    return { kind: 'vector', series: out };
  };
  return Object.assign(impl, { stream });
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
