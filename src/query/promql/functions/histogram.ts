import { METRIC_NAME, getLabel, labelsKey, type Labels } from '../../../model/index.js';
import { formatSampleValue } from '../number-format.js';
import { newSeries, type StepSeries } from '../values.js';
import type { FunctionImpl } from './function-impl.js';
import type { EvalContext } from '../eval-context.js';

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
      if (Math.abs(cur - prev) <= 1e-12 * Math.max(Math.abs(cur), Math.abs(prev))) {
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
  if (buckets.length < 2) return { value: NaN, forced };
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return { value: NaN, forced };
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

function withoutLe(labels: Labels): Labels {
  return labels.filter((l) => l.name !== 'le');
}

const histogramQuantile: FunctionImpl = async (ev, call) => {
  const q = (await ev.evalScalar(call.args[0]!)).values;
  const vec = await ev.evalVector(call.args[1]!);
  const ctx: EvalContext = ev.ctx;
  const p3 = ctx.options.compatibility === 'prometheus3';
  const groups = new Map<string, { labels: Labels; members: Array<{ s: StepSeries; upper: number }>; name: string }>();
  const order: string[] = [];
  for (const s of vec.series) {
    const le = parseLe(getLabel(s.labels, 'le'));
    const name = getLabel(s.labels, METRIC_NAME);
    if (le === undefined) {
      if (p3) ctx.warnings.add(`PromQL warning: bucket label "le" is missing or has a malformed value of "${getLabel(s.labels, 'le')}" for metric name "${name}"`);
      continue;
    }
    const base = withoutLe(s.labels);
    const key = labelsKey(base);
    let g = groups.get(key);
    if (g === undefined) {
      g = { labels: base.filter((l) => l.name !== METRIC_NAME), members: [], name };
      groups.set(key, g);
      order.push(key);
    }
    g.members.push({ s, upper: le });
  }
  const out: StepSeries[] = [];
  for (const key of order) {
    const g = groups.get(key)!;
    const r = newSeries(g.labels, ev.steps.n);
    for (let i = 0; i < ev.steps.n; i++) {
      const buckets: Bucket[] = [];
      for (const m of g.members) if (m.s.present[i]) buckets.push({ upper: m.upper, count: m.s.values[i]! });
      if (buckets.length === 0) continue;
      const qi = q[i]!;
      if (p3 && (qi < 0 || qi > 1 || Number.isNaN(qi))) ctx.warnings.add(`PromQL warning: quantile value should be between 0 and 1, got ${formatSampleValue(qi)}`);
      const res = bucketQuantile(qi, buckets, p3);
      if (res.forced && p3) {
        ctx.infos.add(`PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "${g.name}"`);
      }
      r.values[i] = res.value;
      r.present[i] = 1;
    }
    if (r.present.some((p) => p === 1)) out.push(r);
  }
  ev.release(vec.series);
  return { kind: 'vector', series: out };
};

/** Functions defined only for native histograms: float samples give no output. */
const nativeOnly: FunctionImpl = async (ev, call) => {
  for (const a of call.args) await ev.eval(a);
  return { kind: 'vector', series: [] };
};

export const HISTOGRAM_FUNCTIONS: ReadonlyArray<readonly [string, FunctionImpl]> = [
  ['histogram_quantile', histogramQuantile],
  ...['histogram_count', 'histogram_sum', 'histogram_avg', 'histogram_stddev', 'histogram_stdvar', 'histogram_fraction'].map((n) => [n, nativeOnly] as const),
];
