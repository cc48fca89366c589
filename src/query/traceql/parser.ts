import type {
  AggregateName,
  AttributeScope,
  BinaryOp,
  FieldExpr,
  Intrinsic,
  MetricsFn,
  MetricsOp,
  PipelineStage,
  SpansetExpr,
  SpansetOp,
  StaticValue,
  TraceqlQuery,
} from './ast.js';
import { parseError, tokenize, type Token } from './lexer.js';

const INTRINSICS: Record<string, Intrinsic> = {
  name: 'name',
  'span:name': 'name',
  status: 'status',
  'span:status': 'status',
  statusMessage: 'statusMessage',
  'span:statusMessage': 'statusMessage',
  kind: 'kind',
  'span:kind': 'kind',
  duration: 'duration',
  'span:duration': 'duration',
  rootName: 'rootName',
  'trace:rootName': 'rootName',
  rootServiceName: 'rootServiceName',
  'trace:rootService': 'rootServiceName',
  traceDuration: 'traceDuration',
  'trace:duration': 'traceDuration',
  'trace:id': 'traceId',
  'span:id': 'spanId',
  'span:parentID': 'parentId',
  'event:name': 'eventName',
  'event:timeSinceStart': 'eventTimeSinceStart',
  'link:traceID': 'linkTraceId',
  'link:spanID': 'linkSpanId',
  'instrumentation:name': 'instrumentationName',
  'instrumentation:version': 'instrumentationVersion',
  nestedSetParent: 'nestedSetParent',
  nestedSetLeft: 'nestedSetLeft',
  nestedSetRight: 'nestedSetRight',
};

