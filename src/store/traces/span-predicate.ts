import type { OtlpResource } from '../../receive/otlp/index.js';
import { keyToken, keyValueToken } from './attr-tokens.js';
import { tokenBloomHas, type Flush } from './flush-index.js';
import type { HeadSpan } from './span-head.js';

/**
 * What a search needs from a candidate trace, pushed into the store so it reads only traces
 * that may match: "the trace has a span in the window for which this holds". It is a
 * necessary condition, never sufficient — the query engine evaluates the exact query on the
 * whole traces the store returns — so anything it cannot express is `true`.
 */
export type SpanPredicate =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'and'; readonly items: readonly SpanPredicate[] }
  | { readonly kind: 'or'; readonly items: readonly SpanPredicate[] }
  | { readonly kind: 'text'; readonly column: 'name' | 'service'; readonly op: '=' | '!=' | '=~' | '!~'; readonly value: string }
  | { readonly kind: 'enum'; readonly column: 'kind' | 'status'; readonly op: '=' | '!='; readonly value: number }
  | { readonly kind: 'duration'; readonly op: '=' | '!=' | '<' | '<=' | '>' | '>='; readonly ns: number }
  /** A span attribute: present (`value` undefined) or equal to a typed value (attr-tokens' valueToken). */
  | { readonly kind: 'spanAttr'; readonly key: string; readonly value?: string }
  /** The span's resource passes the test (evaluated by the store over the resources it knows). */
  | { readonly kind: 'resource'; readonly test: (r: OtlpResource) => boolean }
  /** The span has no parent (a root) — used for rootName / rootServiceName. */
  | { readonly kind: 'root' }
  | { readonly kind: 'spanId'; readonly id: string };

export const TRUE: SpanPredicate = { kind: 'true' };

/** and/or with constant folding (keeps SQL small and lets `true` disable pruning). */
export function and(items: readonly SpanPredicate[]): SpanPredicate {
  const kept = items.filter((p) => p.kind !== 'true');
  if (kept.some((p) => p.kind === 'false')) return { kind: 'false' };
  if (kept.length === 0) return TRUE;
  return kept.length === 1 ? kept[0]! : { kind: 'and', items: kept };
}

export function or(items: readonly SpanPredicate[]): SpanPredicate {
  const kept = items.filter((p) => p.kind !== 'false');
  if (kept.some((p) => p.kind === 'true')) return TRUE;
  if (kept.length === 0) return { kind: 'false' };
  return kept.length === 1 ? kept[0]! : { kind: 'or', items: kept };
}

function cmp(op: string, a: number, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/** The predicate on a span still in memory (the same meaning as its SQL form); `resource` is the span's. */
export function spanMatches(p: SpanPredicate, s: HeadSpan, resource: OtlpResource, regex: (pattern: string) => RegExp): boolean {
  switch (p.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return p.items.every((x) => spanMatches(x, s, resource, regex));
    case 'or':
      return p.items.some((x) => spanMatches(x, s, resource, regex));
    case 'text': {
      const v = p.column === 'name' ? s.name : s.service;
      if (p.op === '=') return v === p.value;
      if (p.op === '!=') return v !== p.value;
      const m = regex(p.value).test(v);
      return p.op === '=~' ? m : !m;
    }
    case 'enum': {
      const v = p.column === 'kind' ? s.kind : s.status;
      return p.op === '=' ? v === p.value : v !== p.value;
    }
    case 'duration':
      return cmp(p.op, Number(s.endNs - s.startNs), p.ns);
    case 'spanAttr':
      return s.attrs.includes(p.value === undefined ? keyToken(p.key) : keyValueToken(p.key, p.value));
    case 'resource':
      return p.test(resource);
    case 'root':
      return s.parentSpanId === '';
    case 'spanId':
      return s.spanId === p.id;
  }
}

/**
 * Whether a flush may hold a span the predicate holds for: false only when every way to match
 * needs an attribute value the flush's token filter does not have, or a duration outside the
 * flush's shortest..longest span. What a flush does not record (older flushes) never rules out.
 */
export function flushMayMatch(p: SpanPredicate, f: Pick<Flush, 'tokens' | 'minDurationNs' | 'maxDurationNs'>): boolean {
  switch (p.kind) {
    case 'false':
      return false;
    case 'and':
      return p.items.every((x) => flushMayMatch(x, f));
    case 'or':
      return p.items.some((x) => flushMayMatch(x, f));
    case 'spanAttr':
      return p.value === undefined || f.tokens === undefined || tokenBloomHas(f.tokens, keyValueToken(p.key, p.value));
    case 'duration': {
      if (f.minDurationNs === undefined || f.maxDurationNs === undefined) return true;
      // The same bound as the SQL form compares with.
      const ns = BigInt(Math.round(p.ns));
      switch (p.op) {
        case '>':
          return f.maxDurationNs > ns;
        case '>=':
          return f.maxDurationNs >= ns;
        case '<':
          return f.minDurationNs < ns;
        case '<=':
          return f.minDurationNs <= ns;
        case '=':
          return f.minDurationNs <= ns && ns <= f.maxDurationNs;
        default:
          return true;
      }
    }
    default:
      return true;
  }
}
