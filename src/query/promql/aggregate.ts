import { IchigenError, isValidLabelName, labelsKey, type Labels } from '../../model/index.js';
import type { AggregateExpr } from './ast.js';
import type { Evaluator } from './evaluator.js';
import { groupLabels } from './grouping.js';
import { checkQuantileParams } from './annotations.js';
import { quantileOf } from './kahan.js';
import { GroupAccumulator, STREAMABLE_OPS } from './accumulator.js';
import { FUNCTION_IMPLS } from './functions/index.js';
import type { StreamingFunction } from './functions/index.js';
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
  const streamed = await streamAggregate(ev, e);
  if (streamed !== undefined) return streamed;
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
    default: {
      const p3 = ev.ctx.options.compatibility === 'prometheus3';
      out = [];
      for (const g of groups) {
        const acc = new GroupAccumulator(g.labels, e.op, n, p3);
        for (const s of g.members) {
          ev.ctx.limits.tick();
          acc.add(s.values, s.present);
        }
        const r = acc.finish();
        if (r.present.some((p) => p === 1)) out.push(r);
      }
    }
  }
  ev.release(input.series);
  ev.ctx.limits.add(out.reduce((a, s) => a + s.present.reduce((x, y) => x + y, 0), 0));
  return { kind: 'vector', series: out };
}

/**
 * sum/avg/min/max/count/group/stddev/stdvar over a range function (`sum(rate(x[5m]))`, the
 * dashboard staple): the function's output is folded into the groups series by series as
 * it is computed, so no per-series result is ever allocated or held.
 */
async function streamAggregate(ev: Evaluator, e: AggregateExpr): Promise<EvalValue | undefined> {
  if (!STREAMABLE_OPS.has(e.op)) return undefined;
  let inner = e.expr;
  while (inner.type === 'paren') inner = inner.expr;
  if (inner.type !== 'call') return undefined;
  const impl = FUNCTION_IMPLS.get(inner.func) as Partial<StreamingFunction> | undefined;
  if (impl?.stream === undefined) return undefined;
  const n = ev.steps.n;
  const p3 = ev.ctx.options.compatibility === 'prometheus3';
  const groups = new Map<string, GroupAccumulator>();
  const order: GroupAccumulator[] = [];
  await impl.stream(ev, inner, (labels, values, present) => {
    const out = groupLabels(labels, e.grouping, e.without);
    const key = labelsKey(out);
    let acc = groups.get(key);
    if (acc === undefined) {
      acc = new GroupAccumulator(out, e.op, n, p3);
      groups.set(key, acc);
      order.push(acc);
    }
    acc.add(values, present);
  });
  const series = order.map((a) => a.finish());
  ev.ctx.limits.add(series.reduce((a, s) => a + s.present.reduce((x, y) => x + y, 0), 0));
  return { kind: 'vector', series };
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
