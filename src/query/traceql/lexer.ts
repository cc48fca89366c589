import { IchigenError } from '../../model/index.js';

export type TokenType = 'punct' | 'op' | 'string' | 'number' | 'duration' | 'ident' | 'attr' | 'eof';

export interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly pos: number;
  /** number / duration (ns) value; for attr: scope; for string: decoded text. */
  readonly num?: number;
  readonly isFloat?: boolean;
  readonly value?: string;
  readonly scope?: string;
}

const OPS = ['!>>', '!<<', '&>>', '&<<', '&&', '||', '>>', '<<', '>=', '<=', '!=', '=~', '!~', '!>', '!<', '&>', '&<', '&~', '~', '=', '<', '>', '!', '+', '-', '*', '/', '%', '^'];
const PUNCT = new Set(['{', '}', '(', ')', ',', '|']);
// Where an attribute name ends (Tempo's lexer rule: names may contain dots, dashes, slashes…).
const ATTR_END = new Set([' ', '\t', '\n', '\r', '{', '}', '(', ')', '=', '~', '!', '<', '>', '&', '|', '^', ',', '"']);
const SCOPES = ['span', 'resource', 'event', 'link', 'instrumentation', 'parent'];
const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export function parseError(pos: number, message: string): IchigenError {
  return new IchigenError('PARSE_ERROR', `invalid TraceQL query: ${message} (at position ${pos + 1})`);
}

function readString(src: string, start: number): { value: string; end: number } {
  const quote = src[start]!;
  let i = start + 1;
  let out = '';
  while (i < src.length) {
    const c = src[i]!;
    if (c === quote) return { value: out, end: i + 1 };
    if (c === '\\' && quote === '"') {
      const n = src[i + 1];
      if (n === undefined) break;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw parseError(start, 'unterminated string');
}

function readAttrName(src: string, start: number): { name: string; end: number } {
  if (src[start] === '"') {
    const s = readString(src, start);
    return { name: s.value, end: s.end };
  }
  let i = start;
  while (i < src.length && !ATTR_END.has(src[i]!)) i++;
  return { name: src.slice(start, i), end: i };
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (PUNCT.has(c) && !(c === '|' && src[i + 1] === '|')) {
      out.push({ type: 'punct', text: c, pos: i });
      i++;
      continue;
    }
    if (c === '"' || c === '`') {
      const s = readString(src, i);
      out.push({ type: 'string', text: src.slice(i, s.end), pos: i, value: s.value });
      i = s.end;
      continue;
    }
    // Numbers and durations: 12, 1.5, .5, 1.5s, 60us, 1500ms
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d*\.?\d+(?:[eE][+-]?\d+)?)(ns|us|µs|ms|s|m|h)?(?![A-Za-z0-9_.])/.exec(src.slice(i));
      if (!m) throw parseError(i, `bad number "${src.slice(i, i + 12)}"`);
      const n = Number(m[1]);
      if (m[2] !== undefined) out.push({ type: 'duration', text: m[0], pos: i, num: Math.round(n * DURATION_UNITS[m[2]]!) });
      else out.push({ type: 'number', text: m[0], pos: i, num: n, isFloat: /[.eE]/.test(m[1]!) });
      i += m[0].length;
      continue;
    }
    if (c === '.') {
      const a = readAttrName(src, i + 1);
      if (a.name === '') throw parseError(i, 'expected an attribute name after "."');
      out.push({ type: 'attr', text: src.slice(i, a.end), pos: i, scope: 'any', value: a.name });
      i = a.end;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      const word = src.slice(i, j);
      if (SCOPES.includes(word) && src[j] === '.') {
        // parent.span.x → scope parent is not supported; reported by the parser.
        const a = readAttrName(src, j + 1);
        if (a.name === '') throw parseError(j, `expected an attribute name after "${word}."`);
        out.push({ type: 'attr', text: src.slice(i, a.end), pos: i, scope: word, value: a.name });
        i = a.end;
        continue;
      }
      if (src[j] === ':' && /[A-Za-z]/.test(src[j + 1] ?? '')) {
        let k = j + 1;
        while (k < src.length && /[A-Za-z0-9_]/.test(src[k]!)) k++;
        out.push({ type: 'ident', text: src.slice(i, k), pos: i });
        i = k;
        continue;
      }
      out.push({ type: 'ident', text: word, pos: i });
      i = j;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op !== undefined) {
      out.push({ type: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    throw parseError(i, `unexpected character "${c}"`);
  }
  out.push({ type: 'eof', text: '', pos: src.length });
  return out;
}
