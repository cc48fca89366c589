import { compileAnchoredRe2, IchigenError } from '../../model/index.js';
import { getAttribute, type KeyValue } from '../../receive/otlp/index.js';
import type { FieldExpr, Intrinsic } from './ast.js';
import { passesStorage } from './fetch-conditions.js';
import type { EvalSpan, EvalTrace } from './trace-model.js';
import { asNumber, compareScalars, fromAnyValue, fromStatic, KIND_NAMES, STATUS_NAMES, type Val } from './values.js';

/** A field's value for a span: one value, several (events, links, arrays), or none. */
type Res = Val | readonly Val[] | undefined;

const regexCache = new Map<string, RegExp>();
export function regexFor(pattern: string): RegExp {
  let r = regexCache.get(pattern);
  if (r === undefined) {
    try {
      r = compileAnchoredRe2(pattern);
    } catch (e) {
      throw new IchigenError('PARSE_ERROR', `invalid TraceQL query: invalid regular expression "${pattern}": ${(e as Error).message}`);
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, r);
  }
  return r;
}

function attr(list: readonly KeyValue[], name: string): Val | undefined {
  return fromAnyValue(getAttribute(list, name));
}

const idVal = (hex: string): Val => ({ t: 'string', v: hex });

function intrinsic(name: Intrinsic, e: EvalSpan, trace: EvalTrace): Res {
  const sp = e.s.span;
  switch (name) {
    case 'name':
      return { t: 'string', v: sp.name };
    case 'status':
      return { t: 'status', v: STATUS_NAMES[sp.status.code] ?? 'unset' };
    case 'statusMessage':
      return { t: 'string', v: sp.status.message };
    case 'kind':
      return { t: 'kind', v: KIND_NAMES[sp.kind] ?? 'unspecified' };
    case 'duration':
      return { t: 'duration', v: e.durationNs };
    case 'rootName':
      return trace.root ? { t: 'string', v: trace.root.s.span.name } : undefined;
    case 'rootServiceName':
      return trace.root ? { t: 'string', v: trace.root.service } : undefined;
    case 'traceDuration':
      return { t: 'duration', v: Number(trace.endNs - trace.startNs) };
    case 'traceId':
      // Tempo compares the id without leading zeros (what its search answers show).
      return idVal(sp.traceId.replace(/^0+/, ''));
    case 'spanId':
      return idVal(sp.spanId);
    case 'parentId':
      return sp.parentSpanId === '' ? undefined : idVal(sp.parentSpanId);
    case 'eventName':
      return sp.events.map((ev) => ({ t: 'string', v: ev.name }) as Val);
    case 'eventTimeSinceStart':
      return sp.events.map((ev) => ({ t: 'duration', v: Number(ev.timeUnixNano - sp.startTimeUnixNano) }) as Val);
    case 'linkTraceId':
      return sp.links.map((l) => idVal(l.traceId));
    case 'linkSpanId':
      return sp.links.map((l) => idVal(l.spanId));
    case 'instrumentationName':
      return { t: 'string', v: e.s.scope.name };
    case 'instrumentationVersion':
      return { t: 'string', v: e.s.scope.version };
    case 'nestedSetParent':
      return { t: 'int', v: BigInt(e.nestedParent) };
    case 'nestedSetLeft':
      return { t: 'int', v: BigInt(e.nestedLeft) };
    case 'nestedSetRight':
      return { t: 'int', v: BigInt(e.nestedRight) };
  }
}

export function evalField(f: FieldExpr, e: EvalSpan, trace: EvalTrace): Res {
  switch (f.kind) {
    case 'static':
      return fromStatic(f.value);
    case 'intrinsic':
      return intrinsic(f.name, e, trace);
    case 'attribute': {
      switch (f.scope) {
        case 'span':
          return attr(e.s.span.attributes, f.name);
        case 'resource':
          return attr(e.s.resource.attributes, f.name);
        case 'instrumentation':
          return attr(e.s.scope.attributes, f.name);
        case 'event':
          return collect(e.s.span.events.map((ev) => attr(ev.attributes, f.name)));
        case 'link':
          return collect(e.s.span.links.map((l) => attr(l.attributes, f.name)));
        case 'any':
          return attr(e.s.span.attributes, f.name) ?? attr(e.s.resource.attributes, f.name);
      }
      return undefined;
    }
    case 'not': {
      const v = evalField(f.expr, e, trace);
      return v !== undefined && !Array.isArray(v) && (v as Val).t === 'bool' ? { t: 'bool', v: !(v as { v: boolean }).v } : undefined;
    }
    case 'neg': {
      const v = single(evalField(f.expr, e, trace));
      if (v === undefined) return undefined;
      if (v.t === 'int') return { t: 'int', v: -v.v };
      if (v.t === 'float' || v.t === 'duration') return { t: v.t, v: -v.v };
      return undefined;
    }
    case 'binary':
      return binary(f, e, trace);
  }
}

