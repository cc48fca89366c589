import type { SpansetExpr } from './ast.js';
import { matches } from './field-eval.js';
import type { EvalSpan, EvalTrace } from './trace-model.js';

const isAncestor = (a: EvalSpan, d: EvalSpan): boolean => {
  for (let p = d.parent; p !== undefined; p = p.parent) if (p === a) return true;
  return false;
};
const isSibling = (a: EvalSpan, b: EvalSpan): boolean => a !== b && a.parent !== undefined && a.parent === b.parent;

type Rel = (l: EvalSpan, r: EvalSpan) => boolean;
/** relation(lhs span, rhs span) for each structural operator. */
const RELATIONS: Record<string, Rel> = {
  '>': (l, r) => r.parent === l,
  '>>': (l, r) => isAncestor(l, r),
  '<': (l, r) => l.parent === r,
  '<<': (l, r) => isAncestor(r, l),
  '~': (l, r) => isSibling(l, r),
};

/** Evaluates a spanset expression on one trace: the matching spans, in trace order. */
export function evalSpanset(e: SpansetExpr, trace: EvalTrace): EvalSpan[] {
  if (e.kind === 'filter') return trace.spans.filter((s) => matches(e.expr, s, trace));
  const left = evalSpanset(e.left, trace);
  const right = evalSpanset(e.right, trace);
  switch (e.op) {
    case '&&':
      return left.length > 0 && right.length > 0 ? union(left, right) : [];
    case '||':
      return union(left, right);
    default:
      break;
  }
  if (left.length === 0 || right.length === 0) return [];
  const negated = e.op.startsWith('!');
  const both = e.op.startsWith('&');
  const rel = RELATIONS[negated || both ? e.op.slice(1) : e.op]!;
  if (negated) return right.filter((r) => !left.some((l) => rel(l, r)));
  const rs = right.filter((r) => left.some((l) => rel(l, r)));
  if (!both) return rs;
  const ls = left.filter((l) => right.some((r) => rel(l, r)));
  return rs.length === 0 ? [] : union(ls, rs);
}

function union(a: readonly EvalSpan[], b: readonly EvalSpan[]): EvalSpan[] {
  const seen = new Set<EvalSpan>(a);
  const out = [...a];
  for (const s of b) {
    if (seen.has(s)) continue;
    out.push(s);
    seen.add(s);
  }
  return out;
}
