import { IchigenError, isValidLabelName, labelsKey, type Labels } from '../../model/index.js';
import type { AggregateExpr } from './ast.js';
import type { Evaluator } from './evaluator.js';
import { groupLabels } from './grouping.js';
import { checkQuantileParams } from './annotations.js';
import { kahanSumInc, quantileOf } from './kahan.js';
import { formatSampleValue } from './number-format.js';
import { newSeries, type EvalValue, type StepSeries } from './values.js';
import { selectK } from './topk.js';

interface Group {
  readonly labels: Labels;
  readonly members: StepSeries[];
}

/** Groups series by their output labels, in order of first appearance. */
function groupSeries(series: readonly StepSeries[], e: AggregateExpr): Group[] {
  const byKey = new Map<string, Group>();
  const out: Group[] = [];
  for (const s of series) {
    const labels = groupLabels(s.labels, e.grouping, e.without);
    const key = labelsKey(labels);
    let g = byKey.get(key);
    if (g === undefined) {
      g = { labels, members: [] };
      byKey.set(key, g);
      out.push(g);
    }
    g.members.push(s);
  }
  return out;
}

export async function evalAggregate(ev: Evaluator, e: AggregateExpr): Promise<EvalValue> {
  const n = ev.steps.n;
  let param: Float64Array | undefined;
  let label = '';
  if (e.param !== undefined) {
    if (e.op === 'count_values') label = await ev.evalString(e.param);
    else param = (await ev.evalScalar(e.param)).values;
  }
  const input = await ev.evalVector(e.expr);
  const groups = groupSeries(input.series, e);
  let out: StepSeries[];
  switch (e.op) {
    case 'topk':
    case 'bottomk':
    case 'limitk':
    case 'limit_ratio':
      out = selectK(ev, e, groups, param!, input.series.length, n);
      break;
    case 'quantile':
      if (ev.ctx.options.compatibility === 'prometheus3') checkQuantileParams(ev.ctx, param!, e.param!);
      out = quantiles(groups, param!, n);
      break;
    case 'count_values':
      out = countValues(e, input.series, label, n);
      break;
    default:
      out = groups.map((g) => simpleAggregate(ev, e.op, g, n)).filter((s) => s.present.some((p) => p === 1));
  }
  ev.release(input.series);
  ev.ctx.limits.add(out.reduce((a, s) => a + s.present.reduce((x, y) => x + y, 0), 0));
  return { kind: 'vector', series: out };
}

