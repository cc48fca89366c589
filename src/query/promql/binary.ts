import { IchigenError, METRIC_NAME, labelsKey, type Label, type Labels } from '../../model/index.js';
import { COMPARISON_OPS, SET_OPS, type BinaryExpr, type BinaryOp, type VectorMatching } from './ast.js';
import { checkUnique, dropName, mergeSameLabels, type Evaluator } from './evaluator.js';
import { newSeries, type EvalValue, type StepSeries, type VectorValue } from './values.js';

/** Go's math.Pow where it differs from JavaScript's `**`. */
function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

/** Arithmetic value, or for comparisons whether it holds (value = lhs). */
export function arith(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      return l % r;
    case '^':
      return goPow(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    default:
      throw new IchigenError('EXECUTION', `operator "${op}" not allowed for arithmetic`);
  }
}

export function compare(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '>':
      return l > r;
    case '<':
      return l < r;
    case '>=':
      return l >= r;
    case '<=':
      return l <= r;
    default:
      throw new IchigenError('EXECUTION', `operator "${op}" is not a comparison`);
  }
}

/** Labels Prometheus uses to match series across the operator. */
function signature(labels: Labels, m: VectorMatching | undefined): string {
  let key = '';
  if (m !== undefined && m.on) {
    for (const l of labels) if (m.labels.includes(l.name)) key += l.name + '\xff' + l.value + '\xfe';
    return key;
  }
  const ignored = m?.labels ?? [];
  for (const l of labels) if (l.name !== METRIC_NAME && !ignored.includes(l.name)) key += l.name + '\xff' + l.value + '\xfe';
  return key;
}

function matchedLabels(labels: Labels, m: VectorMatching): Labels {
  return labels.filter((l) => (m.on ? m.labels.includes(l.name) : l.name !== METRIC_NAME && !m.labels.includes(l.name)));
}

