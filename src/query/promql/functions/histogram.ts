import { IchigenError, METRIC_NAME, getLabel, labelsKey, type Labels } from '../../../model/index.js';
import { info, invalidQuantile, warn } from '../annotations.js';
import type { Expr } from '../ast.js';
import type { EvalContext } from '../eval-context.js';
import { checkUnique, type Evaluator } from '../evaluator.js';
import { formatGoFloat } from '../number-format.js';
import { newSeries, type StepSeries } from '../values.js';
import type { FunctionImpl } from './function-impl.js';

interface Bucket {
  upper: number;
  count: number;
}

/** Go's strconv.ParseFloat for an `le` value. */
function parseLe(s: string): number | undefined {
  const t = s.trim();
  if (t !== s || t === '') return undefined;
  const lower = t.toLowerCase();
  if (lower === '+inf' || lower === 'inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) && !/^[+-]?0x[0-9a-f]+(\.[0-9a-f]*)?(p[+-]?\d+)?$/i.test(t)) return undefined;
  return Number(t);
}

const MIN_NORMAL = 2.2250738585072014e-308;

/** Prometheus' almost.Equal: relative difference against the sum of magnitudes. */
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Prometheus' bucketQuantile over classic buckets, with its monotonicity fix-up. */
export function bucketQuantile(q: number, input: Bucket[], p3: boolean): { value: number; forced: boolean } {
  if (Number.isNaN(q)) return { value: NaN, forced: false };
  if (q < 0) return { value: -Infinity, forced: false };
  if (q > 1) return { value: Infinity, forced: false };
  const sorted = [...input].sort((a, b) => a.upper - b.upper);
  if (sorted[sorted.length - 1]!.upper !== Infinity) return { value: NaN, forced: false };
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last !== undefined && last.upper === b.upper) last.count += b.count;
    else buckets.push({ ...b });
  }
  let forced = false;
  if (p3) {
    let prev = buckets[0]!.count;
    for (let i = 1; i < buckets.length; i++) {
      const cur = buckets[i]!.count;
      if (cur === prev) continue;
      if (almostEqual(prev, cur, 1e-12)) {
        buckets[i]!.count = prev;
        continue;
      }
      if (cur < prev) {
        buckets[i]!.count = prev;
        forced = true;
        continue;
      }
      prev = cur;
    }
  } else {
    let max = -Infinity;
    for (const b of buckets) {
      if (b.count > max) max = b.count;
      else if (b.count < max) {
        b.count = max;
        forced = true;
      }
    }
  }
  if (buckets.length < 2) return { value: NaN, forced: false };
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return { value: NaN, forced: false };
  let rank = q * observations;
  let b = 0;
  while (b < buckets.length - 1 && !(buckets[b]!.count >= rank)) b++;
  if (b === buckets.length - 1) return { value: buckets[buckets.length - 2]!.upper, forced };
  if (b === 0 && buckets[0]!.upper <= 0) return { value: buckets[0]!.upper, forced };
  let start = 0;
  const end = buckets[b]!.upper;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.upper;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return { value: start + (end - start) * (rank / count), forced };
}

interface ClassicGroup {
  readonly labels: Labels;
  readonly members: Array<{ s: StepSeries; upper: number }>;
}

/**
 * The classic histograms in a vector: bucket series grouped by their labels without `le`.
 * Prometheus 3 keeps the metric name in the grouping (two histograms of different names
 * then collide on output); Prometheus 2 grouped without it.
 */
function classicGroups(ev: Evaluator, series: readonly StepSeries[], at: Expr): ClassicGroup[] {
  const p3 = ev.ctx.options.compatibility === 'prometheus3';
  const groups = new Map<string, ClassicGroup>();
  const out: ClassicGroup[] = [];
  for (const s of series) {
    const le = parseLe(getLabel(s.labels, 'le'));
    if (le === undefined) {
      warn(ev.ctx, `bucket label "le" is missing or has a malformed value of ${JSON.stringify(getLabel(s.labels, 'le'))}`, at);
      continue;
    }
    const labels = s.labels.filter((l) => l.name !== 'le' && l.name !== METRIC_NAME);
    const key = p3 ? labelsKey(s.labels.filter((l) => l.name !== 'le')) : labelsKey(labels);
    let g = groups.get(key);
    if (g === undefined) {
      g = { labels, members: [] };
      groups.set(key, g);
      out.push(g);
    }
    g.members.push({ s, upper: le });
  }
  return out;
}

function bucketsAt(g: ClassicGroup, i: number): Bucket[] {
  const buckets: Bucket[] = [];
  for (const m of g.members) if (m.s.present[i]) buckets.push({ upper: m.upper, count: m.s.values[i]! });
  return buckets;
}

const MONOTONICITY_INFO = 'input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)';

const histogramQuantile: FunctionImpl = async (ev, call) => {
  const q = (await ev.evalScalar(call.args[0]!)).values;
  const vec = await ev.evalVector(call.args[1]!);
  const ctx: EvalContext = ev.ctx;
  const p3 = ctx.options.compatibility === 'prometheus3';
  const out: StepSeries[] = [];
  // Every step checks its quantile, with or without buckets.
  for (const qi of q) if (qi < 0 || qi > 1 || Number.isNaN(qi)) invalidQuantile(ctx, qi, call.args[0]!);
  for (const g of classicGroups(ev, vec.series, call.args[1]!)) {
    const r = newSeries(g.labels, ev.steps.n);
    for (let i = 0; i < ev.steps.n; i++) {
      const buckets = bucketsAt(g, i);
      if (buckets.length === 0) continue;
      const res = bucketQuantile(q[i]!, buckets, p3);
      if (res.forced) info(ctx, MONOTONICITY_INFO, call.args[1]!);
      r.values[i] = res.value;
      r.present[i] = 1;
    }
    if (r.present.some((p) => p === 1)) out.push(r);
  }
  ev.release(vec.series);
  checkUnique(out);
  return { kind: 'vector', series: out };
};

