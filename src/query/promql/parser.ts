import { parser as lezer } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { METRIC_NAME, compileMatcher, goRegexpError, type LabelMatcher, type MatchType } from '../../model/index.js';
import type { AggregateOp, AtModifier, BinaryOp, Cardinality, Expr, PosRange, VectorMatching, VectorSelector } from './ast.js';
import { parseError } from './parse-error.js';
import { parseDurationLiteral, parseNumberLiteral, unquoteString } from './literals.js';
import { checkExpr } from './typecheck.js';
import { forGrammar, prometheus2LiteralError } from './literal-scan.js';
import type { Dialect } from './function-signatures.js';
import { describeSyntaxError } from './syntax-error.js';

const BINARY_OPS: Record<string, BinaryOp> = {
  Pow: '^', Mul: '*', Div: '/', Mod: '%', Add: '+', Sub: '-', Atan2: 'atan2',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=', And: 'and', Or: 'or', Unless: 'unless',
};
const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

class Failure {
  constructor(readonly offset: number, readonly message: string) {}
}

/**
 * Parses a PromQL expression into our AST; throws an IchigenError (PARSE_ERROR) worded like
 * Prometheus. The dialect decides which functions exist (Prometheus 2 knows `holt_winters`
 * and none of Prometheus 3's additions).
 */
export function parseExpr(query: string, dialect: Dialect = 'prometheus3'): Expr {
  try {
    if (query.trim() === '') throw new Failure(0, 'no expression found in input');
    if (dialect === 'prometheus2') {
      const literal = prometheus2LiteralError(query);
      if (literal !== undefined) throw new Failure(literal.offset, literal.message);
    }
    const tree = lezer.parse(grammarText(query));
    let bad: SyntaxNode | undefined;
    tree.iterate({
      enter: (n) => {
        if (bad !== undefined) return false;
        if (n.type.isError) {
          bad = n.node;
          return false;
        }
        return undefined;
      },
    });
    if (bad !== undefined) {
      const d = describeSyntaxError(query, bad.from);
      throw new Failure(d.offset, d.message);
    }
    const top = tree.topNode.firstChild;
    if (top === null) throw new Failure(0, 'no expression found in input');
    const expr = new Converter(query, dialect).expr(top);
    const problem = checkExpr(expr, dialect);
    if (problem !== undefined) throw new Failure(problem.pos.start, problem.message);
    return expr;
  } catch (e) {
    if (e instanceof Failure) throw parseError(query, e.offset, e.message);
    throw e;
  }
}

/**
 * The current grammar no longer knows Prometheus 2's `holt_winters`; it is parsed in the
 * place of a known function with a name of the same length, so positions stay right (the
 * converter reads names from the original text).
 */