/** Prometheus' Labels.String(): every label inside the braces, the name included. */
function labelsString(labels: Labels): string {
  return `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

/**
 * Whether an operator drops the metric name: arithmetic does; comparisons keep it unless
 * `bool`. atan2 keeps it (as Prometheus does: it is not in its list of name-dropping operators).
 */
export function dropsName(op: BinaryOp, returnBool: boolean, _p3: boolean): boolean {
  if (returnBool) return true;
  if (op === 'atan2') return false;
  return !COMPARISON_OPS.has(op);
}

function resultLabels(lhs: Labels, rhs: Labels, op: BinaryOp, m: VectorMatching, returnBool: boolean, p3: boolean): Labels {
  let out: Label[] = [...lhs];
  if (dropsName(op, returnBool, p3)) out = out.filter((l) => l.name !== METRIC_NAME);
  if (m.card === 'one-to-one') {
    out = m.on ? out.filter((l) => m.labels.includes(l.name)) : out.filter((l) => !m.labels.includes(l.name));
  }
  for (const name of m.include) {
    out = out.filter((l) => l.name !== name);
    const v = rhs.find((l) => l.name === name);
    if (v !== undefined && v.value !== '') out.push(v);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function evalBinary(ev: Evaluator, e: BinaryExpr): Promise<EvalValue> {
  const lhs = await ev.eval(e.lhs);
  const rhs = await ev.eval(e.rhs);
  const n = ev.steps.n;
  if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const l = lhs.values[i]!;
      const r = rhs.values[i]!;
      out[i] = COMPARISON_OPS.has(e.op) ? (compare(e.op, l, r) ? 1 : 0) : arith(e.op, l, r);
    }
    return { kind: 'scalar', values: out };
  }
  const p3 = ev.ctx.options.compatibility === 'prometheus3';
  if (lhs.kind === 'vector' && rhs.kind === 'scalar') return vectorScalar(lhs, rhs.values, e, false, p3);
  if (lhs.kind === 'scalar' && rhs.kind === 'vector') return vectorScalar(rhs, lhs.values, e, true, p3);
  if (lhs.kind !== 'vector' || rhs.kind !== 'vector') throw new IchigenError('EXECUTION', 'binary expression must contain only scalar and instant vector types');
  const m: VectorMatching = e.matching ?? { card: 'one-to-one', labels: [], on: false, explicit: false, include: [] };
  let out: StepSeries[];
  if (SET_OPS.has(e.op)) out = mergeSameLabels(setOp(e.op, lhs.series, rhs.series, m, n));
  else out = vectorVector(ev, lhs.series, rhs.series, e, m, n);
  ev.release(lhs.series);
  ev.release(rhs.series);
  ev.ctx.limits.add(out.reduce((a, s) => a + s.present.reduce((x, y) => x + y, 0), 0));
  return { kind: 'vector', series: out };
}

function vectorScalar(v: VectorValue, scalar: Float64Array, e: BinaryExpr, swap: boolean, p3: boolean): VectorValue {
  const isCmp = COMPARISON_OPS.has(e.op);
  const drop = dropsName(e.op, e.returnBool, p3);
  for (const s of v.series) {
    if (drop) s.labels = dropName(s.labels);
    for (let i = 0; i < s.values.length; i++) {
      if (!s.present[i]) continue;
      const x = s.values[i]!;
      const k = scalar[i]!;
      const l = swap ? k : x;
      const r = swap ? x : k;
      if (!isCmp) s.values[i] = arith(e.op, l, r);
      else {
        const ok = compare(e.op, l, r);
        if (e.returnBool) s.values[i] = ok ? 1 : 0;
        else if (!ok) s.present[i] = 0;
      }
    }
  }
  const series = v.series.filter((s) => s.present.some((p) => p === 1));
  if (drop) checkUnique(series);
  return { kind: 'vector', series };
}

function setOp(op: BinaryOp, lhs: StepSeries[], rhs: StepSeries[], m: VectorMatching, n: number): StepSeries[] {
  const lsig = lhs.map((s) => signature(s.labels, m));
  const rsig = rhs.map((s) => signature(s.labels, m));
  if (op === 'and' || op === 'unless') {
    // Per step: which signatures the right side has.
    const bySig = new Map<string, StepSeries[]>();
    rsig.forEach((sig, k) => {
      const list = bySig.get(sig) ?? [];
      list.push(rhs[k]!);
      bySig.set(sig, list);
    });
    const out: StepSeries[] = [];
    lhs.forEach((s, k) => {
      const others = bySig.get(lsig[k]!) ?? [];
      const r = newSeries(s.labels, n);
      let any = false;
      for (let i = 0; i < n; i++) {
        if (!s.present[i]) continue;
        const hit = others.some((o) => o.present[i] === 1);
        if (hit === (op === 'and')) {
          r.values[i] = s.values[i]!;
          r.present[i] = 1;
          any = true;
        }
      }
      if (any) out.push(r);
    });
    return out;
  }
  // or: all of the left; of the right, what matches nothing on the left at that step.
  const lBySig = new Map<string, StepSeries[]>();
  lsig.forEach((sig, k) => {
    const list = lBySig.get(sig) ?? [];
    list.push(lhs[k]!);
    lBySig.set(sig, list);
  });
  const out: StepSeries[] = [...lhs];
  rhs.forEach((s, k) => {
    const others = lBySig.get(rsig[k]!) ?? [];
    const r = newSeries(s.labels, n);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!s.present[i]) continue;
      if (others.some((o) => o.present[i] === 1)) continue;
      r.values[i] = s.values[i]!;
      r.present[i] = 1;
      any = true;
    }
    if (any) out.push(r);
  });
  return out;
}

function vectorVector(ev: Evaluator, lhsIn: StepSeries[], rhsIn: StepSeries[], e: BinaryExpr, m: VectorMatching, n: number): StepSeries[] {
  const swap = m.card === 'one-to-many';
  const lhs = swap ? rhsIn : lhsIn;
  const rhs = swap ? lhsIn : rhsIn;
  const isCmp = COMPARISON_OPS.has(e.op);
  const lsig = lhs.map((s) => signature(s.labels, m));
  const rsig = rhs.map((s) => signature(s.labels, m));
  const rBySig = new Map<string, number[]>();
  rsig.forEach((sig, k) => {
    const list = rBySig.get(sig) ?? [];
    list.push(k);
    rBySig.set(sig, list);
  });
  const outByKey = new Map<string, StepSeries>();
  const out: StepSeries[] = [];
  // Result label sets are computed once per (left, right) pair.
  const labelCache = new Map<string, Labels>();
  for (let i = 0; i < n; i++) {
    ev.ctx.limits.tick();
    // The "one" side must be unique per signature at each step.
    const rightAt = new Map<string, number>();
    for (let k = 0; k < rhs.length; k++) {
      if (!rhs[k]!.present[i]) continue;
      const sig = rsig[k]!;
      const dup = rightAt.get(sig);
      if (dup !== undefined) {
        const oneSide = m.card === 'one-to-many' ? 'left' : 'right';
        throw new IchigenError(
          'EXECUTION',
          `found duplicate series for the match group ${labelsString(matchedLabels(rhs[k]!.labels, m))} on the ${oneSide} hand-side of the operation: [${labelsString(rhs[k]!.labels)}, ${labelsString(rhs[dup]!.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      rightAt.set(sig, k);
    }
    const matchedSigs = new Map<string, Set<string> | null>();
    for (let k = 0; k < lhs.length; k++) {
      const ls = lhs[k]!;
      if (!ls.present[i]) continue;
      const sig = lsig[k]!;
      const rk = rightAt.get(sig);
      if (rk === undefined) continue;
      const rs = rhs[rk]!;
      let vl = ls.values[i]!;
      let vr = rs.values[i]!;
      if (swap) [vl, vr] = [vr, vl];
      let value: number;
      if (isCmp) {
        const ok = compare(e.op, vl, vr);
        if (e.returnBool) value = ok ? 1 : 0;
        else if (!ok) continue;
        else value = vl;
      } else value = arith(e.op, vl, vr);
      const cacheKey = `${k}/${rk}`;
      let labels = labelCache.get(cacheKey);
      if (labels === undefined) {
        labels = resultLabels(ls.labels, rs.labels, e.op, m, e.returnBool, ev.ctx.options.compatibility === 'prometheus3');
        labelCache.set(cacheKey, labels);
      }
      const key = labelsKey(labels);
      if (m.card === 'one-to-one') {
        if (matchedSigs.has(sig)) throw new IchigenError('EXECUTION', 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
        matchedSigs.set(sig, null);
      } else {
        let inserted = matchedSigs.get(sig);
        if (inserted === undefined || inserted === null) {
          inserted = new Set();
          matchedSigs.set(sig, inserted);
        } else if (inserted.has(key)) {
          throw new IchigenError('EXECUTION', 'multiple matches for labels: grouping labels must ensure unique matches');
        }
        inserted.add(key);
      }
      let target = outByKey.get(key);
      if (target === undefined) {
        target = newSeries(labels, n);
        outByKey.set(key, target);
        out.push(target);
      } else if (target.present[i]) {
        throw new IchigenError('EXECUTION', `vector cannot contain metrics with the same labelset`);
      }
      target.values[i] = value;
      target.present[i] = 1;
    }
  }
  return out;
}
