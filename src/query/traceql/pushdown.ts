import { getAttribute, type AnyValue, type OtlpResource } from '../../receive/otlp/index.js';
import { and, or, TRUE, valueToken, type SpanPredicate } from '../../store/index.js';
import type { FieldExpr, SpansetExpr, StaticValue, TraceqlQuery } from './ast.js';
import { LOOSE_COMPARISONS, regexFor } from './field-eval.js';
import { compareScalars, fromAnyValue, fromStatic, type Val } from './values.js';

/**
 * The store-side narrowing of a TraceQL query: a condition some span of every matching trace
 * meets (SpanPredicate), so the store reads only traces that may match. It must never exclude
 * a trace the query matches — anything not expressible here is `true` — and the engine still
 * evaluates the whole query on what the store returns. Call after prepareQuery (it reads which
 * comparisons convert numbers).
 */
const STATUS: Record<string, number> = { unset: 0, ok: 1, error: 2 };
const KIND: Record<string, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const CMP = new Set(['=', '!=', '<', '<=', '>', '>=']);

type Cmp = Extract<FieldExpr, { kind: 'binary' }>;
const isField = (f: FieldExpr): boolean => f.kind === 'attribute' || f.kind === 'intrinsic';

function flip(op: string): string {
  return op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op;
}

/** A static as the AnyValue an attribute would hold to equal it under Tempo's typed comparison. */
function staticAsAnyValue(s: StaticValue): AnyValue | undefined {
  switch (s.type) {
    case 'string':
      return { type: 'string', value: s.value };
    case 'int':
      return { type: 'int', value: s.big ?? BigInt(Math.trunc(s.value)) };
    case 'float':
      return { type: 'double', value: s.value };
    case 'bool':
      return { type: 'bool', value: s.value };
    default:
      return undefined;
  }
}

/** The resource-side test of `attr op value`, with the engine's own comparison rules. */
function resourceTest(name: string, op: string, value: StaticValue, strict: boolean): (r: OtlpResource) => boolean {
  const want = fromStatic(value);
  const re = op === '=~' || op === '!~' ? (value.type === 'string' ? regexFor(value.value) : undefined) : undefined;
  return (r) => {
    const v = fromAnyValue(getAttribute(r.attributes, name));
    if (v === undefined) return false;
    if (value.type === 'nil') return true;
    if (want === undefined) return false;
    const items: readonly Val[] = v.t === 'array' ? v.v : [v];
    return items.some((x) => compareScalars(x, want, op, strict, re));
  };
}

function presence(f: FieldExpr): SpanPredicate {
  if (f.kind !== 'attribute') return TRUE;
  const name = f.name;
  if (f.scope === 'span') return { kind: 'spanAttr', key: name };
  if (f.scope === 'resource') return { kind: 'resource', test: (r) => getAttribute(r.attributes, name) !== undefined };
  if (f.scope === 'any') return or([{ kind: 'spanAttr', key: name }, { kind: 'resource', test: (r) => getAttribute(r.attributes, name) !== undefined }]);
  return TRUE;
}

function comparison(c: Cmp, field: FieldExpr, op: string, value: StaticValue): SpanPredicate {
  if (value.type === 'nil') return presence(field);
  const strict = !LOOSE_COMPARISONS.has(c);
  if (field.kind === 'intrinsic') {
    switch (field.name) {
      case 'name':
        if (value.type === 'string' && (op === '=' || op === '!=' || op === '=~' || op === '!~')) return { kind: 'text', column: 'name', op, value: value.value };
        return TRUE;
      case 'status':
        if (value.type === 'status' && (op === '=' || op === '!=')) return { kind: 'enum', column: 'status', op, value: STATUS[value.value]! };
        return TRUE;
      case 'kind':
        if (value.type === 'kind' && (op === '=' || op === '!=')) return { kind: 'enum', column: 'kind', op, value: KIND[value.value]! };
        return TRUE;
      case 'duration':
        if (value.type === 'duration' && CMP.has(op)) return { kind: 'duration', op: op as '=', ns: value.value };
        return TRUE;
      case 'spanId':
        if (value.type === 'string' && op === '=' && /^[0-9a-f]{16}$/.test(value.value)) return { kind: 'spanId', id: value.value };
        return TRUE;
      default:
        return TRUE;
    }
  }
  if (field.kind !== 'attribute') return TRUE;
  const name = field.name;
  const typed = op === '=' && strict ? staticAsAnyValue(value) : undefined;
  const token = typed === undefined ? undefined : valueToken(typed);
  const span: SpanPredicate = token !== undefined ? { kind: 'spanAttr', key: name, value: token } : { kind: 'spanAttr', key: name };
  const resource: SpanPredicate = { kind: 'resource', test: resourceTest(name, op, value, strict) };
  if (field.scope === 'span') return span;
  if (field.scope === 'resource') return resource;
  if (field.scope === 'any') return or([span, resource]);
  return TRUE;
}