function grammarText(query: string): string {
  return forGrammar(query).replace(/\bholt_winters(?=\s*\()/g, 'day_of_month');
}

/** Go's %f (six decimals, never an exponent). */
function goFixed6(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (Math.abs(v) < 1e21) return v.toFixed(6);
  return `${BigInt(v).toString()}.000000`;
}

/** Parses a series selector (a `match[]` parameter) into its matchers. */
export function parseSeriesSelector(text: string): LabelMatcher[] {
  const expr = parseExpr(text);
  if (expr.type !== 'vectorSelector') {
    throw parseError(text, 0, `unexpected ${expr.type === 'matrixSelector' ? 'range vector selector' : 'expression'}: a series selector is a metric name and/or label matchers`);
  }
  return [...expr.matchers];
}

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

class Converter {
  constructor(
    private readonly q: string,
    private readonly dialect: Dialect,
  ) {}

  private text(n: SyntaxNode): string {
    return this.q.slice(n.from, n.to);
  }

  private pos(n: SyntaxNode): PosRange {
    return { start: n.from, end: n.to };
  }

  expr(n: SyntaxNode): Expr {
    switch (n.name) {
      case 'NumberDurationLiteral':
        return this.number(n, 1);
      case 'StringLiteral':
        return { type: 'string', value: this.string(n), pos: this.pos(n) };
      case 'ParenExpr':
        return { type: 'paren', expr: this.expr(this.only(n)), pos: this.pos(n) };
      case 'UnaryExpr':
        return this.unary(n);
      case 'VectorSelector':
        return this.vectorSelector(n);
      case 'MatrixSelector':
        return this.matrixSelector(n);
      case 'SubqueryExpr':
        return this.subquery(n);
      case 'OffsetExpr':
        return this.offset(n);
      case 'StepInvariantExpr':
        return this.at(n);
      case 'FunctionCall':
        return this.call(n);
      case 'AggregateExpr':
        return this.aggregate(n);
      case 'BinaryExpr':
        return this.binary(n);
      default:
        throw new Failure(n.from, `unsupported expression ${JSON.stringify(this.text(n))}`);
    }
  }

  private only(n: SyntaxNode): SyntaxNode {
    const c = n.firstChild;
    if (c === null) throw new Failure(n.from, 'unexpected end of input');
    return c;
  }

  private number(n: SyntaxNode, sign: number, dropSign = false): Expr {
    let text = this.text(n);
    // The grammar folds a sign (and the space after it) into the literal.
    const signed = /^([+-])\s*/.exec(text);
    if (signed !== null) {
      if (signed[1] === '-' && !dropSign) sign = -sign;
      text = text.slice(signed[0].length);
    }
    const v = parseNumberLiteral(text);
    if (v === undefined) throw new Failure(n.from, `bad number or duration syntax: "${text}"`);
    if (!Number.isFinite(v) && !/^[+-]?(inf(inity)?|nan)$/i.test(text)) {
      throw new Failure(n.from, `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`);
    }
    return { type: 'number', value: sign * v, text: sign < 0 ? `-${text}` : text, pos: this.pos(n) };
  }

  private string(n: SyntaxNode): string {
    const raw = this.text(n);
    if (raw.length < 2 || raw[raw.length - 1] !== raw[0] || (raw[0] !== '`' && /(^|[^\\])(\\\\)*\\.$/.test(raw))) {
      throw new Failure(n.from, 'unterminated quoted string');
    }
    try {
      return unquoteString(raw);
    } catch (e) {
      throw new Failure(n.from, (e as Error).message);
    }
  }

  private unary(n: SyntaxNode): Expr {
    const [opNode, operand] = children(n);
    if (opNode === undefined || operand === undefined) throw new Failure(n.from, 'unexpected end of input');
    const op = this.text(opNode) === '-' ? '-' : '+';
    return { type: 'unary', op, expr: this.expr(operand), pos: this.pos(n) };
  }

  private duration(n: SyntaxNode): number {
    let sign = 1;
    let node = n;
    for (;;) {
      const kids = children(node);
      if (node.name === 'NumberDurationLiteralInDurationContext') break;
      if (kids.length === 1) {
        node = kids[0]!;
        continue;
      }
      if (kids.length === 2 && kids[0]!.name === 'UnaryOp') {
        if (this.text(kids[0]!) === '-') sign = -sign;
        node = kids[1]!;
        continue;
      }
      throw new Failure(n.from, 'experimental duration expressions are not supported');
    }
    const text = this.text(node);
    const ms = parseDurationLiteral(text);
    if (ms === undefined) throw new Failure(node.from, `bad number or duration syntax: "${text}"`);
    return sign * ms;
  }

  private vectorSelector(n: SyntaxNode): VectorSelector {
    let name: string | undefined;
    const matchers: LabelMatcher[] = [];
    for (const c of children(n)) {
      if (c.name === 'Identifier') name = this.text(c);
      else if (c.name === 'LabelMatchers') {
        for (const m of children(c)) {
          if (m.name === 'QuotedLabelName') {
            const metric = this.string(this.only(m));
            if (name !== undefined) throw new Failure(m.from, `metric name must not be set twice: "${name}" or "${metric}"`);
            name = metric;
            continue;
          }
          const [ln, op, val] = children(m);
          if (ln === undefined || op === undefined || val === undefined) throw new Failure(m.from, 'unexpected end of input inside braces');
          const labelName = ln.name === 'QuotedLabelName' ? this.string(this.only(ln)) : this.text(ln);
          const type = MATCH_OPS[this.only(op).name];
          if (type === undefined) throw new Failure(op.from, `unexpected ${this.text(op)} in label matching, expected one of "=", "!=", "=~" or "!~"`);
          const matcher: LabelMatcher = { name: labelName, type, value: this.string(val) };
          if (type === '=~' || type === '!~') {
            // Prometheus compiles the anchored pattern and reports Go's error at the matcher.
            const p3 = this.dialect === 'prometheus3';
            const goError = goRegexpError(`^(?${p3 ? 's' : ''}:${matcher.value})$`, p3);
            if (goError !== undefined) throw new Failure(ln.from, `error parsing regexp: ${goError}`);
            try {
              compileMatcher(matcher);
            } catch (e) {
              throw new Failure(ln.from, (e as Error).message);
            }
          }
          matchers.push(matcher);
        }
      }
    }
    if (name !== undefined) {
      const dup = matchers.find((m) => m.name === METRIC_NAME);
      if (dup !== undefined) throw new Failure(n.from, `metric name must not be set twice: "${name}" or "${dup.value}"`);
      matchers.unshift({ name: METRIC_NAME, type: '=', value: name });
    }
    if (!matchers.some((m) => !compileMatcher(m)(''))) {
      throw new Failure(n.from, 'vector selector must contain at least one non-empty matcher');
    }
    return { type: 'vectorSelector', name, matchers, offset: 0, at: undefined, pos: this.pos(n) };
  }

  /**
   * The grammar attaches `[…]` to a whole unary expression (`-x[5m]`); in PromQL the sign
   * applies to the range (Prometheus then refuses the unary minus on a range vector).
   */
  private signedRange(n: SyntaxNode, inner: SyntaxNode, build: (operand: SyntaxNode) => Expr): Expr | undefined {
    if (inner.name !== 'UnaryExpr') return undefined;
    const [opNode, operand] = children(inner);
    if (opNode === undefined || operand === undefined) return undefined;
    return { type: 'unary', op: this.text(opNode) === '-' ? '-' : '+', expr: build(operand), pos: this.pos(n) };
  }

  private matrixSelector(n: SyntaxNode): Expr {
    const [inner, dur] = children(n);
    if (inner === undefined || dur === undefined) throw new Failure(n.from, 'unexpected end of input');
    const signed = this.signedRange(n, inner, (operand) => this.rangeOf(n, operand, dur));
    return signed ?? this.rangeOf(n, inner, dur);
  }

  private rangeOf(n: SyntaxNode, inner: SyntaxNode, dur: SyntaxNode): Expr {
    const vector = this.expr(inner);
    // Prometheus reports these at the brackets.
    const bracket = this.q.lastIndexOf('[', dur.from);
    if (vector.type !== 'vectorSelector') throw new Failure(bracket, 'ranges only allowed for vector selectors');
    if (vector.offset !== 0) throw new Failure(bracket, 'no offset modifiers allowed before range');
    if (vector.at !== undefined) throw new Failure(bracket, 'no @ modifiers allowed before range');
    const range = this.duration(dur);
    if (range <= 0) throw new Failure(dur.from, `duration must be greater than 0`);
    return { type: 'matrixSelector', vector, range, pos: this.pos(n) };
  }

  private subquery(n: SyntaxNode): Expr {
    const [inner, rangeNode, stepNode] = children(n);
    if (inner === undefined || rangeNode === undefined) throw new Failure(n.from, 'unexpected end of input');
    const range = this.duration(rangeNode);
    const step = stepNode === undefined ? 0 : this.duration(stepNode);
    if (range <= 0) throw new Failure(rangeNode.from, 'duration must be greater than 0');
    if (stepNode !== undefined && step <= 0) throw new Failure(stepNode.from, 'duration must be greater than 0');
    const build = (operand: SyntaxNode): Expr => ({ type: 'subquery', expr: this.expr(operand), range, step, offset: 0, at: undefined, pos: this.pos(n) });
    return this.signedRange(n, inner, build) ?? build(inner);
  }

  /** The node an `offset` or `@` applies to (vector, matrix or subquery). */
  private modifiable(e: Expr, what: 'offset' | '@', from: number): VectorSelector | Extract<Expr, { type: 'subquery' }> {
    if (e.type === 'vectorSelector' || e.type === 'subquery') return e;
    if (e.type === 'matrixSelector') return e.vector;
    // The grammar attaches a trailing modifier to a whole binary or unary expression;
    // in PromQL it binds to the operand just before it.
    if (e.type === 'binary') return this.modifiable(e.rhs, what, from);
    if (e.type === 'unary') return this.modifiable(e.expr, what, from);
    throw new Failure(from, `${what === 'offset' ? 'offset' : '@'} modifier must be preceded by an instant vector selector or range vector selector or a subquery`);
  }

  private offset(n: SyntaxNode): Expr {
    const kids = children(n);
    const inner = kids[0];
    const dur = kids[kids.length - 1];
    if (inner === undefined || dur === undefined || kids.length < 3) throw new Failure(n.from, 'unexpected end of input');
    const e = this.expr(inner);
    const target = this.modifiable(e, 'offset', n.from);
    if (target.offset !== 0) throw new Failure(n.from, 'offset may not be set multiple times');
    const offset = this.duration(dur);
    // A duration written with a unit must not be zero (Prometheus' parseDuration).
    if (offset === 0 && /[a-z]/i.test(this.text(dur))) throw new Failure(dur.from + (/^\s*-\s*/.exec(this.text(dur))?.[0].length ?? 0), 'duration must be greater than 0');
    target.offset = offset;
    return e;
  }

  private at(n: SyntaxNode): Expr {
    const kids = children(n);
    const inner = kids[0];
    if (inner === undefined || kids.length < 3) throw new Failure(n.from, 'unexpected end of input');
    const e = this.expr(inner);
    const target = this.modifiable(e, '@', n.from);
    if (target.at !== undefined) throw new Failure(n.from, '@ <timestamp> may not be set multiple times');
    const rest = kids.slice(2);
    let at: AtModifier;
    if (rest[0]?.name === 'AtModifierPreprocessors') {
      at = this.only(rest[0]).name === 'AtStart' ? { kind: 'start' } : { kind: 'end' };
    } else {
      let sign = 1;
      let numNode = rest[rest.length - 1]!;
      for (const r of rest.slice(0, -1)) if (r.name === 'UnaryOp' && this.text(r) === '-') sign = -sign;
      if (numNode.name === 'UnaryExpr') {
        const [op, v] = children(numNode);
        if (op !== undefined && this.text(op) === '-') sign = -sign;
        numNode = v ?? numNode;
      }
      let text = this.text(numNode);
      const signed = /^([+-])\s*/.exec(text);
      if (signed !== null) {
        if (signed[1] === '-') sign = -sign;
        text = text.slice(signed[0].length);
      }
      const v = parseNumberLiteral(text);
      if (v === undefined) throw new Failure(numNode.from, `bad number or duration syntax: ${JSON.stringify(text)}`);
      const ts = sign * v;
      // Prometheus reports this at the whole expression, with Go's %f.
      if (!(ts < 2 ** 63 && ts > -(2 ** 63))) throw new Failure(n.from, `timestamp out of bounds for @ modifier: ${goFixed6(ts)}`);
      at = { kind: 'time', ms: Math.round(ts * 1000) };
    }
    target.at = at;
    return e;
  }

  private call(n: SyntaxNode): Expr {
    const [ident, body] = children(n);
    if (ident === undefined) throw new Failure(n.from, 'unexpected end of input');
    const func = this.text(ident);
    const args = body === undefined ? [] : children(body).map((c) => this.expr(c));
    return { type: 'call', func, args, pos: this.pos(n) };
  }

  private grouping(n: SyntaxNode): string[] {
    return children(n).map((c) => (c.name === 'QuotedLabelName' ? this.string(this.only(c)) : this.text(c)));
  }

  private aggregate(n: SyntaxNode): Expr {
    let op: AggregateOp | undefined;
    let args: Expr[] = [];
    let grouping: string[] = [];
    let without = false;
    let hasGrouping = false;
    for (const c of children(n)) {
      if (c.name === 'AggregateOp') op = this.text(c).toLowerCase() as AggregateOp;
      else if (c.name === 'FunctionCallBody') args = children(c).map((a) => this.expr(a));
      else if (c.name === 'AggregateModifier') {
        hasGrouping = true;
        for (const m of children(c)) {
          if (m.name === 'Without') without = true;
          else if (m.name === 'GroupingLabels') grouping = this.grouping(m);
        }
      }
    }
    if (op === undefined) throw new Failure(n.from, 'aggregation operator expected');
    const needsParam = op === 'topk' || op === 'bottomk' || op === 'quantile' || op === 'count_values' || op === 'limitk' || op === 'limit_ratio';
    const want = needsParam ? 2 : 1;
    if (args.length !== want) {
      throw new Failure(n.from, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
    }
    const expr = args[args.length - 1]!;
    return { type: 'aggregate', op, expr, param: needsParam ? args[0] : undefined, grouping, without, hasGrouping, pos: this.pos(n) };
  }

  private binary(n: SyntaxNode): Expr {
    const kids = children(n);
    const lhsNode = kids[0];
    const opNode = kids[1];
    const rhsNode = kids[kids.length - 1];
    if (lhsNode === undefined || opNode === undefined || rhsNode === undefined || kids.length < 3) throw new Failure(n.from, 'unexpected end of input');
    const op = BINARY_OPS[opNode.name];
    if (op === undefined) throw new Failure(opNode.from, `unexpected ${this.text(opNode)}`);
    let returnBool = false;
    let explicit = false;
    let on = false;
    let labels: string[] = [];
    let include: string[] = [];
    let card: Cardinality = 'one-to-one';
    for (const c of kids.slice(2, -1)) {
      if (c.name === 'BoolModifier') returnBool = true;
      else if (c.name === 'MatchingModifierClause') {
        explicit = true;
        let sawGroup = false;
        for (const m of children(c)) {
          if (m.name === 'On') on = true;
          else if (m.name === 'GroupLeft' || m.name === 'GroupRight') {
            card = m.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
            sawGroup = true;
          } else if (m.name === 'GroupingLabels') {
            if (sawGroup) include = this.grouping(m);
            else labels = this.grouping(m);
          } else if (m.name !== 'Ignoring') throw new Failure(m.from, `unsupported modifier ${JSON.stringify(this.text(m))}`);
        }
      } else throw new Failure(c.from, `unexpected ${JSON.stringify(this.text(c))}`);
    }
    const rhs = this.expr(rhsNode);
    const matching: VectorMatching = { card, labels, on, explicit, include };
    // The grammar lexes `-2 ^ 2` as the literal -2 raised to 2; Prometheus applies the sign
    // after the power (unary minus binds looser than ^), giving -4.
    const lhsText = this.text(lhsNode);
    if (op === '^' && lhsNode.name === 'NumberDurationLiteral' && (lhsText.startsWith('-') || lhsText.startsWith('+'))) {
      const abs = this.number(lhsNode, 1, true);
      const inner: Expr = { type: 'binary', op, lhs: abs, rhs, returnBool, matching, pos: this.pos(n), opPos: this.pos(opNode) };
      return lhsText.startsWith('-') ? { type: 'unary', op: '-', expr: inner, pos: this.pos(n) } : inner;
    }
    const lhs = this.expr(lhsNode);
    return { type: 'binary', op, lhs, rhs, returnBool, matching, pos: this.pos(n), opPos: this.pos(opNode) };
  }
}
