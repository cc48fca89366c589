import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';
import { IchigenError, compileAnchoredRe2, tryParseDuration, type LabelMatcher, type MatchType } from '../../model/index.js';
import type { BinaryOp, CompareOp, Expr, Grouping, LabelFilterExpr, LineFilterExpr, LogExpr, MetricExpr, RangeOp, StageExpr, Unwrap, VectorMatching, VectorOp } from './ast.js';
import { unquote } from './unquote.js';
import { parseGoDuration, parseHumanBytes } from './units.js';
import { validateExpr } from './validate.js';

/** Parses LogQL with the official Lezer grammar into our AST. Errors are PARSE_ERROR (400). */
export function parseLogQL(query: string): Expr {
  const tree = parser.parse(query);
  let bad: SyntaxNode | undefined;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && !bad) bad = n.node;
      return !bad;
    },
  });
  if (bad) throw syntaxError(query, bad.from);
  const top = tree.topNode.getChild('Expr');
  if (!top) throw new IchigenError('PARSE_ERROR', 'parse error : syntax error: unexpected end of input');
  const p = new Builder(query);
  const expr = p.expr(top);
  validateExpr(expr);
  return expr;
}

function syntaxError(query: string, pos: number): IchigenError {
  const before = query.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  const near = query.slice(pos, pos + 10);
  return new IchigenError('PARSE_ERROR', `parse error at line ${line}, col ${col}: syntax error: unexpected ${near === '' ? 'end of input' : JSON.stringify(near)}`);
}