/** Presence of every attribute an arithmetic subtree reads (missing ones make it nil, and nil compares false). */
function operandsPresent(f: FieldExpr): SpanPredicate {
  if (f.kind === 'attribute') return presence(f);
  if (f.kind === 'binary') return and([operandsPresent(f.left), operandsPresent(f.right)]);
  if (f.kind === 'neg') return operandsPresent(f.expr);
  return TRUE;
}

/** Span-level narrowing of a filter expression. */
function spanLevel(f: FieldExpr): SpanPredicate {
  switch (f.kind) {
    case 'binary': {
      if (f.op === '&&') return and([spanLevel(f.left), spanLevel(f.right)]);
      if (f.op === '||') return or([spanLevel(f.left), spanLevel(f.right)]);
      if (!CMP.has(f.op) && f.op !== '=~' && f.op !== '!~') return TRUE;
      if (isField(f.left) && f.right.kind === 'static') return comparison(f, f.left, f.op, f.right.value);
      if (isField(f.right) && f.left.kind === 'static') return comparison(f, f.right, flip(f.op), f.left.value);
      return and([operandsPresent(f.left), operandsPresent(f.right)]);
    }
    case 'attribute':
      return presence(f);
    case 'static':
      return f.value.type === 'bool' && !f.value.value ? { kind: 'false' } : TRUE;
    default:
      return TRUE;
  }
}

/** rootName / rootServiceName conditions that must hold (at the top level of the filter), as a root-span condition. */
function rootLevel(f: FieldExpr): SpanPredicate {
  if (f.kind !== 'binary') return TRUE;
  if (f.op === '&&') return and([rootLevel(f.left), rootLevel(f.right)]);
  const field = isField(f.left) && f.right.kind === 'static' ? f.left : isField(f.right) && f.left.kind === 'static' ? f.right : undefined;
  const value = f.right.kind === 'static' ? f.right.value : f.left.kind === 'static' ? f.left.value : undefined;
  if (field?.kind !== 'intrinsic' || value?.type !== 'string') return TRUE;
  const op = f.op;
  if (op !== '=' && op !== '!=' && op !== '=~' && op !== '!~') return TRUE;
  if (field.name === 'rootName') return and([{ kind: 'root' }, { kind: 'text', column: 'name', op, value: value.value }]);
  if (field.name === 'rootServiceName') return and([{ kind: 'root' }, { kind: 'text', column: 'service', op, value: value.value }]);
  return TRUE;
}

function filterLevel(f: FieldExpr): SpanPredicate {
  const s = spanLevel(f);
  return s.kind === 'true' ? rootLevel(f) : s;
}

function spansetLevel(e: SpansetExpr): SpanPredicate {
  if (e.kind === 'filter') return filterLevel(e.expr);
  const l = spansetLevel(e.left);
  const r = spansetLevel(e.right);
  // Union: a match comes from either side. Every other operator needs both sides to match,
  // so either side alone is a necessary condition: take the one that narrows.
  if (e.op === '||') return or([l, r]);
  return r.kind !== 'true' ? r : l;
}

/** The narrowing for a whole query: its first stage decides which spans exist at all. */
export function candidatePredicate(q: TraceqlQuery): SpanPredicate {
  const first = q.stages[0];
  return first?.kind === 'spanset' ? spansetLevel(first.expr) : TRUE;
}
