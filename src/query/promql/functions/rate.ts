import type { EvalContext } from '../eval-context.js';
import { kahanSumInc } from '../kahan.js';
import { invalidFactor } from './over-time.js';
import { rangeFunction, type FunctionImpl, type SeriesKernel, type Window } from './function-impl.js';

/**
 * The extrapolation of rate/increase/delta to the window edges, once the raw difference
 * (with counter-reset corrections) is known, as Prometheus 3 or 2 does it.
 */
function extrapolate(result: number, w: { firstT: number; lastT: number; firstV: number; n: number; rangeStart: number; rangeEnd: number; range: number }, p3: boolean, isCounter: boolean, isRate: boolean): number {
  const { firstT, lastT, firstV, n } = w;
  let durationToStart = (firstT - w.rangeStart) / 1000;
  let durationToEnd = (w.rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const avgBetween = sampledInterval / (n - 1);
  const threshold = avgBetween * 1.1;
  let extrapolateTo: number;
  if (p3) {
    if (durationToStart >= threshold) durationToStart = avgBetween / 2;
    if (isCounter && result > 0 && firstV >= 0) {
      const durationToZero = sampledInterval * (firstV / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
    extrapolateTo = sampledInterval + durationToStart + durationToEnd;
  } else {
    if (isCounter && result > 0 && firstV >= 0) {
      const durationToZero = sampledInterval * (firstV / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    extrapolateTo = sampledInterval;
    extrapolateTo += durationToStart < threshold ? durationToStart : avgBetween / 2;
    extrapolateTo += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
  }
  result = result * (extrapolateTo / sampledInterval);
  if (isRate) result = result / (w.range / 1000);
  return result;
}

/** rate/increase/delta with Prometheus' extrapolation to the window edges. */
function extrapolatedRate(w: Window, ctx: EvalContext, isCounter: boolean, isRate: boolean): number | undefined {
  const n = w.hi - w.lo;
  if (n < 2) return undefined;
  const firstV = w.vs[w.lo]!;
  let result = w.vs[w.hi - 1]! - firstV;
  if (isCounter) {
    let prev = firstV;
    for (let j = w.lo + 1; j < w.hi; j++) {
      const cur = w.vs[j]!;
      if (cur < prev) result += prev;
      prev = cur;
    }
  }
  const shape = { firstT: w.ts[w.lo]!, lastT: w.ts[w.hi - 1]!, firstV, n, rangeStart: w.rangeStart, rangeEnd: w.rangeEnd, range: w.range };
  return extrapolate(result, shape, isP3(ctx), isCounter, isRate);
}

/**
 * The same over a whole series: counter-reset corrections as running sums, so each step
 * costs the same however long its window. Running sums add in another order than the
 * window-by-window loop; they are used only when that cannot change a bit (no reset, or
 * integer values whose sums stay exact), otherwise each window is summed as Prometheus does.
 */
function rateSeries(isCounter: boolean, isRate: boolean): SeriesKernel {
  return (ts, vs, los, his, refs, range, ctx, values, present) => {
    const p3 = isP3(ctx);
    const len = vs.length;
    let corr: Float64Array | undefined;
    let exact = true;
    if (isCounter) {
      let resets = false;
      for (let j = 1; j < len; j++) {
        if (vs[j]! < vs[j - 1]!) {
          resets = true;
          break;
        }
      }
      if (resets) {
        corr = new Float64Array(len);
        let total = 0;
        for (let j = 1; j < len; j++) {
          const prev = vs[j - 1]!;
          if (vs[j]! < prev) total += prev;
          corr[j] = total;
          if (!Number.isSafeInteger(prev) || !Number.isSafeInteger(total)) exact = false;
        }
      }
    }
    const shape = { firstT: 0, lastT: 0, firstV: 0, n: 0, rangeStart: 0, rangeEnd: 0, range };
    let any = 0;
    for (let i = 0; i < los.length; i++) {
      const lo = los[i]!;
      const hi = his[i]!;
      const n = hi - lo;
      if (n < 2) continue;
      const firstV = vs[lo]!;
      let result = vs[hi - 1]! - firstV;
      if (corr !== undefined) {
        if (exact) result += corr[hi - 1]! - corr[lo]!;
        else {
          let prev = firstV;
          for (let j = lo + 1; j < hi; j++) {
            const cur = vs[j]!;
            if (cur < prev) result += prev;
            prev = cur;
          }
        }
      }
      shape.firstT = ts[lo]!;
      shape.lastT = ts[hi - 1]!;
      shape.firstV = firstV;
      shape.n = n;
      shape.rangeEnd = refs[i]!;
      shape.rangeStart = shape.rangeEnd - range;
      values[i] = extrapolate(result, shape, p3, isCounter, isRate);
      present[i] = 1;
      any++;
    }
    return any;
  };
}

function instantValue(w: Window, isRate: boolean): number | undefined {
  if (w.hi - w.lo < 2) return undefined;
  const last = w.vs[w.hi - 1]!;
  const prev = w.vs[w.hi - 2]!;
  const interval = w.ts[w.hi - 1]! - w.ts[w.hi - 2]!;
  let result = isRate && last < prev ? last : last - prev;
  if (interval === 0) return undefined;
  if (isRate) result /= interval / 1000;
  return result;
}

/** Least-squares fit of the window, x in seconds relative to `interceptTime`. */
export function linearRegression(w: Window, interceptTime: number, p3: boolean): [number, number] {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = w.vs[w.lo]!;
  let constY = true;
  for (let j = w.lo; j < w.hi; j++) {
    const y = w.vs[j]!;
    if (constY && j > w.lo && y !== initY) constY = false;
    n++;
    const x = (w.ts[j]! - interceptTime) / 1000;
    if (p3) {
      [sumX, cX] = kahanSumInc(x, sumX, cX);
      [sumY, cY] = kahanSumInc(y, sumY, cY);
      [sumXY, cXY] = kahanSumInc(x * y, sumXY, cXY);
      [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
    } else {
      sumX += x;
      sumY += y;
      sumXY += x * y;
      sumX2 += x * x;
    }
  }
  if (constY && p3) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

function smoothing(w: Window, sf: number, tf: number): number | undefined {
  if (!(sf > 0 && sf < 1)) throw invalidFactor('smoothing', sf);
  if (!(tf > 0 && tf < 1)) throw invalidFactor('trend', tf);
  const l = w.hi - w.lo;
  if (l < 2) return undefined;
  let s0 = 0;
  let s1 = w.vs[w.lo]!;
  let b = w.vs[w.lo + 1]! - w.vs[w.lo]!;
  for (let i = 1; i < l; i++) {
    const x = sf * w.vs[w.lo + i]!;
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

const isP3 = (ctx: EvalContext): boolean => ctx.options.compatibility === 'prometheus3';

export const RATE_FUNCTIONS: ReadonlyArray<readonly [string, FunctionImpl]> = [
  ['rate', rangeFunction((w, _a, ctx) => extrapolatedRate(w, ctx, true, true), { series: rateSeries(true, true) })],
  ['increase', rangeFunction((w, _a, ctx) => extrapolatedRate(w, ctx, true, false), { series: rateSeries(true, false) })],
  ['delta', rangeFunction((w, _a, ctx) => extrapolatedRate(w, ctx, false, false), { series: rateSeries(false, false) })],
  ['irate', rangeFunction((w) => instantValue(w, true))],
  ['idelta', rangeFunction((w) => instantValue(w, false))],
  [
    'deriv',
    rangeFunction((w, _a, ctx) => {
      if (w.hi - w.lo < 2) return undefined;
      return linearRegression(w, w.ts[w.lo]!, isP3(ctx))[0];
    }),
  ],
  [
    'predict_linear',
    rangeFunction((w, [duration], ctx) => {
      if (w.hi - w.lo < 2) return undefined;
      const [slope, intercept] = linearRegression(w, w.stepTime, isP3(ctx));
      return slope * duration! + intercept;
    }),
  ],
  ['holt_winters', rangeFunction((w, [sf, tf]) => smoothing(w, sf!, tf!))],
  ['double_exponential_smoothing', rangeFunction((w, [sf, tf]) => smoothing(w, sf!, tf!))],
];