const STATUS = new Set(['error', 'ok', 'unset']);
const KINDS = new Set(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']);
const SPANSET_OPS = new Set(['&&', '||', '>', '>>', '<', '<<', '~', '!>', '!>>', '!<', '!<<', '!~', '&>', '&>>', '&<', '&<<', '&~']);
const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=', '=~', '!~']);
const AGGREGATES = new Set(['count', 'avg', 'min', 'max', 'sum']);
const METRICS_FNS = new Set(['rate', 'count_over_time', 'min_over_time', 'max_over_time', 'avg_over_time', 'sum_over_time', 'quantile_over_time', 'histogram_over_time']);
const UNSUPPORTED_METRICS = new Set(['compare', 'topk', 'bottomk']);

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.type !== 'eof') this.i++;
    return t;
  }
  private is(text: string, o = 0): boolean {
    const t = this.peek(o);
    return (t.type === 'punct' || t.type === 'op' || t.type === 'ident') && t.text === text;
  }
  private expect(text: string): Token {
    const t = this.peek();
    if (!this.is(text)) throw parseError(t.pos, `expected "${text}" but found ${t.type === 'eof' ? 'the end of the query' : `"${t.text}"`}`);
    return this.next();
  }

  query(): TraceqlQuery {
    if (this.peek().type === 'eof') throw parseError(0, 'empty query');
    const stages: PipelineStage[] = [this.firstStage()];
    let metrics: MetricsOp | undefined;
    const hints: Record<string, StaticValue> = {};
    while (this.is('|')) {
      this.next();
      const t = this.peek();
      if (t.type === 'ident' && METRICS_FNS.has(t.text)) {
        metrics = this.metricsOp();
        break;
      }
      if (t.type === 'ident' && UNSUPPORTED_METRICS.has(t.text)) throw parseError(t.pos, `the TraceQL metrics function ${t.text}() is not supported`);
      stages.push(this.stage());
    }
    if (this.is('with')) {
      this.next();
      this.expect('(');
      while (!this.is(')')) {
        const k = this.next();
        if (k.type !== 'ident') throw parseError(k.pos, 'expected a hint name');
        this.expect('=');
        hints[k.text] = this.staticValue();
        if (this.is(',')) this.next();
      }
      this.expect(')');
    }
    const end = this.peek();
    if (end.type !== 'eof') throw parseError(end.pos, `unexpected "${end.text}"`);
    return { stages, metrics, hints };
  }

  private firstStage(): PipelineStage {
    const t = this.peek();
    if (!this.is('{') && !this.is('(')) throw parseError(t.pos, `a query starts with a spanset filter such as { status = error }, found "${t.text}"`);
    return { kind: 'spanset', expr: this.spansetExpr() };
  }

  private stage(): PipelineStage {
    const t = this.peek();
    if (this.is('{') || this.is('(')) return { kind: 'spanset', expr: this.spansetExpr() };
    if (t.type === 'ident') {
      if (t.text === 'by') {
        const start = this.next().pos;
        this.expect('(');
        const fields = this.fieldList();
        const end = this.expect(')');
        return { kind: 'by', fields, text: this.src.slice(start, end.pos + 1).replace(/\s+/g, '') };
      }
      if (t.text === 'select') {
        this.next();
        this.expect('(');
        const fields = this.fieldList();
        this.expect(')');
        return { kind: 'select', fields };
      }
      if (t.text === 'coalesce') {
        this.next();
        this.expect('(');
        this.expect(')');
        return { kind: 'coalesce' };
      }
      if (AGGREGATES.has(t.text)) return this.scalarFilter();
    }
    throw parseError(t.pos, `unexpected "${t.text}" in a pipeline (expected a spanset filter, by(), select(), coalesce() or an aggregate)`);
  }

  private scalarFilter(): PipelineStage {
    const start = this.peek().pos;
    const name = this.next().text as AggregateName;
    this.expect('(');
    let field: FieldExpr | undefined;
    if (name !== 'count') field = this.fieldExpr();
    const close = this.expect(')');
    const text = this.src.slice(start, close.pos + 1);
    const op = this.next();
    if (!COMPARISONS.has(op.text) || op.text === '=~' || op.text === '!~') throw parseError(op.pos, `expected a comparison after ${text}`);
    const value = this.staticValue();
    const after = this.peek();
    if (after.type === 'op' && ['+', '-', '*', '/', '%', '^'].includes(after.text)) {
      throw parseError(after.pos, 'arithmetic in scalar filters is not supported');
    }
    return { kind: 'scalarFilter', aggregate: name, field, text, op: op.text as BinaryOp, value };
  }

  private fieldList(): FieldExpr[] {
    const out: FieldExpr[] = [this.fieldExpr()];
    while (this.is(',')) {
      this.next();
      out.push(this.fieldExpr());
    }
    return out;
  }

  private metricsOp(): MetricsOp {
    const t = this.next();
    const fn = t.text as MetricsFn;
    this.expect('(');
    let field: FieldExpr | undefined;
    const quantiles: number[] = [];
    if (fn === 'rate' || fn === 'count_over_time') {
      if (!this.is(')')) throw parseError(this.peek().pos, `${fn}() takes no arguments`);
    } else {
      field = this.fieldExpr();
      if (fn === 'quantile_over_time') {
        while (this.is(',')) {
          this.next();
          const q = this.next();
          if (q.type !== 'number') throw parseError(q.pos, 'expected a quantile such as .95');
          quantiles.push(q.num!);
        }
        if (quantiles.length === 0) throw parseError(this.peek().pos, 'quantile_over_time needs at least one quantile');
      }
    }
    this.expect(')');
    let by: FieldExpr[] = [];
    if (this.is('by')) {
      this.next();
      this.expect('(');
      by = this.fieldList();
      this.expect(')');
    }
    if (this.is('|')) throw parseError(this.peek().pos, 'nothing may follow a metrics function (second-stage metrics functions are not supported)');
    return { fn, field, quantiles, by };
  }

  // ---- spanset expressions: one precedence level, left-associative
  private spansetExpr(): SpansetExpr {
    let left = this.spansetPrimary();
    for (;;) {
      const t = this.peek();
      if (t.type !== 'op' || !SPANSET_OPS.has(t.text)) return left;
      this.next();
      const right = this.spansetPrimary();
      left = { kind: 'spansetOp', op: t.text as SpansetOp, left, right };
    }
  }

  private spansetPrimary(): SpansetExpr {
    const t = this.peek();
    if (this.is('(')) {
      this.next();
      const e = this.spansetExpr();
      if (this.is('|')) throw parseError(this.peek().pos, 'pipelines inside parentheses cannot be combined with spanset operators');
      this.expect(')');
      return e;
    }
    if (this.is('{')) {
      this.next();
      if (this.is('}')) {
        this.next();
        return { kind: 'filter', expr: { kind: 'static', value: { type: 'bool', value: true } } };
      }
      const expr = this.fieldExpr();
      this.expect('}');
      return { kind: 'filter', expr };
    }
    throw parseError(t.pos, `expected a spanset filter "{ … }", found ${t.type === 'eof' ? 'the end of the query' : `"${t.text}"`}`);
  }

  // ---- field expressions, by precedence
  fieldExpr(): FieldExpr {
    return this.binary(0);
  }

  private static readonly LEVELS: ReadonlyArray<readonly string[]> = [['||'], ['&&'], ['=', '!=', '<', '<=', '>', '>=', '=~', '!~'], ['+', '-'], ['*', '/', '%'], ['^']];

  private binary(level: number): FieldExpr {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    const ops = Parser.LEVELS[level]!;
    for (;;) {
      const t = this.peek();
      if (t.type !== 'op' || !ops.includes(t.text)) return left;
      this.next();
      const right = this.binary(level + 1);
      left = { kind: 'binary', op: t.text as BinaryOp, left, right };
      if (level === 2 && this.peek().type === 'op' && ops.includes(this.peek().text)) throw parseError(this.peek().pos, 'comparisons cannot be chained');
    }
  }

  private unary(): FieldExpr {
    if (this.is('!')) {
      this.next();
      return { kind: 'not', expr: this.unary() };
    }
    if (this.is('-')) {
      this.next();
      const e = this.unary();
      if (e.kind === 'static' && (e.value.type === 'int' || e.value.type === 'float' || e.value.type === 'duration')) {
        return { kind: 'static', value: negate(e.value) };
      }
      return { kind: 'neg', expr: e };
    }
    return this.primary();
  }

  private primary(): FieldExpr {
    const t = this.peek();
    if (this.is('(')) {
      this.next();
      const e = this.fieldExpr();
      this.expect(')');
      return e;
    }
    if (t.type === 'attr') {
      this.next();
      if (t.scope === 'parent') throw parseError(t.pos, 'the parent. attribute scope is not supported');
      return { kind: 'attribute', scope: t.scope as AttributeScope, name: t.value!, text: t.text };
    }
    if (t.type === 'ident') {
      const intrinsic = INTRINSICS[t.text];
      if (intrinsic !== undefined) {
        this.next();
        return { kind: 'intrinsic', name: intrinsic, text: t.text };
      }
      if (t.text.includes(':')) throw parseError(t.pos, `unknown intrinsic "${t.text}"`);
    }
    if (t.type === 'string' || t.type === 'number' || t.type === 'duration' || t.type === 'ident') return { kind: 'static', value: this.staticValue() };
    throw parseError(t.pos, t.type === 'eof' ? 'unexpected end of the query' : `unexpected "${t.text}"`);
  }

  private staticValue(): StaticValue {
    const t = this.next();
    switch (t.type) {
      case 'string':
        return { type: 'string', value: t.value! };
      case 'number':
        return t.isFloat === true ? { type: 'float', value: t.num! } : { type: 'int', value: t.num!, big: BigInt(t.text) };
      case 'duration':
        return { type: 'duration', value: t.num! };
      case 'op':
        if (t.text === '-') {
          const v = this.staticValue();
          if (v.type === 'int' || v.type === 'float' || v.type === 'duration') return negate(v);
        }
        break;
      case 'ident':
        if (t.text === 'true' || t.text === 'false') return { type: 'bool', value: t.text === 'true' };
        if (t.text === 'nil') return { type: 'nil' };
        if (STATUS.has(t.text)) return { type: 'status', value: t.text as 'ok' };
        if (KINDS.has(t.text)) return { type: 'kind', value: t.text as 'server' };
        throw parseError(t.pos, `unknown identifier "${t.text}" (attributes need a scope such as span.${t.text} or .${t.text})`);
      default:
        break;
    }
    throw parseError(t.pos, t.type === 'eof' ? 'unexpected end of the query: a value is missing' : `expected a value, found "${t.text}"`);
  }
}

