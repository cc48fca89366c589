import { parseTraceql, type FieldExpr } from '../../query/index.js';

/**
 * The filter (`q`) of a tag name/value search, as Tempo 2.7 reads it: not the query itself but
 * the simple `attribute op value` matchers found in its text, joined with `&&`. Only a query
 * that is a single spanset filter without `||` or pipes is read; anything else (and a filter
 * with no complete matcher, such as `{ span.x = }`) searches unfiltered.
 */
const SINGLE_FILTER = /^(\{[^|{}]*[^|{}]\}?|\{[^|{}]*=~[^{}]*\})$/u;
const MATCHER = /[\p{L}\p{N}._\-:" ]+[\t\n\f\r ]*(=|<=|>=|=~|!=|>|<|!~)[\t\n\f\r ]*(?:"[\p{L}\p{N}\p{P}\p{M}\p{S}]+"|true|false|[a-z]+|[0-9smh]+)/gu;

export function extractMatchers(q: string): string | undefined {
  const text = q.trim();
  if (text === '' || !SINGLE_FILTER.test(text)) return undefined;
  const matchers = [...text.matchAll(MATCHER)].map((m) => m[0].trim());
  if (matchers.length === 0) return undefined;
  return `{${matchers.join(' && ')}}`;
}

/** A tag search filter: the expression, and whether it names only scoped attributes and intrinsics. */
export interface TagFilter {
  readonly expr: FieldExpr;
}

function mentionsUnscoped(f: FieldExpr): boolean {
  if (f.kind === 'attribute') return f.scope === 'any';
  if (f.kind === 'binary') return mentionsUnscoped(f.left) || mentionsUnscoped(f.right);
  if (f.kind === 'not' || f.kind === 'neg') return mentionsUnscoped(f.expr);
  return false;
}

/**
 * The filter a tag search applies, or undefined when it searches everything: no usable
 * matcher, a matcher text that does not parse, or an unscoped attribute (`.x`), for which
 * Tempo cannot tell the span and resource columns apart and falls back to the unfiltered path.
 */
export function tagFilter(q: string | undefined): TagFilter | undefined {
  if (q === undefined) return undefined;
  const text = extractMatchers(q);
  if (text === undefined) return undefined;
  let expr: FieldExpr;
  try {
    const parsed = parseTraceql(text);
    const first = parsed.stages[0];
    if (first?.kind !== 'spanset' || first.expr.kind !== 'filter') return undefined;
    expr = first.expr.expr;
  } catch {
    return undefined;
  }
  if (mentionsUnscoped(expr)) return undefined;
  return { expr };
}

/**
 * Distinct keys or values of one scope under a filter, with Tempo 2.7's block iteration: a
 * shared "already sent" set fills up from every row its column iterator produces — the first
 * row that carries the column, every row joined against, and the row read just after a join —
 * but only rows that pass the filter report what they add. So a key or value first met on a
 * non-matching row that was read anyway is left out. Rows come in block order (trace id, then
 * storage order).
 */
export function distinctInBlockOrder<T>(
  rows: ReadonlyArray<{ readonly items: readonly T[]; readonly matches: boolean }>,
  keyOf: (t: T) => string,
): T[] {
  const sent = new Set<string>();
  const out: T[] = [];
  const mark = (items: readonly T[], report: boolean): void => {
    for (const it of items) {
      const k = keyOf(it);
      if (sent.has(k)) continue;
      sent.add(k);
      if (report) out.push(it);
    }
  };
  let first = true;
  let afterJoin = false;
  for (const r of rows) {
    if (r.items.length === 0) {
      // A row without the column is never produced by its iterator, but a seek lands past it.
      if (r.matches) afterJoin = true;
      continue;
    }
    if (r.matches) {
      mark(r.items, true);
      afterJoin = true;
    } else if (first || afterJoin) {
      mark(r.items, false);
      afterJoin = false;
    }
    first = false;
  }
  return out;
}