const PRECEDENCE: Record<string, number> = { or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '>': 3, '>=': 3, '<': 3, '<=': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6 };
const OP_NODES: Record<string, BinaryOp> = { Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', Eql: '==', Neq: '!=', Gtr: '>', Gte: '>=', Lss: '<', Lte: '<=', And: 'and', Or: 'or', Unless: 'unless' };

interface BinOpTail {
  op: BinaryOp;
  bool: boolean;
  matching: VectorMatching | undefined;
}

class Builder {
  constructor(private readonly q: string) {}

  text(n: SyntaxNode): string {
    return this.q.slice(n.from, n.to);
  }

  fail(n: SyntaxNode, why: string): IchigenError {
    return new IchigenError('PARSE_ERROR', `parse error at col ${n.from + 1}: ${why}`);
  }

  children(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
    return out;
  }

  expr(n: SyntaxNode): Expr {
    const c = n.firstChild!;
    if (c.name === 'LogExpr') return this.logExpr(c);
    if (c.name === 'MetricExpr') return this.metric(c);
    if (c.name === 'Expr') return this.expr(c);
    throw this.fail(c, `unexpected ${c.name}`);
  }

  /** An Expr or MetricExpr node that must be a metric expression. */
  metricOf(n: SyntaxNode): MetricExpr {
    if (n.name === 'MetricExpr') return this.metric(n);
    const e = this.expr(n);
    if (e.kind === 'log') throw this.fail(n, 'parse error : syntax error: unexpected log query where a metric query is expected');
    return e;
  }

  metric(n: SyntaxNode): MetricExpr {
    const c = n.firstChild!;
    switch (c.name) {
      case 'RangeAggregationExpr':
        return this.rangeAgg(c);
      case 'VectorAggregationExpr':
        return this.vectorAgg(c);
      case 'BinOpExpr':
        return this.binOp(c);
      case 'LiteralExpr':
        return { kind: 'literal', value: this.literal(c) };
      case 'VectorExpr':
        return { kind: 'vector', value: Number(this.text(c.getChild('Number')!)) };
      case 'LabelReplaceExpr':
        return this.labelReplace(c);
      case 'Expr':
      case 'MetricExpr':
        return this.metricOf(c);
      default: {
        // Parenthesised: "(" MetricExpr ")".
        const inner = n.getChild('MetricExpr') ?? n.getChild('Expr');
        if (inner) return this.metricOf(inner);
        throw this.fail(c, `unsupported expression ${c.name}`);
      }
    }
  }

  literal(n: SyntaxNode): number {
    const t = this.text(n).replace(/\s+/g, '');
    const v = Number(t);
    if (Number.isNaN(v) && !/nan/i.test(t)) throw this.fail(n, `invalid number ${t}`);
    return v;
  }

  /** Lezer's LogQL grammar does not encode operator precedence: flatten the chain and rebuild it. */
  binOp(n: SyntaxNode): MetricExpr {
    const operands: MetricExpr[] = [];
    const ops: BinOpTail[] = [];
    const walk = (b: SyntaxNode): void => {
      const kids = this.children(b);
      const [l, opNode, mod, r] = [kids[0]!, kids[1]!, kids[2], kids[kids.length - 1]!];
      this.operand(l, operands, ops, walk);
      ops.push(this.opTail(opNode, mod && mod.name === 'BinOpModifier' ? mod : undefined));
      this.operand(r, operands, ops, walk);
    };
    walk(n);
    // Shunting-yard with Prometheus' precedence; ^ is right-associative.
    const out: MetricExpr[] = [operands[0]!];
    const stack: BinOpTail[] = [];
    const reduce = (): void => {
      const op = stack.pop()!;
      const right = out.pop()!;
      const left = out.pop()!;
      out.push({ kind: 'binary', op: op.op, bool: op.bool, matching: op.matching, left, right });
    };
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const p = PRECEDENCE[op.op]!;
      while (stack.length > 0) {
        const top = PRECEDENCE[stack[stack.length - 1]!.op]!;
        if (top > p || (top === p && op.op !== '^')) reduce();
        else break;
      }
      stack.push(op);
      out.push(operands[i + 1]!);
    }
    while (stack.length > 0) reduce();
    return out[0]!;
  }

  private operand(n: SyntaxNode, operands: MetricExpr[], _ops: BinOpTail[], walk: (b: SyntaxNode) => void): void {
    // An unparenthesised BinOpExpr operand belongs to the same chain.
    let m: SyntaxNode | null = n;
    while (m && (m.name === 'Expr' || m.name === 'MetricExpr') && m.firstChild && m.firstChild.from === m.from && m.firstChild.to === m.to) m = m.firstChild;
    if (m && m.name === 'BinOpExpr') {
      walk(m);
      return;
    }
    operands.push(this.metricOf(n));
  }

  private opTail(opNode: SyntaxNode, mod: SyntaxNode | undefined): BinOpTail {
    const op = OP_NODES[opNode.name];
    if (!op) throw this.fail(opNode, `unknown operator ${this.text(opNode)}`);
    let bool = false;
    let matching: VectorMatching | undefined;
    if (mod) {
      bool = mod.getChild('Bool') !== null;
      const oi = mod.getChild('OnOrIgnoringModifier');
      if (oi) {
        const on = oi.getChild('On') !== null;
        const labels = this.groupingLabels(oi.getChild('GroupingLabels'));
        let card: VectorMatching['card'] = 'one-to-one';
        let include: string[] = [];
        const gl = mod.getChild('GroupLeft') ?? oi.getChild('GroupLeft');
        const gr = mod.getChild('GroupRight') ?? oi.getChild('GroupRight');
        if (gl || gr) {
          card = gl ? 'many-to-one' : 'one-to-many';
          const gls = mod.getChildren('GroupingLabels');
          const oiLabels = oi.getChild('GroupingLabels');
          const incl = gls.find((g) => !oiLabels || g.from !== oiLabels.from) ?? oi.getChildren('GroupingLabels')[1];
          include = incl ? this.groupingLabels(incl) : [];
        }
        matching = { on, labels, card, include };
      }
    }
    return { op, bool, matching };
  }

  private groupingLabels(n: SyntaxNode | null): string[] {
    if (!n) return [];
    const out: string[] = [];
    descend(n, (c) => {
      if (c.name === 'LabelName' || c.name === 'Identifier') out.push(this.text(c));
    });
    return out;
  }

  private grouping(n: SyntaxNode | null): Grouping | undefined {
    if (!n) return undefined;
    return { without: n.getChild('Without') !== null, labels: this.groupingLabels(n.getChild('Labels')) };
  }

  vectorAgg(n: SyntaxNode): MetricExpr {
    const op = this.text(n.getChild('VectorOp')!).toLowerCase() as VectorOp;
    const num = n.getChild('Number');
    const inner = n.getChild('MetricExpr') ?? n.getChild('Expr');
    if (!inner) throw this.fail(n, 'missing expression in aggregation');
    const param = num ? Number(this.text(num)) : undefined;
    if ((op === 'topk' || op === 'bottomk') && param === undefined) throw this.fail(n, `parse error : syntax error: ${op} requires a parameter`);
    return { kind: 'vectorAgg', op, param, grouping: this.grouping(n.getChild('Grouping')), expr: this.metricOf(inner) };
  }

  labelReplace(n: SyntaxNode): MetricExpr {
    const inner = n.getChild('MetricExpr') ?? n.getChild('Expr')!;
    const strs = n.getChildren('String').map((s) => unquote(this.text(s)));
    if (strs.length !== 4) throw this.fail(n, 'label_replace needs 4 string arguments');
    const [dst, replacement, src, regex] = strs as [string, string, string, string];
    try {
      compileAnchoredRe2(regex);
    } catch (e) {
      throw new IchigenError('PARSE_ERROR', `invalid regular expression in label_replace: ${(e as Error).message}`);
    }
    return { kind: 'labelReplace', expr: this.metricOf(inner), dst, replacement, src, regex };
  }

  rangeAgg(n: SyntaxNode): MetricExpr {
    const op = this.text(n.getChild('RangeOp')!) as RangeOp;
    const lr = n.getChild('LogRangeExpr')!;
    const num = n.getChild('Number');
    const param = num ? Number(this.text(num)) : undefined;
    const sel = lr.getChild('Selector');
    const matchers = sel ? this.matchers(sel) : [];
    const pipe = lr.getChild('PipelineExpr');
    let stages = pipe ? this.pipeline(pipe) : [];
    // `{…} [5m] | …` is not LogQL; `({…} | …)[5m]` is: take the inner log expression.
    const innerLog = lr.getChild('LogExpr');
    if (innerLog) {
      const le = this.logExpr(innerLog);
      matchers.push(...le.matchers);
      stages = [...le.stages, ...stages];
    }
    const range = lr.getChild('Range');
    if (!range) throw this.fail(lr, 'parse error : syntax error: missing range');
    const rangeMs = this.duration(range.getChild('Duration') ?? range);
    const off = lr.getChild('OffsetExpr');
    const offsetMs = off ? this.duration(off.getChild('Duration')!) : 0;
    const uw = lr.getChild('UnwrapExpr');
    const unwrap = uw ? this.unwrap(uw) : undefined;
    return { kind: 'range', op, log: { kind: 'log', matchers, stages }, rangeMs, offsetMs, unwrap, param, grouping: this.grouping(n.getChild('Grouping')) };
  }

  unwrap(n: SyntaxNode): Unwrap {
    // UnwrapExpr nests: (UnwrapExpr "|" LabelFilter)* around the innermost `| unwrap conv(x)`.
    const post: LabelFilterExpr[] = [];
    let cur: SyntaxNode = n;
    while (cur.getChild('UnwrapExpr')) {
      const lf = cur.getChild('LabelFilter');
      if (lf) post.unshift(this.labelFilter(lf));
      cur = cur.getChild('UnwrapExpr')!;
    }
    const conv = cur.getChild('ConvOp');
    const label = this.text(cur.getChild('Identifier')!);
    return { label, conv: conv ? (this.text(conv).replace(/\s+/g, '') as Unwrap['conv']) : '', postFilters: post };
  }

  duration(n: SyntaxNode): number {
    const t = this.text(n).replace(/^\[|\]$/g, '').trim();
    const ms = tryParseDuration(t);
    if (ms === undefined) {
      const s = parseGoDuration(t);
      if (s === undefined) throw this.fail(n, `invalid duration ${t}`);
      return s * 1000;
    }
    return ms;
  }

  logExpr(n: SyntaxNode): LogExpr {
    const sel = n.getChild('Selector');
    if (!sel) {
      const inner = n.getChild('LogExpr');
      if (inner) return this.logExpr(inner);
      throw this.fail(n, 'missing stream selector');
    }
    const pipe = n.getChild('PipelineExpr');
    return { kind: 'log', matchers: this.matchers(sel), stages: pipe ? this.pipeline(pipe) : [] };
  }

  matchers(sel: SyntaxNode): LabelMatcher[] {
    const out: LabelMatcher[] = [];
    descend(sel, (c) => {
      if (c.name !== 'Matcher') return;
      out.push(this.matcher(c));
      return false;
    });
    return out;
  }

  matcher(m: SyntaxNode): LabelMatcher {
    const kids = this.children(m);
    const name = this.text(kids[0]!);
    const type = this.text(kids[1]!) as MatchType;
    const value = unquote(this.text(kids[2]!));
    if (type === '=~' || type === '!~') {
      try {
        compileAnchoredRe2(value);
      } catch (e) {
        throw new IchigenError('PARSE_ERROR', `parse error : invalid regular expression ${JSON.stringify(value)}: ${(e as Error).message}`);
      }
    }
    return { name, type, value };
  }

  pipeline(n: SyntaxNode): StageExpr[] {
    const out: StageExpr[] = [];
    const walk = (p: SyntaxNode): void => {
      for (const c of this.children(p)) {
        if (c.name === 'PipelineExpr') walk(c);
        else if (c.name === 'PipelineStage') out.push(...this.stage(c));
      }
    };
    walk(n);
    return out;
  }

  stage(n: SyntaxNode): StageExpr[] {
    const lfs = n.getChild('LineFilters');
    if (lfs) {
      const out: LineFilterExpr[] = [];
      const walk = (x: SyntaxNode): void => {
        for (const c of this.children(x)) {
          if (c.name === 'LineFilters') walk(c);
          else if (c.name === 'LineFilter') out.push(this.lineFilter(c));
        }
      };
      walk(lfs);
      return out;
    }
    const c = this.children(n).find((k) => k.name !== 'Pipe')!;
    switch (c.name) {
      case 'LabelParser': {
        const kind = c.firstChild!.name;
        const str = c.getChild('String');
        if (kind === 'Json') return [{ kind: 'json', params: [] }];
        if (kind === 'Logfmt') return [{ kind: 'logfmt', strict: false, keepEmpty: false, params: [] }];
        if (kind === 'Unpack') return [{ kind: 'unpack' }];
        if (kind === 'Regexp') return [{ kind: 'regexp', pattern: unquote(this.text(str!)) }];
        if (kind === 'Pattern') return [{ kind: 'pattern', pattern: unquote(this.text(str!)) }];
        throw this.fail(c, `unknown parser ${kind}`);
      }
      case 'JsonExpressionParser':
        return [{ kind: 'json', params: this.extractions(c) }];
      case 'LogfmtParser':
      case 'LogfmtExpressionParser': {
        const flags = c.getChild('LogfmtParserFlags');
        const ft = flags ? this.text(flags) : '';
        return [{ kind: 'logfmt', strict: ft.includes('--strict'), keepEmpty: ft.includes('--keep-empty'), params: this.extractions(c) }];
      }
      case 'LabelFilter':
        return [{ kind: 'labelFilter', filter: this.labelFilter(c) }];
      case 'LineFormatExpr':
        return [{ kind: 'lineFormat', template: unquote(this.text(c.getChild('String')!)) }];
      case 'LabelFormatExpr': {
        const items: Array<{ dst: string; rename?: string; template?: string }> = [];
        descend(c, (x) => {
          if (x.name !== 'LabelFormatMatcher') return;
          const kids = this.children(x);
          const dst = this.text(kids[0]!);
          const v = kids[2]!;
          const vt = this.text(v);
          if (v.name === 'Identifier') items.push({ dst, rename: vt });
          else items.push({ dst, template: unquote(vt) });
          return false;
        });
        return [{ kind: 'labelFormat', items }];
      }
      case 'DropLabelsExpr':
      case 'KeepLabelsExpr': {
        const items: Array<{ name: string; matcher?: LabelMatcher }> = [];
        descend(c, (x) => {
          if (x.name !== 'DropLabel' && x.name !== 'KeepLabel') return;
          const m = x.getChild('Matcher');
          if (m) {
            const matcher = this.matcher(m);
            items.push({ name: matcher.name, matcher });
          } else items.push({ name: this.text(x.getChild('Identifier')!) });
          return false;
        });
        return [{ kind: c.name === 'DropLabelsExpr' ? 'drop' : 'keep', items }];
      }
      case 'DecolorizeExpr':
        return [{ kind: 'decolorize' }];
      default:
        throw this.fail(c, `unsupported pipeline stage ${c.name}`);
    }
  }

  extractions(n: SyntaxNode): Array<{ name: string; source: string }> {
    const out: Array<{ name: string; source: string }> = [];
    descend(n, (x) => {
      if (x.name !== 'LabelExtractionExpression') return;
      const name = this.text(x.getChild('Identifier')!);
      const s = x.getChild('String');
      out.push({ name, source: s ? unquote(this.text(s)) : name });
      return false;
    });
    return out;
  }

  lineFilter(n: SyntaxNode): LineFilterExpr {
    const f = n.getChild('Filter')!;
    const op = this.text(f) as LineFilterExpr['op'];
    const values: Array<{ ip: boolean; value: string }> = [];
    const walk = (x: SyntaxNode): void => {
      let ip = false;
      for (const c of this.children(x)) {
        if (c.name === 'FilterOp') ip = true;
        else if (c.name === 'String') {
          values.push({ ip, value: unquote(this.text(c)) });
          ip = false;
        } else if (c.name === 'OrFilter') walk(c);
      }
    };
    walk(n);
    return { kind: 'lineFilter', op, values };
  }

  labelFilter(n: SyntaxNode): LabelFilterExpr {
    const kids = this.children(n);
    const subs = kids.filter((k) => k.name === 'LabelFilter');
    if (subs.length === 2) {
      const isOr = kids.some((k) => k.name === 'Or');
      return { kind: isOr ? 'or' : 'and', left: this.labelFilter(subs[0]!), right: this.labelFilter(subs[1]!) };
    }
    if (subs.length === 1 && kids.length >= 1 && this.text(n).trim().startsWith('(')) return this.labelFilter(subs[0]!);
    const c = kids.find((k) => k.name !== '(' && k.name !== ')')!;
    switch (c.name) {
      case 'LabelFilter':
        return this.labelFilter(c);
      case 'Matcher':
        return { kind: 'string', matcher: this.matcher(c) };
      case 'IpLabelFilter': {
        const ck = this.children(c);
        return { kind: 'ip', name: this.text(ck[0]!), negate: this.text(ck[1]!) === '!=', value: unquote(this.text(c.getChild('String')!)) };
      }
      case 'UnitFilter': {
        const u = c.firstChild!;
        const uk = this.children(u);
        const name = this.text(uk[0]!);
        const op = normOp(this.text(uk[1]!));
        const vt = this.text(uk[2]!);
        if (u.name === 'DurationFilter') {
          const s = parseGoDuration(vt);
          if (s === undefined) throw this.fail(u, `invalid duration ${vt}`);
          return { kind: 'duration', name, op, value: s };
        }
        const b = parseHumanBytes(vt);
        if (b === undefined) throw this.fail(u, `invalid bytes ${vt}`);
        return { kind: 'bytes', name, op, value: b };
      }
      case 'NumberFilter': {
        const nk = this.children(c);
        return { kind: 'number', name: this.text(nk[0]!), op: normOp(this.text(nk[1]!)), value: this.literal(nk[2]!) };
      }
      default:
        throw this.fail(c, `unsupported label filter ${c.name}`);
    }
  }
}

/** Visits descendants of `n` (absolute positions); return false to skip a node's children. */
function descend(n: SyntaxNode, enter: (c: SyntaxNode) => boolean | void): void {
  for (let c = n.firstChild; c; c = c.nextSibling) {
    if (enter(c) === false) continue;
    descend(c, enter);
  }
}

function normOp(op: string): CompareOp {
  return (op === '=' ? '==' : op) as CompareOp;
}