/** Parses TraceQL (search, pipelines, metrics) into the typed AST; errors are 400s naming the problem. */
export function parseTraceql(src: string): TraceqlQuery {
  const q = new Parser(src, tokenize(src)).query();
  for (const s of q.stages) if (s.kind === 'spanset') checkSpanset(s.expr);
  if (q.metrics?.fn === 'count_over_time' && q.metrics.field !== undefined) throw parseError(0, 'count_over_time() takes no arguments');
  return q;
}

function checkSpanset(e: SpansetExpr): void {
  if (e.kind === 'spansetOp') {
    checkSpanset(e.left);
    checkSpanset(e.right);
  } else checkField(e.expr);
}

/** Type checks Tempo makes at parse time. */
function checkField(e: FieldExpr): void {
  if (e.kind === 'not' || e.kind === 'neg') return checkField(e.expr);
  if (e.kind !== 'binary') return;
  checkField(e.left);
  checkField(e.right);
  const sides = [e.left, e.right];
  const nil = sides.find((s) => s.kind === 'static' && s.value.type === 'nil');
  if (nil !== undefined && e.op !== '!=') throw parseError(0, `nil can only be compared with != (found ${e.op} nil)`);
  for (const [a, b] of [sides, [e.right, e.left]] as const) {
    if (a.kind !== 'intrinsic' || b.kind !== 'static' || b.value.type === 'nil') continue;
    const want = a.name === 'status' ? 'status' : a.name === 'kind' ? 'kind' : a.name === 'duration' || a.name === 'traceDuration' || a.name === 'eventTimeSinceStart' ? 'duration' : undefined;
    if (want === 'status' && b.value.type !== 'status') throw parseError(0, `status compares with error, ok or unset, not ${b.value.type}`);
    if (want === 'kind' && b.value.type !== 'kind') throw parseError(0, `kind compares with a span kind such as server, not ${b.value.type}`);
    if (want === 'duration' && b.value.type !== 'duration' && b.value.type !== 'int' && b.value.type !== 'float') throw parseError(0, `${a.text} compares with a duration such as 100ms`);
  }
  if ((e.op === '=~' || e.op === '!~') && !sides.some((s) => s.kind === 'static' && s.value.type === 'string')) {
    throw parseError(0, `${e.op} needs a string (regular expression) operand`);
  }
}

function negate(v: StaticValue): StaticValue {
  if (v.type === 'int') return { type: 'int', value: -v.value, big: v.big === undefined ? undefined : -v.big };
  if (v.type === 'float' || v.type === 'duration') return { ...v, value: -v.value };
  return v;
}
