import { IchigenError, compileAnchoredRe2, type Labels } from '../../model/index.js';
import type { BinaryOp, Grouping, VectorMatching, VectorOp } from './ast.js';
import { quantile } from './range-eval.js';
import { keyOf, type Sample } from './value.js';

function groupLabels(labels: Labels, g: Grouping | undefined): Labels {
  if (!g) return [];
  return labels.filter((l) => (g.without ? !g.labels.includes(l.name) : g.labels.includes(l.name)));
}

/** sum/avg/… by/without, topk/bottomk, sort/sort_desc over one step's vector. */
export function aggregate(op: VectorOp, param: number | undefined, g: Grouping | undefined, input: Sample[]): Sample[] {
  if (op === 'sort' || op === 'sort_desc') {
    const s = [...input].sort((a, b) => (op === 'sort' ? a.value - b.value : b.value - a.value) || (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : 0));
    return s;
  }
  const groups = new Map<string, { labels: Labels; items: Sample[] }>();
  for (const s of input) {
    const labels = groupLabels(s.labels, g);
    const k = keyOf(labels);
    let grp = groups.get(k);
    if (!grp) groups.set(k, (grp = { labels, items: [] }));
    grp.items.push(s);
  }
  const out: Sample[] = [];
  for (const { labels, items } of groups.values()) {
    if (op === 'topk' || op === 'bottomk') {
      const k = param ?? 1;
      const sorted = [...items].sort((a, b) => {
        if (Number.isNaN(a.value)) return 1;
        if (Number.isNaN(b.value)) return -1;
        return op === 'topk' ? b.value - a.value : a.value - b.value;
      });
      out.push(...sorted.slice(0, k));
      continue;
    }
    const vals = items.map((i) => i.value);
    let v: number;
    switch (op) {
      case 'sum':
        v = vals.reduce((a, b) => a + b, 0);
        break;
      case 'avg': {
        let mean = 0;
        vals.forEach((x, i) => (mean += (x - mean) / (i + 1)));
        v = mean;
        break;
      }
      case 'count':
        v = vals.length;
        break;
      case 'max':
        v = vals.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a));
        break;
      case 'min':
        v = vals.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a));
        break;
      case 'stddev':
      case 'stdvar': {
        const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
        const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
        v = op === 'stddev' ? Math.sqrt(variance) : variance;
        break;
      }
      default:
        v = quantile(param ?? 0, vals);
    }
    out.push({ labels, key: keyOf(labels), value: v });
  }
  return out;
}

/** Scalar arithmetic with Loki's division rules (x/0 and x%0 are NaN). */
export function arith(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? NaN : a / b;
    case '%':
      return b === 0 ? NaN : a % b;
    case '^':
      return a ** b;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    default:
      throw new IchigenError('PARSE_ERROR', `operator ${op} is not defined between scalars`);
  }
}

export function isComparison(op: BinaryOp): boolean {
  return op === '==' || op === '!=' || op === '>' || op === '>=' || op === '<' || op === '<=';
}

/** vector op scalar (or scalar op vector when `scalarLeft`). */
export function vectorScalar(op: BinaryOp, vec: Sample[], scalar: number, scalarLeft: boolean, bool: boolean): Sample[] {
  const out: Sample[] = [];
  for (const s of vec) {
    const a = scalarLeft ? scalar : s.value;
    const b = scalarLeft ? s.value : scalar;
    const r = arith(op, a, b);
    if (isComparison(op)) {
      if (bool) out.push({ labels: s.labels, key: s.key, value: r });
      else if (r === 1) out.push(s);
    } else out.push({ labels: s.labels, key: s.key, value: r });
  }
  return out;
}

function signature(labels: Labels, m: VectorMatching | undefined): string {
  if (!m) return keyOf(labels);
  return keyOf(labels.filter((l) => (m.on ? m.labels.includes(l.name) : !m.labels.includes(l.name))));
}

/** vector op vector with on/ignoring and group_left/group_right, as Prometheus defines it. */
export function vectorVector(op: BinaryOp, lhs: Sample[], rhs: Sample[], m: VectorMatching | undefined, bool: boolean): Sample[] {
  if (op === 'and' || op === 'or' || op === 'unless') {
    const rs = new Set(rhs.map((s) => signature(s.labels, m)));
    if (op === 'and') return lhs.filter((s) => rs.has(signature(s.labels, m)));
    if (op === 'unless') return lhs.filter((s) => !rs.has(signature(s.labels, m)));
    const ls = new Set(lhs.map((s) => signature(s.labels, m)));
    return [...lhs, ...rhs.filter((s) => !ls.has(signature(s.labels, m)))];
  }
  const card = m?.card ?? 'one-to-one';
  const [many, one, swapped] = card === 'one-to-many' ? [rhs, lhs, true] : [lhs, rhs, false];
  const oneBySig = new Map<string, Sample>();
  for (const s of one) {
    const sig = signature(s.labels, m);
    if (oneBySig.has(sig)) throw new IchigenError('EXECUTION', `found duplicate series for the match group on the ${swapped ? 'left' : 'right'} hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side`);
    oneBySig.set(sig, s);
  }
  const out: Sample[] = [];
  const seen = new Set<string>();
  for (const s of many) {
    const sig = signature(s.labels, m);
    const o = oneBySig.get(sig);
    if (!o) continue;
    const [l, r] = swapped ? [o, s] : [s, o];
    const v = arith(op, l.value, r.value);
    if (isComparison(op) && !bool && v !== 1) continue;
    const value = isComparison(op) && !bool ? l.value : v;
    let labels: Labels;
    if (card === 'one-to-one') {
      labels = m ? s.labels.filter((x) => (m.on ? m.labels.includes(x.name) : !m.labels.includes(x.name))) : s.labels;
    } else {
      const map = new Map(s.labels.map((x) => [x.name, x.value]));
      for (const name of m!.include) {
        const v2 = o.labels.find((x) => x.name === name)?.value;
        if (v2 === undefined) map.delete(name);
        else map.set(name, v2);
      }
      labels = [...map].map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : 1));
    }
    const key = keyOf(labels);
    if (seen.has(key)) {
      if (card === 'one-to-one') throw new IchigenError('EXECUTION', 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      throw new IchigenError('EXECUTION', 'multiple matches for labels: grouping labels must ensure unique matches');
    }
    seen.add(key);
    out.push({ labels, key, value });
  }
  return out;
}

/** label_replace over one step's vector. */
export function labelReplace(input: Sample[], dst: string, replacement: string, src: string, regex: string): Sample[] {
  const re = compileAnchoredRe2(regex);
  return input.map((s) => {
    const v = s.labels.find((l) => l.name === src)?.value ?? '';
    const m = re.exec(v);
    if (!m) return s;
    const res = replacement.replace(/\$\{(\w+)\}|\$(\w+)/g, (_x, a: string | undefined, b: string | undefined) => {
      const name = a ?? b!;
      const idx = /^\d+$/.test(name) ? Number(name) : undefined;
      return (idx !== undefined ? m[idx] : m.groups?.[name]) ?? '';
    });
    const map = new Map(s.labels.map((l) => [l.name, l.value]));
    if (res === '') map.delete(dst);
    else map.set(dst, res);
    const labels = [...map].map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : 1));
    return { labels, key: keyOf(labels), value: s.value };
  });
}
