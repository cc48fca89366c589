import type { FunctionImpl } from './function-impl.js';
import { mapFunction } from './function-impl.js';

const simple = (f: (v: number) => number): FunctionImpl => mapFunction((v) => f(v));

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export const MATH_FUNCTIONS: ReadonlyArray<readonly [string, FunctionImpl]> = [
  ['abs', simple(Math.abs)],
  ['ceil', simple(Math.ceil)],
  ['floor', simple(Math.floor)],
  ['exp', simple(Math.exp)],
  ['sqrt', simple(Math.sqrt)],
  ['ln', simple(Math.log)],
  ['log2', simple(Math.log2)],
  ['log10', simple(Math.log10)],
  ['sgn', simple((v) => (v > 0 ? 1 : v < 0 ? -1 : v))],
  ['deg', simple((v) => (v * 180) / Math.PI)],
  ['rad', simple((v) => (v * Math.PI) / 180)],
  ['acos', simple(Math.acos)],
  ['acosh', simple(Math.acosh)],
  ['asin', simple(Math.asin)],
  ['asinh', simple(Math.asinh)],
  ['atan', simple(Math.atan)],
  ['atanh', simple(Math.atanh)],
  ['cos', simple(Math.cos)],
  ['cosh', simple(Math.cosh)],
  ['sin', simple(Math.sin)],
  ['sinh', simple(Math.sinh)],
  ['tan', simple(Math.tan)],
  ['tanh', simple(Math.tanh)],
  [
    'round',
    mapFunction((v, args) => {
      const toNearest = args.length > 0 ? args[0]! : 1;
      const inv = 1 / toNearest;
      return Math.floor(v * inv + 0.5) / inv;
    }),
  ],
  ['clamp', mapFunction((v, [min, max]) => (max! < min! ? undefined : Math.max(min!, Math.min(max!, v))))],
  ['clamp_max', mapFunction((v, [max]) => Math.min(max!, v))],
  ['clamp_min', mapFunction((v, [min]) => Math.max(min!, v))],
];

export { goRound };