function collect(vals: ReadonlyArray<Val | undefined>): readonly Val[] {
  const out: Val[] = [];
  for (const v of vals) if (v !== undefined) out.push(v);
  return out;
}

function single(r: Res): Val | undefined {
  if (r === undefined || Array.isArray(r)) return undefined;
  return r as Val;
}

/** The candidates a comparison tries: array attributes and events/links compare element-wise (any). */
function candidates(r: Res): readonly Val[] {
  if (r === undefined) return [];
  if (Array.isArray(r)) return (r as readonly Val[]).flatMap((v) => (v.t === 'array' ? v.v : [v]));
  const v = r as Val;
  return v.t === 'array' ? v.v : [v];
}

/**
 * Comparisons that convert between int and float. Tempo pushes a plain `attribute OP literal`
 * down to the column of the literal's type (so `> 100` never sees a double attribute), but
 * evaluates in its engine, converting numbers, when the attribute is also fetched whole
 * (used again elsewhere in the query) or the filter does arithmetic.
 */
export const LOOSE_COMPARISONS = new WeakSet<FieldExpr>();

const isDirect = (f: FieldExpr): boolean => f.kind === 'attribute' || f.kind === 'intrinsic';
const truthy = (r: Res): boolean => {
  const v = single(r);
  return v !== undefined && v.t === 'bool' && v.v;
};

function binary(f: Extract<FieldExpr, { kind: 'binary' }>, e: EvalSpan, trace: EvalTrace): Res {
  const op = f.op;
  if (op === '&&') return { t: 'bool', v: truthy(evalField(f.left, e, trace)) && truthy(evalField(f.right, e, trace)) };
  if (op === '||') return { t: 'bool', v: truthy(evalField(f.left, e, trace)) || truthy(evalField(f.right, e, trace)) };
  const l = evalField(f.left, e, trace);
  const r = evalField(f.right, e, trace);
  if (op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^') {
    const a = single(l);
    const b = single(r);
    if (a === undefined || b === undefined) return undefined;
    const x = asNumber(a);
    const y = asNumber(b);
    if (x === undefined || y === undefined) return undefined;
    const v = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : op === '%' ? x % y : Math.pow(x, y);
    if (a.t === 'duration' || b.t === 'duration') return { t: 'duration', v };
    return { t: 'float', v };
  }
  // Comparisons; `!= nil` tests presence.
  if (f.right.kind === 'static' && f.right.value.type === 'nil') return { t: 'bool', v: candidates(l).length > 0 };
  if (f.left.kind === 'static' && f.left.value.type === 'nil') return { t: 'bool', v: candidates(r).length > 0 };
  const strict = !LOOSE_COMPARISONS.has(f) && ((isDirect(f.left) && f.right.kind === 'static') || (isDirect(f.right) && f.left.kind === 'static'));
  let regex: RegExp | undefined;
  if (op === '=~' || op === '!~') {
    const pat = single(r);
    if (pat === undefined || pat.t !== 'string') return { t: 'bool', v: false };
    regex = regexFor(pat.v);
    return { t: 'bool', v: candidates(l).some((a) => compareScalars(a, pat, op, strict, regex)) };
  }
  const ls = candidates(l);
  const rs = candidates(r);
  for (const a of ls) for (const b of rs) if (compareScalars(a, b, op, strict)) return { t: 'bool', v: true };
  return { t: 'bool', v: false };
}

/** True when the filter expression holds for the span. */
export function matches(f: FieldExpr, e: EvalSpan, trace: EvalTrace): boolean {
  if (!passesStorage(f, e, trace, holds, exists)) return false;
  return truthy(evalField(f, e, trace));
}

const holds = (f: FieldExpr, e: EvalSpan, t: EvalTrace): boolean => truthy(evalField(f, e, t));
const exists = (f: FieldExpr, e: EvalSpan, t: EvalTrace): boolean => candidates(evalField(f, e, t)).length > 0;

/** The value a by()/select()/aggregate sees: the first of several. */
export function fieldValue(f: FieldExpr, e: EvalSpan, trace: EvalTrace): Val | undefined {
  const r = evalField(f, e, trace);
  if (r === undefined) return undefined;
  if (Array.isArray(r)) return (r as readonly Val[])[0];
  return r as Val;
}

/** Walks every regex literal so bad patterns fail before any data is read. */
export function precompileRegexes(f: FieldExpr): void {
  if (f.kind === 'binary') {
    if ((f.op === '=~' || f.op === '!~') && f.right.kind === 'static' && f.right.value.type === 'string') regexFor(f.right.value.value);
    precompileRegexes(f.left);
    precompileRegexes(f.right);
  } else if (f.kind === 'not' || f.kind === 'neg') precompileRegexes(f.expr);
}
