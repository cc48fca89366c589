import { FUNCTION_SIGNATURES, formatSampleValue, type AtModifier, type Expr, type VectorSelector } from '../../query/index.js';

/**
 * The syntax tree as Prometheus' /api/v1/parse_query returns it (the JSON its UI draws the
 * tree view from): Prometheus' node types and field names, keys in sorted order as Go's
 * JSON encoder writes maps, times in milliseconds.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function atFields(at: AtModifier | undefined): { startOrEnd: Json; timestamp: Json } {
  if (at === undefined) return { startOrEnd: null, timestamp: null };
  if (at.kind === 'time') return { startOrEnd: null, timestamp: at.ms };
  return { startOrEnd: at.kind, timestamp: null };
}

/** Prometheus keeps the metric name's matcher after the ones written in braces. */
function matchers(vs: VectorSelector): Json {
  const list = vs.name === undefined ? vs.matchers : [...vs.matchers.slice(1), vs.matchers[0]!];
  return list.map((m) => ({ name: m.name, type: m.type, value: m.value }));
}

function selectorName(vs: VectorSelector): string {
  return vs.name ?? '';
}

export function astToJson(e: Expr): Json {
  switch (e.type) {
    case 'aggregate':
      return { expr: astToJson(e.expr), grouping: [...e.grouping], op: e.op, param: e.param === undefined ? null : astToJson(e.param), type: 'aggregation', without: e.without };
    case 'binary': {
      const m = e.matching;
      const matching: Json = m === undefined ? null : { card: m.card, include: [...m.include], labels: [...m.labels], on: m.on };
      return { bool: e.returnBool, lhs: astToJson(e.lhs), matching, op: e.op, rhs: astToJson(e.rhs), type: 'binaryExpr' };
    }
    case 'call': {
      const sig = FUNCTION_SIGNATURES.get(e.func);
      return {
        args: e.args.map(astToJson),
        func: { argTypes: [...(sig?.argTypes ?? [])], name: e.func, returnType: sig?.returnType ?? 'vector', variadic: sig?.variadic ?? 0 },
        type: 'call',
      };
    }
    case 'matrixSelector': {
      const vs = e.vector;
      const at = atFields(vs.at);
      return { matchers: matchers(vs), name: selectorName(vs), offset: vs.offset, range: e.range, startOrEnd: at.startOrEnd, timestamp: at.timestamp, type: 'matrixSelector' };
    }
    case 'subquery': {
      const at = atFields(e.at);
      return { expr: astToJson(e.expr), offset: e.offset, range: e.range, startOrEnd: at.startOrEnd, step: e.step, timestamp: at.timestamp, type: 'subquery' };
    }
    case 'number':
      return { type: 'numberLiteral', val: formatSampleValue(e.value) };
    case 'paren':
      return { expr: astToJson(e.expr), type: 'parenExpr' };
    case 'string':
      return { type: 'stringLiteral', val: e.value };
    case 'unary':
      // Prometheus' parser folds a sign into the number literal it precedes.
      if (e.expr.type === 'number') return { type: 'numberLiteral', val: formatSampleValue(e.op === '-' ? -e.expr.value : e.expr.value) };
      return { expr: astToJson(e.expr), op: e.op, type: 'unaryExpr' };
    case 'vectorSelector': {
      const at = atFields(e.at);
      return { matchers: matchers(e), name: selectorName(e), offset: e.offset, startOrEnd: at.startOrEnd, timestamp: at.timestamp, type: 'vectorSelector' };
    }
  }
}