function simpleAggregate(ev: Evaluator, op: AggregateExpr['op'], g: Group, n: number): StepSeries {
  const r = newSeries(g.labels, n);
  const v = r.values;
  const count = new Float64Array(n);
  const comp = new Float64Array(n);
  const mean = new Float64Array(n);
  const incremental = new Uint8Array(n);
  const kahan = ev.ctx.options.compatibility === 'prometheus3';
  for (const s of g.members) {
    ev.ctx.limits.tick();
    for (let i = 0; i < n; i++) {
      if (!s.present[i]) continue;
      const x = s.values[i]!;
      const first = count[i] === 0;
      count[i]!++;
      r.present[i] = 1;
      switch (op) {
        case 'sum':
          if (first) v[i] = x;
          else if (kahan) [v[i], comp[i]] = kahanSumInc(x, v[i]!, comp[i]!);
          else v[i] = v[i]! + x;
          break;
        case 'avg':
          if (first) {
            v[i] = x;
            mean[i] = x;
          } else if (kahan) avgKahan(v, comp, mean, incremental, count, i, x);
          else avgIncremental(mean, count[i]!, i, x);
          break;
        case 'min':
          if (first || v[i]! > x || Number.isNaN(v[i]!)) v[i] = x;
          break;
        case 'max':
          if (first || v[i]! < x || Number.isNaN(v[i]!)) v[i] = x;
          break;
        case 'count':
          v[i] = count[i]!;
          break;
        case 'group':
          v[i] = 1;
          break;
        case 'stddev':
        case 'stdvar': {
          if (first) {
            mean[i] = x;
            // Prometheus 3 starts from NaN when the first value is NaN or infinite.
            v[i] = kahan && !Number.isFinite(x) ? NaN : 0;
          } else {
            const delta = x - mean[i]!;
            mean[i] = mean[i]! + delta / count[i]!;
            v[i] = v[i]! + delta * (x - mean[i]!);
          }
          break;
        }
        default:
          throw new IchigenError('EXECUTION', `unknown aggregation ${op}`);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    if (!r.present[i]) continue;
    if (op === 'sum' && kahan) v[i] = v[i]! + comp[i]!;
    else if (op === 'avg') {
      if (!kahan) v[i] = mean[i]!;
      else if (incremental[i]) v[i] = mean[i]! + comp[i]!;
      else v[i] = v[i]! / count[i]! + comp[i]! / count[i]!;
    } else if (op === 'stdvar') v[i] = v[i]! / count[i]!;
    else if (op === 'stddev') v[i] = Math.sqrt(v[i]! / count[i]!);
  }
  return r;
}

/** Prometheus 2's running mean (the difference first, so it overflows as late as possible), with its infinity handling. */
function avgIncremental(mean: Float64Array, count: number, i: number, x: number): void {
  const m = mean[i]!;
  if (m === Infinity || m === -Infinity) {
    if ((x === Infinity || x === -Infinity) && m > 0 === x > 0) return;
    if (!(x === Infinity || x === -Infinity) && !Number.isNaN(x)) return;
  }
  mean[i] = m + (x / count - m / count);
}

/**
 * Prometheus 3: compensated sum divided by the count, switching to a compensated running
 * mean (scaled by (n-1)/n each step) only once the sum would overflow.
 */
function avgKahan(sum: Float64Array, c: Float64Array, mean: Float64Array, incremental: Uint8Array, count: Float64Array, i: number, x: number): void {
  const n = count[i]!;
  if (!incremental[i]) {
    const [t, nc] = kahanSumInc(x, sum[i]!, c[i]!);
    if (t !== Infinity && t !== -Infinity) {
      sum[i] = t;
      c[i] = nc;
      return;
    }
    incremental[i] = 1;
    mean[i] = sum[i]! / (n - 1);
    c[i] = c[i]! / (n - 1);
  }
  const q = (n - 1) / n;
  [mean[i], c[i]] = kahanSumInc(x / n, q * mean[i]!, q * c[i]!);
}

function quantiles(groups: Group[], q: Float64Array, n: number): StepSeries[] {
  const out: StepSeries[] = [];
  for (const g of groups) {
    const r = newSeries(g.labels, n);
    for (let i = 0; i < n; i++) {
      const vals: number[] = [];
      for (const s of g.members) if (s.present[i]) vals.push(s.values[i]!);
      if (vals.length === 0) continue;
      r.values[i] = quantileOf(q[i]!, vals);
      r.present[i] = 1;
    }
    if (r.present.some((p) => p === 1)) out.push(r);
  }
  return out;
}

function countValues(e: AggregateExpr, series: readonly StepSeries[], label: string, n: number): StepSeries[] {
  if (!isValidLabelName(label)) throw new IchigenError('EXECUTION', `invalid label name "${label}"`);
  const byKey = new Map<string, StepSeries>();
  const out: StepSeries[] = [];
  for (let i = 0; i < n; i++) {
    for (const s of series) {
      if (!s.present[i]) continue;
      const base = groupLabels(s.labels, e.grouping, e.without).filter((l) => l.name !== label);
      const labels = [...base, { name: label, value: formatSampleValue(s.values[i]!) }].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const key = labelsKey(labels);
      let r = byKey.get(key);
      if (r === undefined) {
        r = newSeries(labels, n);
        byKey.set(key, r);
        out.push(r);
      }
      r.values[i] = r.present[i] ? r.values[i]! + 1 : 1;
      r.present[i] = 1;
    }
  }
  return out;
}
