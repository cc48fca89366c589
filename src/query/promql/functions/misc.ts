import { METRIC_NAME, type Label, type Labels } from '../../../model/index.js';
import type { Expr } from '../ast.js';
import { evalMatrixArg } from '../matrix.js';
import { newSeries } from '../values.js';
import type { FunctionImpl } from './function-impl.js';

/**
 * The labels absent() reports: the selector's equality matchers in order, a name matched a
 * second time (or by any other matcher) being dropped again, as Prometheus does.
 */
function absentLabels(arg: Expr): Labels {
  let e = arg;
  while (e.type === 'paren') e = e.expr;
  const matchers = e.type === 'vectorSelector' ? e.matchers : e.type === 'matrixSelector' ? e.vector.matchers : [];
  const out = new Map<string, string>();
  const has = new Set<string>();
  for (const m of matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !has.has(m.name)) {
      out.set(m.name, m.value);
      has.add(m.name);
    } else out.delete(m.name);
  }
  const labels: Label[] = [...out].filter(([, v]) => v !== '').map(([name, value]) => ({ name, value }));
  return labels.sort((a, b) => (a.name < b.name ? -1 : 1));
}

const absent: FunctionImpl = async (ev, call) => {
  const vec = await ev.evalVector(call.args[0]!);
  const r = newSeries(absentLabels(call.args[0]!), ev.steps.n);
  for (let i = 0; i < ev.steps.n; i++) {
    if (!vec.series.some((s) => s.present[i] === 1)) {
      r.values[i] = 1;
      r.present[i] = 1;
    }
  }
  ev.release(vec.series);
  return { kind: 'vector', series: r.present.some((p) => p === 1) ? [r] : [] };
};

const absentOverTime: FunctionImpl = async (ev, call) => {
  const m = await evalMatrixArg(ev, call.args[0]!, call.func);
  const r = newSeries(absentLabels(call.args[0]!), ev.steps.n);
  const seen = new Uint8Array(ev.steps.n);
  for await (const batch of m.batches()) {
    for (const s of batch) {
      for (let i = 0; i < ev.steps.n; i++) {
        if (seen[i]) continue;
        const [lo, hi] = m.window(s, i);
        if (hi > lo) seen[i] = 1;
      }
    }
  }
  for (let i = 0; i < ev.steps.n; i++) {
    if (!seen[i]) {
      r.values[i] = 1;
      r.present[i] = 1;
    }
  }
  return { kind: 'vector', series: r.present.some((p) => p === 1) ? [r] : [] };
};

const scalar: FunctionImpl = async (ev, call) => {
  const vec = await ev.evalVector(call.args[0]!);
  const values = new Float64Array(ev.steps.n).fill(NaN);
  for (let i = 0; i < ev.steps.n; i++) {
    let count = 0;
    let v = NaN;
    for (const s of vec.series) {
      if (!s.present[i]) continue;
      count++;
      v = s.values[i]!;
    }
    if (count === 1) values[i] = v;
  }
  ev.release(vec.series);
  return { kind: 'scalar', values };
};

const vector: FunctionImpl = async (ev, call) => {
  const sc = await ev.evalScalar(call.args[0]!);
  const r = newSeries([], ev.steps.n);
  r.values.set(sc.values);
  r.present.fill(1);
  ev.ctx.limits.add(ev.steps.n);
  return { kind: 'vector', series: [r] };
};

/** sort()/sort_desc(): order by value (NaN last); only an instant query shows the order. */
function sortByValue(desc: boolean): FunctionImpl {
  return async (ev, call) => {
    const vec = await ev.evalVector(call.args[0]!);
    if (ev.steps.n === 1) {
      vec.series.sort((a, b) => {
        const x = a.values[0]!;
        const y = b.values[0]!;
        if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
        if (Number.isNaN(y)) return -1;
        return desc ? y - x : x - y;
      });
    }
    return vec;
  };
}

export const MISC_FUNCTIONS: ReadonlyArray<readonly [string, FunctionImpl]> = [
  ['absent', absent],
  ['absent_over_time', absentOverTime],
  ['scalar', scalar],
  ['vector', vector],
  ['sort', sortByValue(false)],
  ['sort_desc', sortByValue(true)],
  ['pi', async (ev) => ({ kind: 'scalar', values: new Float64Array(ev.steps.n).fill(Math.PI) })],
  // Experimental in Prometheus 3: the query's step and range in seconds (0 for an instant query).
  ['step', async (ev) => ({ kind: 'scalar', values: new Float64Array(ev.steps.n).fill(ev.ctx.queryStep / 1000) })],
  ['range', async (ev) => ({ kind: 'scalar', values: new Float64Array(ev.steps.n).fill((ev.ctx.queryEnd - ev.ctx.queryStart) / 1000) })],
];