/** Prometheus' FormatOpenMetricsFloat, for the quantile label of histogram_quantiles. */
function openMetricsFloat(f: number): string {
  if (f === 1) return '1.0';
  if (f === 0) return '0.0';
  if (f === -1) return '-1.0';
  const s = formatGoFloat(f);
  return /[e.]|Inf|NaN/.test(s) ? s : `${s}.0`;
}

/** histogram_quantiles(v, "label", q1, …): several quantiles at once, told apart by a label. */
const histogramQuantiles: FunctionImpl = async (ev, call) => {
  const vec = await ev.evalVector(call.args[0]!);
  const label = await ev.evalString(call.args[1]!);
  const qs: Float64Array[] = [];
  for (let a = 2; a < call.args.length; a++) qs.push((await ev.evalScalar(call.args[a]!)).values);
  const out: StepSeries[] = [];
  const byKey = new Map<string, StepSeries>();
  const groups = classicGroups(ev, vec.series, call.args[0]!);
  for (let i = 0; i < ev.steps.n; i++) {
    for (let a = 0; a < qs.length; a++) {
      const q = qs[a]![i]!;
      if (q < 0 || q > 1 || Number.isNaN(q)) invalidQuantile(ev.ctx, q, call.args[a + 2]!);
      for (const g of groups) {
        const buckets = bucketsAt(g, i);
        if (buckets.length === 0) continue;
        const res = bucketQuantile(q, buckets, true);
        if (res.forced) info(ev.ctx, MONOTONICITY_INFO, call.args[0]!);
        const labels = [...g.labels.filter((l) => l.name !== label), { name: label, value: openMetricsFloat(q) }].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
        const key = labelsKey(labels);
        let r = byKey.get(key);
        if (r === undefined) {
          byKey.set(key, (r = newSeries(labels, ev.steps.n)));
          out.push(r);
        } else if (r.present[i]) throw new IchigenError('EXECUTION', 'vector cannot contain metrics with the same labelset');
        r.values[i] = res.value;
        r.present[i] = 1;
      }
    }
  }
  ev.release(vec.series);
  return { kind: 'vector', series: out };
};

/**
 * Prometheus 3's BucketFraction: the share of observations between lower and upper in a
 * classic histogram, interpolating linearly inside a bucket. The lowest bucket starts at 0
 * when its upper bound is positive, else at -Inf (no interpolation there).
 */
export function bucketFraction(lower: number, upper: number, input: Bucket[]): number {
  const sorted = [...input].sort((a, b) => a.upper - b.upper);
  if (sorted.length === 0 || sorted[sorted.length - 1]!.upper !== Infinity) return NaN;
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last !== undefined && last.upper === b.upper) last.count += b.count;
    else buckets.push({ ...b });
  }
  const count = buckets[buckets.length - 1]!.count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  let from = buckets[0]!.upper <= 0 ? -Infinity : 0;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (i > 0) from = buckets[i - 1]!.upper;
    const to = b.upper;
    const at = (v: number): number => (from === -Infinity ? b.count : rank + ((b.count - rank) * (v - from)) / (to - from));
    if (!lowerSet && from >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && from >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && from < lower && to > lower) {
      lowerRank = at(lower);
      lowerSet = true;
    }
    if (!upperSet && from < upper && to > upper) {
      upperRank = at(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}

/** histogram_fraction over classic buckets (Prometheus 3; Prometheus 2 only knew native histograms here). */
const histogramFraction: FunctionImpl = async (ev, call) => {
  const lower = (await ev.evalScalar(call.args[0]!)).values;
  const upper = (await ev.evalScalar(call.args[1]!)).values;
  const vec = await ev.evalVector(call.args[2]!);
  if (ev.ctx.options.compatibility !== 'prometheus3') return { kind: 'vector', series: [] };
  const out: StepSeries[] = [];
  for (const g of classicGroups(ev, vec.series, call.args[2]!)) {
    const r = newSeries(g.labels, ev.steps.n);
    for (let i = 0; i < ev.steps.n; i++) {
      const buckets = bucketsAt(g, i);
      if (buckets.length === 0) continue;
      r.values[i] = bucketFraction(lower[i]!, upper[i]!, buckets);
      r.present[i] = 1;
    }
    if (r.present.some((p) => p === 1)) out.push(r);
  }
  ev.release(vec.series);
  checkUnique(out);
  return { kind: 'vector', series: out };
};

/** Functions defined only for native histograms: float samples give no output. */
const nativeOnly: FunctionImpl = async (ev, call) => {
  for (const a of call.args) await ev.eval(a);
  return { kind: 'vector', series: [] };
};

export const HISTOGRAM_FUNCTIONS: ReadonlyArray<readonly [string, FunctionImpl]> = [
  ['histogram_quantile', histogramQuantile],
  ['histogram_quantiles', histogramQuantiles],
  ['histogram_fraction', histogramFraction],
  ...['histogram_count', 'histogram_sum', 'histogram_avg', 'histogram_stddev', 'histogram_stdvar'].map((n) => [n, nativeOnly] as const),
];
