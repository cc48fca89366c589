import type { ValueType } from './ast.js';

/**
 * The table of function signatures (the parser's view). Implementations live in a separate
 * table (functions/), as in Prometheus, so the parser never imports the engine.
 * `variadic`: 0 = exactly argTypes; n > 0 = the last type may be repeated so up to
 * argTypes.length - 1 + n arguments; -1 = the last type repeats without limit. With
 * variadic != 0 the last declared argument is optional.
 */
export interface FunctionSignature {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  readonly variadic: number;
  readonly returnType: ValueType;
}

const V = 'vector' as const;
const M = 'matrix' as const;
const S = 'scalar' as const;
const STR = 'string' as const;

function sig(name: string, argTypes: ValueType[], returnType: ValueType, variadic = 0): FunctionSignature {
  return { name, argTypes, returnType, variadic };
}

const LIST: FunctionSignature[] = [
  ...['abs', 'ceil', 'exp', 'floor', 'ln', 'log2', 'log10', 'sqrt', 'sgn', 'deg', 'rad',
    'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh',
    'timestamp', 'sort', 'sort_desc', 'histogram_count', 'histogram_sum', 'histogram_avg',
    'histogram_stddev', 'histogram_stdvar'].map((n) => sig(n, [V], V)),
  ...['avg_over_time', 'count_over_time', 'last_over_time', 'max_over_time', 'min_over_time',
    'present_over_time', 'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'mad_over_time',
    'first_over_time', 'ts_of_first_over_time', 'ts_of_last_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time',
    'changes', 'resets', 'delta', 'deriv', 'idelta', 'increase', 'irate', 'rate', 'absent_over_time'].map((n) => sig(n, [M], V)),
  ...['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'].map((n) => sig(n, [V], V, 1)),
  sig('absent', [V], V),
  sig('clamp', [V, S, S], V),
  sig('clamp_max', [V, S], V),
  sig('clamp_min', [V, S], V),
  sig('histogram_fraction', [S, S, V], V),
  sig('histogram_quantile', [S, V], V),
  sig('holt_winters', [M, S, S], V),
  sig('double_exponential_smoothing', [M, S, S], V),
  sig('label_replace', [V, STR, STR, STR, STR], V),
  sig('label_join', [V, STR, STR, STR], V, -1),
  sig('pi', [], S),
  sig('predict_linear', [M, S], V),
  sig('quantile_over_time', [S, M], V),
  sig('round', [V, S], V, 1),
  sig('scalar', [V], S),
  sig('sort_by_label', [V, STR], V, -1),
  sig('sort_by_label_desc', [V, STR], V, -1),
  sig('time', [], S),
  sig('vector', [S], V),
  // Experimental in Prometheus 3 (--enable-feature=promql-experimental-functions); always on here.
  sig('histogram_quantiles', [V, STR, S, S], V, 9),
  sig('step', [], S),
  sig('range', [], S),
];

/** The PromQL dialect a query is parsed in (`promql.compatibility`). */
export type Dialect = 'prometheus3' | 'prometheus2';

/**
 * Functions the Prometheus 2.42 parser does not know: in prometheus2 mode they fail to
 * parse exactly as they do there ("unknown function with name"), so a query that works
 * with Ichigen in that mode also works on the Prometheus 2 it stands in for.
 */
const NOT_IN_PROMETHEUS2: ReadonlySet<string> = new Set([
  'double_exponential_smoothing', 'sort_by_label', 'sort_by_label_desc', 'mad_over_time', 'first_over_time',
  'ts_of_first_over_time', 'ts_of_last_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time',
  'histogram_avg', 'histogram_stddev', 'histogram_stdvar', 'histogram_quantiles', 'step', 'range',
]);

/** Prometheus 3 renamed holt_winters to double_exponential_smoothing and dropped the old name. */
const NOT_IN_PROMETHEUS3: ReadonlySet<string> = new Set(['holt_winters']);

/** The signature of a function as the dialect knows it, or undefined for an unknown function. */
export function functionSignature(name: string, dialect: Dialect): FunctionSignature | undefined {
  if ((dialect === 'prometheus2' ? NOT_IN_PROMETHEUS2 : NOT_IN_PROMETHEUS3).has(name)) return undefined;
  return FUNCTION_SIGNATURES.get(name);
}

export const FUNCTION_SIGNATURES: ReadonlyMap<string, FunctionSignature> = new Map(LIST.map((s) => [s.name, s]));
