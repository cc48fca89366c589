import { IchigenError } from '../../../model/index.js';
import type { EvalContext } from '../eval-context.js';
import { kahanSumInc, quantileOf } from '../kahan.js';
import { invalidQuantile } from '../annotations.js';
import { rangeFunction, type FunctionImpl, type Window } from './function-impl.js';

function avgOverTime(w: Window, p3: boolean): number {
  if (p3) {
    // Prometheus 3: compensated sum divided by the count; once the sum would overflow, a
    // compensated running mean scaled by (n-1)/n at each step.
    let sum = w.vs[w.lo]!;
    let c = 0;
    let count = 1;
    let mean = 0;
    let incremental = false;
    for (let j = w.lo + 1; j < w.hi; j++) {
      const x = w.vs[j]!;
      count++;
      if (!incremental) {
        const [t, nc] = kahanSumInc(x, sum, c);
        if (t !== Infinity && t !== -Infinity) {
          sum = t;
          c = nc;
          continue;
        }
        incremental = true;
        mean = sum / (count - 1);
        c = c / (count - 1);
      }
      const q = (count - 1) / count;
      [mean, c] = kahanSumInc(x / count, q * mean, q * c);
    }
    if (incremental) return mean + c;
    return sum / count + c / count;
  }
  let mean = 0;
  let c = 0;
  let count = 0;
  for (let j = w.lo; j < w.hi; j++) {
    const x = w.vs[j]!;
    count++;
    if (mean === Infinity || mean === -Infinity) {
      if ((x === Infinity || x === -Infinity) && mean > 0 === x > 0) continue;
      if (!(x === Infinity || x === -Infinity) && !Number.isNaN(x)) continue;
    }
    [mean, c] = kahanSumInc(x / count - mean / count, mean, c, false);
  }
  return mean === Infinity || mean === -Infinity ? mean : mean + c;
}

function variance(w: Window, p3: boolean): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (let j = w.lo; j < w.hi; j++) {
    const x = w.vs[j]!;
    count++;
    const delta = x - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean, p3);
    [aux, cAux] = kahanSumInc(delta * (x - (mean + cMean)), aux, cAux, p3);
  }
  return (aux + cAux) / count;
}

/**
 * max/min_over_time take the first extreme value; ts_of_max/min_over_time report the
 * timestamp of the last sample holding it (>= / <=), as Prometheus does. A NaN is replaced
 * by any later value.
 */
function extreme(w: Window, max: boolean, wantTime: boolean): number {
  let best = w.vs[w.lo]!;
  let at = w.ts[w.lo]!;
  for (let j = w.lo; j < w.hi; j++) {
    const x = w.vs[j]!;
    const better = wantTime ? (max ? x >= best : x <= best) : max ? x > best : x < best;
    if (better || Number.isNaN(best)) {
      best = x;
      at = w.ts[j]!;
    }
  }
  return wantTime ? at / 1000 : best;
}

const isP3 = (ctx: EvalContext): boolean => ctx.options.compatibility === 'prometheus3';

/** last_over_time and first_over_time keep the metric name (they return a sample as it was). */
const keepLastName = (): boolean => true;

export const OVER_TIME_FUNCTIONS: ReadonlyArray<readonly [string, FunctionImpl]> = [
  ['avg_over_time', rangeFunction((w, _a, ctx) => avgOverTime(w, ctx.options.compatibility === 'prometheus3'))],
  ['count_over_time', rangeFunction((w) => w.hi - w.lo)],
  ['last_over_time', rangeFunction((w) => w.vs[w.hi - 1]!, { keepName: keepLastName })],
  ['first_over_time', rangeFunction((w) => w.vs[w.lo]!, { keepName: keepLastName })],
  ['ts_of_last_over_time', rangeFunction((w) => w.ts[w.hi - 1]! / 1000)],
  ['ts_of_first_over_time', rangeFunction((w) => w.ts[w.lo]! / 1000)],
  ['max_over_time', rangeFunction((w) => extreme(w, true, false))],
  ['min_over_time', rangeFunction((w) => extreme(w, false, false))],
  ['ts_of_max_over_time', rangeFunction((w) => extreme(w, true, true))],
  ['ts_of_min_over_time', rangeFunction((w) => extreme(w, false, true))],
  ['present_over_time', rangeFunction(() => 1)],
  [
    'sum_over_time',
    rangeFunction((w, _a, ctx) => {
      const p3 = isP3(ctx);
      let sum = 0;
      let c = 0;
      for (let j = w.lo; j < w.hi; j++) [sum, c] = kahanSumInc(w.vs[j]!, sum, c, p3);
      return sum === Infinity || sum === -Infinity ? sum : sum + c;
    }),
  ],
  ['stdvar_over_time', rangeFunction((w, _a, ctx) => variance(w, isP3(ctx)))],
  ['stddev_over_time', rangeFunction((w, _a, ctx) => Math.sqrt(variance(w, isP3(ctx))))],
  [
    'mad_over_time',
    rangeFunction((w) => {
      const vals = Array.from(w.vs.subarray(w.lo, w.hi));
      const median = quantileOf(0.5, vals);
      return quantileOf(0.5, vals.map((v) => Math.abs(v - median)));
    }),
  ],
  [
    'quantile_over_time',
    rangeFunction(
      (w, [q], ctx, call) => {
        if (q! < 0 || q! > 1 || Number.isNaN(q!)) invalidQuantile(ctx, q!, call.args[0]!);
        return quantileOf(q!, Array.from(w.vs.subarray(w.lo, w.hi)));
      },
      { matrixArg: 1 },
    ),
  ],
  [
    'changes',
    rangeFunction((w) => {
      let changes = 0;
      let prev = w.vs[w.lo]!;
      for (let j = w.lo + 1; j < w.hi; j++) {
        const cur = w.vs[j]!;
        if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
        prev = cur;
      }
      return changes;
    }),
  ],
  [
    'resets',
    rangeFunction((w) => {
      let resets = 0;
      let prev = w.vs[w.lo]!;
      for (let j = w.lo + 1; j < w.hi; j++) {
        const cur = w.vs[j]!;
        if (cur < prev) resets++;
        prev = cur;
      }
      return resets;
    }),
  ],
];

export function invalidFactor(what: string, v: number): IchigenError {
  return new IchigenError('EXECUTION', `invalid ${what} factor. Expected: 0 < ${what === 'smoothing' ? 'sf' : 'tf'} < 1, got: ${v.toFixed(6)}`);
}
