import { IchigenError } from '../../model/index.js';
import { TEMPLATE_FUNCTIONS, type TValue } from './template-functions.js';
import { goFloat } from './go-format.js';

/** The data a line_format / label_format template sees. */
export interface TemplateData {
  readonly labels: ReadonlyMap<string, string>;
  readonly line: string;
  readonly tsNs: bigint;
}

type Node = { kind: 'text'; text: string } | { kind: 'action'; pipeline: Command[] };
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
 * `__timestamp__`, pipelines, parentheses and the Sprig/Loki functions users use. Missing
 * labels render empty (Loki's missingkey=zero). Unknown functions are named in the error.
 */
export function compileTemplate(src: string): CompiledTemplate {
  const hit = cache.get(src);
  if (hit) return hit;
  const nodes = parseTemplate(src);
  const t: CompiledTemplate = { run: (d) => nodes.map((n) => (n.kind === 'text' ? n.text : show(evalPipeline(n.pipeline, d)))).join('') };
  if (cache.size > 1000) cache.clear();
  cache.set(src, t);
  return t;
}

function fail(src: string, why: string): IchigenError {
  return new IchigenError('PARSE_ERROR', `parse error : template: ${why} in ${JSON.stringify(src)}`);
}

function parseTemplate(src: string): Node[] {
  const nodes: Node[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      nodes.push({ kind: 'text', text: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.trimEnd();
      start++;
    }
    if (text) nodes.push({ kind: 'text', text });
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
    if (tokens[0] === 'if' || tokens[0] === 'range' || tokens[0] === 'with' || tokens[0] === 'end' || tokens[0] === 'else' || tokens[0] === 'define' || tokens[0] === 'template') {
      throw fail(src, `"${tokens[0]}" actions are not supported by Ichigen's line_format yet`);
    }
    const pos = { i: 0 };
    const pipeline = parsePipeline(tokens, pos, src);
    if (pos.i < tokens.length) throw fail(src, `unexpected "${tokens[pos.i]}"`);
    nodes.push({ kind: 'action', pipeline });
    i = next;
  }
  return nodes;
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
  if (t === 'true' || t === 'false') return { kind: 'lit', value: t === 'true' ? 1n : 0n };
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(t)) throw fail(src, `unexpected "${t}"`);
  if (!(t in TEMPLATE_FUNCTIONS)) throw fail(src, `function "${t}" not defined`);
  return { kind: 'func', name: t };
}

function evalPipeline(cmds: Command[], d: TemplateData): TValue {
  let prev: TValue | undefined;
  for (const cmd of cmds) prev = evalCommand(cmd, d, prev);
  return prev!;
}

function evalCommand(cmd: Command, d: TemplateData, piped: TValue | undefined): TValue {
  const head = cmd[0]!;
  if (head.kind === 'func') {
    const args = cmd.slice(1).map((o) => evalOperand(o, d));
    if (piped !== undefined) args.push(piped);
    return TEMPLATE_FUNCTIONS[head.name]!(...args);
  }
  if (cmd.length > 1) throw new IchigenError('EXECUTION', `template: can't give argument to non-function`);
  return evalOperand(head, d);
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
      return new Date(Number(d.tsNs / 1_000_000n));
    case 'lit':
      return o.value;
    case 'func':
      return TEMPLATE_FUNCTIONS[o.name]!();
    case 'pipe':
      return evalPipeline(o.pipeline, d);
  }
}

export function show(v: TValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return goFloat(v);
  if (v instanceof Date) return goTimeString(v);
  return String(v);
}

function goTimeString(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23).replace(/\.?0+$/, '')} +0000 UTC`;
}
