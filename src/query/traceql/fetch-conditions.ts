import type { FieldExpr, SpansetExpr, TraceqlQuery } from './ast.js';
import type { EvalSpan, EvalTrace } from './trace-model.js';

/**
 * Tempo evaluates a filter in two passes: its storage layer first fetches only spans that meet
 * the conditions it extracts from the filter (every one of them when the query has no `||` and
 * no spanset operator), then its engine evaluates the filter on those spans. Conditions inside
 * `!(…)` are extracted as they are written, not negated, so in 2.7 `{ !(kind = client) && x }`
 * fetches client spans and the engine then drops them all. Where the engine alone would
 * decide the same, the storage pass changes nothing; it matters only under `!`, so only
 * filters holding a `!` get it (STORAGE_CONDITIONS).
 */
export type StorageCondition = { readonly kind: 'holds'; readonly expr: FieldExpr } | { readonly kind: 'exists'; readonly expr: FieldExpr };

export const STORAGE_CONDITIONS = new WeakMap<FieldExpr, readonly StorageCondition[]>();

const isField = (f: FieldExpr): boolean => f.kind === 'attribute' || f.kind === 'intrinsic';
const isNil = (f: FieldExpr): boolean => f.kind === 'static' && f.value.type === 'nil';

function extract(f: FieldExpr, out: StorageCondition[]): void {
  switch (f.kind) {
    case 'static':
      return;
    case 'attribute':
    case 'intrinsic':
      out.push({ kind: 'exists', expr: f });
      return;
    case 'not':
    case 'neg':
      extract(f.expr, out);
      return;
    case 'binary': {
      const { left, right } = f;
      if (isField(left) && right.kind === 'static') out.push(isNil(right) ? { kind: 'exists', expr: left } : { kind: 'holds', expr: f });
      else if (isField(right) && left.kind === 'static') out.push(isNil(left) ? { kind: 'exists', expr: right } : { kind: 'holds', expr: f });
      else if (isField(left)) {
        out.push({ kind: 'exists', expr: left });
        extract(right, out);
      } else if (left.kind === 'static') extract(right, out);
      else {
        extract(left, out);
        extract(right, out);
      }
    }
  }
}

function hasNot(f: FieldExpr): boolean {
  if (f.kind === 'not') return true;
  if (f.kind === 'neg') return hasNot(f.expr);
  if (f.kind === 'binary') return hasNot(f.left) || hasNot(f.right);
  return false;
}

function hasOr(f: FieldExpr): boolean {
  if (f.kind === 'binary') return f.op === '||' || hasOr(f.left) || hasOr(f.right);
  if (f.kind === 'not' || f.kind === 'neg') return hasOr(f.expr);
  return false;
}

/** Registers the storage conditions of the query's `!` filters, when all conditions must hold. */
export function markStorageConditions(q: TraceqlQuery): void {
  const filters: FieldExpr[] = [];
  let all = true;
  const walk = (e: SpansetExpr): void => {
    if (e.kind === 'filter') {
      filters.push(e.expr);
      if (hasOr(e.expr)) all = false;
    } else {
      all = false;
      walk(e.left);
      walk(e.right);
    }
  };
  for (const s of q.stages) if (s.kind === 'spanset') walk(s.expr);
  if (!all) return;
  for (const f of filters) {
    if (!hasNot(f)) continue;
    const conds: StorageCondition[] = [];
    extract(f, conds);
    STORAGE_CONDITIONS.set(f, conds);
  }
}

/** True when the span passes the storage pass of filter `f` (always, for unmarked filters). */
export function passesStorage(
  f: FieldExpr,
  e: EvalSpan,
  trace: EvalTrace,
  holds: (expr: FieldExpr, e: EvalSpan, t: EvalTrace) => boolean,
  exists: (expr: FieldExpr, e: EvalSpan, t: EvalTrace) => boolean,
): boolean {
  const conds = STORAGE_CONDITIONS.get(f);
  if (conds === undefined) return true;
  return conds.every((c) => (c.kind === 'holds' ? holds(c.expr, e, trace) : exists(c.expr, e, trace)));
}
