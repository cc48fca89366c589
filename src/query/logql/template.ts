import { IchigenError } from '../../model/index.js';
import { TEMPLATE_BUILTINS, truth } from './template-builtins.js';
import { GoTime } from './go-time.js';
import { TEMPLATE_FUNCTIONS, type TValue } from './template-functions.js';
import { goFloat } from './go-format.js';

/** The data a line_format / label_format template sees. */
export interface TemplateData {
  readonly labels: ReadonlyMap<string, string>;
  readonly line: string;
  readonly tsNs: bigint;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Command[] }
  /** `{{if p}}…{{else if q}}…{{else}}…{{end}}`: the first branch whose pipeline is true. */
  | { kind: 'if'; branches: Array<{ cond: Command[]; body: Node[] }>; otherwise: Node[] };

/** One `{{…}}` or the text between them, before blocks are nested. */
type Item = { kind: 'text'; text: string } | { kind: 'action'; tokens: string[] };

/** Go's own functions first, then Loki's (Sprig) map: the names a template may call. */
function lookup(name: string): ((...args: TValue[]) => TValue) | undefined {
  return TEMPLATE_BUILTINS[name] ?? TEMPLATE_FUNCTIONS[name];
}
type Operand =
  | { kind: 'field'; name: string }
  | { kind: 'dot' }
  | { kind: 'line' }
  | { kind: 'ts' }
  | { kind: 'lit'; value: TValue }
  | { kind: 'func'; name: string }
  | { kind: 'pipe'; pipeline: Command[] };
type Command = Operand[];

export interface CompiledTemplate {
  run(data: TemplateData): string;
}

const cache = new Map<string, CompiledTemplate>();

/**
 * A Go text/template subset as Loki's line_format uses it: `{{ .label }}`, `__line__`,
 * `__timestamp__`, pipelines, parentheses, `if`/`else if`/`else`/`end`, Go's comparison and
 * logic functions and the Sprig/Loki functions users use. Missing labels render empty
 * (Loki's missingkey=zero). Unknown functions and unsupported actions are named in the error.
 */
export function compileTemplate(src: string): CompiledTemplate {
  const hit = cache.get(src);
  if (hit) return hit;
  const nodes = parseTemplate(src);
  const t: CompiledTemplate = { run: (d) => render(nodes, d) };
  if (cache.size > 1000) cache.clear();
  cache.set(src, t);
  return t;
}

function fail(src: string, why: string): IchigenError {
  return new IchigenError('PARSE_ERROR', `parse error : template: ${why} in ${JSON.stringify(src)}`);
}

function lex(src: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      items.push({ kind: 'text', text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.trimEnd();
      start++;
    }
    if (text) items.push({ kind: 'text', text });
    const close = findClose(src, start);
    if (close < 0) throw fail(src, 'unclosed action');
    let body = src.slice(start, close);
    let next = close + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      while (next < src.length && /\s/.test(src[next]!)) next++;
    }
    const tokens = tokenize(body, src);
    if (tokens.length === 0) throw fail(src, 'missing value for command');
    items.push({ kind: 'action', tokens });
    i = next;
  }
  return items;
}

function parseTemplate(src: string): Node[] {
  const items = lex(src);
  const pos = { i: 0 };
  const nodes = parseList(items, pos, src);
  if (pos.i < items.length) throw fail(src, `unexpected {{${(items[pos.i] as { tokens: string[] }).tokens[0]}}}`);
  return nodes;
}

/** Nodes up to (not including) an `{{else…}}` or `{{end}}`, which the caller consumes. */
function parseList(items: Item[], pos: { i: number }, src: string): Node[] {
  const nodes: Node[] = [];
  while (pos.i < items.length) {
    const it = items[pos.i]!;
    if (it.kind === 'text') {
      nodes.push(it);
      pos.i++;
      continue;
    }
    const head = it.tokens[0]!;
    if (head === 'else' || head === 'end') return nodes;
    pos.i++;
    if (head === 'if') {
      nodes.push(parseIf(it.tokens.slice(1), items, pos, src));
      continue;
    }
    if (head === 'range' || head === 'with' || head === 'define' || head === 'template' || head === 'block' || head.startsWith('$')) {
      throw fail(src, `"${head}" is not supported by Ichigen's line_format yet (if/else, comparisons and functions are)`);
    }
    const p = { i: 0 };
    const pipeline = parsePipeline(it.tokens, p, src);
    if (p.i < it.tokens.length) throw fail(src, `unexpected "${it.tokens[p.i]}"`);
    nodes.push({ kind: 'action', pipeline });
  }
  return nodes;
}

function condition(tokens: string[], src: string): Command[] {
  if (tokens.length === 0) throw fail(src, 'missing value for if');
  const p = { i: 0 };
  const cond = parsePipeline(tokens, p, src);
  if (p.i < tokens.length) throw fail(src, `unexpected "${tokens[p.i]}" in if`);
  return cond;
}

function parseIf(condTokens: string[], items: Item[], pos: { i: number }, src: string): Node {
  const branches = [{ cond: condition(condTokens, src), body: parseList(items, pos, src) }];
  let otherwise: Node[] = [];
  for (;;) {
    const it = items[pos.i];
    if (it === undefined || it.kind !== 'action') throw fail(src, 'unexpected EOF: missing {{end}}');
    pos.i++;
    if (it.tokens[0] === 'end') break;
    // {{else if …}} opens another branch; a plain {{else}} the last one.
    if (it.tokens[1] === 'if') {
      branches.push({ cond: condition(it.tokens.slice(2), src), body: parseList(items, pos, src) });
      continue;
    }
    if (it.tokens.length > 1) throw fail(src, `unexpected "${it.tokens[1]}" after else`);
    otherwise = parseList(items, pos, src);
    const end = items[pos.i];
    if (end === undefined || end.kind !== 'action' || end.tokens[0] !== 'end') throw fail(src, 'expected {{end}} after {{else}}');
    pos.i++;
    break;
  }
  return { kind: 'if', branches, otherwise };
}

function render(nodes: readonly Node[], d: TemplateData): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'action') out += show(evalPipeline(n.pipeline, d));
    else {
      const branch = n.branches.find((b) => truth(evalPipeline(b.cond, d)));
      out += render(branch ? branch.body : n.otherwise, d);
    }
  }
  return out;
}

function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length - 1) {
    const c = src[i]!;
    if (c === '"' || c === '`') {
      const end = c === '`' ? src.indexOf('`', i + 1) : findQuoteEnd(src, i);
      if (end < 0) return -1;
      i = end + 1;
      continue;
    }
    if (c === '}' && src[i + 1] === '}') return i;
    i++;
  }
  return -1;
}

function findQuoteEnd(s: string, i: number): number {
  let j = i + 1;
  while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
  return j < s.length ? j : -1;
}

function tokenize(body: string, src: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      const end = findQuoteEnd(body, i);
      if (end < 0) throw fail(src, 'unterminated quoted string');
      out.push(body.slice(i, end + 1));
      i = end + 1;
    } else if (c === '`') {
      const end = body.indexOf('`', i + 1);
      if (end < 0) throw fail(src, 'unterminated raw string');
      out.push(body.slice(i, end + 1));
      i = end + 1;
    } else if (c === '(' || c === ')' || c === '|') {
      out.push(c);
      i++;
    } else {
      const m = /^[^\s()|"`]+/.exec(body.slice(i))!;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out;
}

function parsePipeline(tokens: string[], pos: { i: number }, src: string): Command[] {
  const cmds: Command[] = [];
  let cur: Command = [];
  while (pos.i < tokens.length && tokens[pos.i] !== ')') {
    const t = tokens[pos.i++]!;
    if (t === '|') {
      if (cur.length === 0) throw fail(src, 'missing command before |');
      cmds.push(cur);
      cur = [];
    } else if (t === '(') {
      const inner = parsePipeline(tokens, pos, src);
      if (tokens[pos.i] !== ')') throw fail(src, 'unclosed (');
      pos.i++;
      cur.push({ kind: 'pipe', pipeline: inner });
    } else cur.push(operand(t, src));
  }
  if (cur.length === 0) throw fail(src, 'missing command');
  cmds.push(cur);
  return cmds;
}

function operand(t: string, src: string): Operand {
  if (t === '.') return { kind: 'dot' };
  if (t.startsWith('.')) {
    if (!/^\.[a-zA-Z_][a-zA-Z0-9_]*$/.test(t)) throw fail(src, `bad field ${t}`);
    return { kind: 'field', name: t.slice(1) };
  }
  if (t === '__line__') return { kind: 'line' };
  if (t === '__timestamp__') return { kind: 'ts' };
  if (t.startsWith('"')) {
    try {
      return { kind: 'lit', value: JSON.parse(t) as string };
    } catch {
      throw fail(src, `bad string ${t}`);
    }
  }
  if (t.startsWith('`')) return { kind: 'lit', value: t.slice(1, -1) };
  if (/^[-+]?\d+$/.test(t)) return { kind: 'lit', value: BigInt(t) };
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(t)) return { kind: 'lit', value: Number(t) };
  if (t === 'true' || t === 'false') return { kind: 'lit', value: t === 'true' };
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(t)) throw fail(src, `unexpected "${t}"`);
  // Loki has fromJson (Sprig), but its result needs map access, which this engine lacks.
  if (t === 'fromJson') throw fail(src, `"fromJson" is not supported by Ichigen's line_format yet`);
  if (t !== 'and' && t !== 'or' && lookup(t) === undefined) throw fail(src, `function "${t}" not defined`);
  return { kind: 'func', name: t };
}

function evalPipeline(cmds: Command[], d: TemplateData): TValue {
  let prev: TValue | undefined;
  for (const cmd of cmds) prev = evalCommand(cmd, d, prev);
  return prev!;
}

function evalCommand(cmd: Command, d: TemplateData, piped: TValue | undefined): TValue {
  const head = cmd[0]!;
  if (head.kind === 'func' && (head.name === 'and' || head.name === 'or')) return andOr(head.name, cmd.slice(1), d, piped);
  if (head.kind === 'func') {
    const args = cmd.slice(1).map((o) => evalOperand(o, d));
    if (piped !== undefined) args.push(piped);
    return lookup(head.name)!(...args);
  }
  if (cmd.length > 1) throw new IchigenError('EXECUTION', `template: can't give argument to non-function`);
  return evalOperand(head, d);
}

/**
 * Go's `and`/`or` stop at the first argument that decides the result and return it as it is
 * (`and x y` is `if x then y else x`), so a later argument that would fail is not evaluated.
 */
function andOr(name: 'and' | 'or', operands: Operand[], d: TemplateData, piped: TValue | undefined): TValue {
  const n = operands.length + (piped === undefined ? 0 : 1);
  if (n < 1) throw new IchigenError('EXECUTION', `template: wrong number of args for ${name}: want at least 1 got 0`);
  let v: TValue | undefined;
  for (let k = 0; k < n; k++) {
    v = k < operands.length ? evalOperand(operands[k]!, d) : piped!;
    if (truth(v) === (name === 'or')) return v;
  }
  return v!;
}

function evalOperand(o: Operand, d: TemplateData): TValue {
  switch (o.kind) {
    case 'field':
      return d.labels.get(o.name) ?? '';
    case 'dot':
      return Object.fromEntries(d.labels) as unknown as string;
    case 'line':
      return d.line;
    case 'ts':
      return new GoTime(d.tsNs);
    case 'lit':
      return o.value;
    case 'func':
      return o.name === 'and' || o.name === 'or' ? andOr(o.name, [], d, undefined) : lookup(o.name)!();
    case 'pipe':
      return evalPipeline(o.pipeline, d);
  }
}

export function show(v: TValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return goFloat(v);
  return v.toString();
}
