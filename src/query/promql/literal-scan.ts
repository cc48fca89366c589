/**
 * Number and duration tokens as Prometheus' own lexer reads them, where the Lezer grammar
 * (Prometheus 3's, for the editor) reads them differently:
 *  - `forGrammar` rewrites, without moving any position, the number forms Prometheus
 *    accepts and the grammar does not (`5.`, `5.e3`, `0X1F`);
 *  - `prometheus2LiteralError` applies Prometheus 2.42's stricter rules (no durations as
 *    numbers, no numbers as durations, its "bad duration syntax" family of errors), so
 *    prometheus2 mode refuses what Prometheus 2.42 refuses, with its words.
 */
export interface LiteralProblem {
  readonly offset: number;
  readonly message: string;
}

const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Calls `visit` for every number-like token start outside strings and comments. */
function scanTokens(q: string, visit: (start: number, prevToken: string) => number | undefined): void {
  let prevToken = '';
  let i = 0;
  let bracket = false;
  while (i < q.length) {
    const c = q[i]!;
    if (c === '[') bracket = true;
    if (c === ']') bracket = false;
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < q.length && q[j] !== c) j += q[j] === '\\' && c !== '`' ? 2 : 1;
      i = j + 1;
      prevToken = 'string';
      continue;
    }
    if (c === '#') {
      while (i < q.length && q[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ((isDigit(c) || (c === '.' && isDigit(q[i + 1]))) && !isAlphaNumeric(q[i - 1]) && (bracket || q[i - 1] !== ':') && q[i - 1] !== '.') {
      const end = visit(i, prevToken);
      if (end === undefined) return;
      i = Math.max(end, i + 1);
      prevToken = 'number';
      continue;
    }
    if (isAlphaNumeric(c) || (c === ':' && !bracket)) {
      // In brackets a colon separates the subquery step; elsewhere it belongs to metric names.
      let j = i;
      while (j < q.length && (isAlphaNumeric(q[j]) || (q[j] === ':' && !bracket))) j++;
      prevToken = q.slice(i, j).toLowerCase();
      i = j;
      continue;
    }
    prevToken = c;
    i++;
  }
}

/** The grammar's text for the query: same length, number forms it cannot lex rewritten. */
export function forGrammar(query: string): string {
  const out = query.split('');
  scanTokens(query, (start) => {
    let i = start;
    if (query[i] === '0' && (query[i + 1] === 'x' || query[i + 1] === 'X')) {
      out[i + 1] = 'x';
      i += 2;
      while (i < query.length && /[0-9A-Fa-f]/.test(query[i]!)) i++;
      return i;
    }
    while (isDigit(query[i])) i++;
    if (query[i] !== '.') return Math.max(i, start + 1);
    if (isDigit(query[i + 1])) {
      i++;
      while (isDigit(query[i])) i++;
      return i;
    }
    const e = /^\.([eE])([+-]?)(\d+)/.exec(query.slice(i));
    if (e !== null) {
      // 5.e3 -> 5e+3, 5.e-3 -> 5e-03 (the same length).
      const rewritten = e[2] === '' ? `e+${e[3]}` : `e${e[2]}0${e[3]}`;
      for (let k = 0; k < rewritten.length; k++) out[i + k] = rewritten[k]!;
      return i + e[0].length;
    }
    // "5." is five.
    if (!isAlphaNumeric(query[i + 1])) out[i] = ' ';
    return i + 1;
  });
  return out.join('');
}

const DURATION_RE = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;

class Lexer {
  pos: number;
  constructor(
    readonly q: string,
    readonly start: number,
  ) {
    this.pos = start;
  }
  peek(): string | undefined {
    return this.q[this.pos];
  }
  accept(chars: string): boolean {
    const c = this.q[this.pos];
    if (c !== undefined && chars.includes(c)) {
      this.pos++;
      return true;
    }
    return false;
  }
  acceptRun(chars: string): void {
    while (this.accept(chars));
  }
  /** Prometheus 2's scanNumber: true when a number ends here. */
  scanNumber(): boolean {
    let digits = '0123456789';
    if (this.accept('0') && this.accept('xX')) digits = '0123456789abcdefABCDEF';
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789');
    }
    return !isAlphaNumeric(this.peek());
  }
  /** Prometheus 2's acceptRemainingDuration (the token then ends before the last char read). */
  remainingDuration(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s');
    while (this.accept('0123456789')) {
      this.acceptRun('0123456789');
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    const next = this.q[this.pos];
    this.pos++;
    return !isAlphaNumeric(next);
  }
  text(): string {
    return this.q.slice(this.start, this.pos);
  }
}

function durationProblem(text: string, offset: number): LiteralProblem | undefined {
  const m = DURATION_RE.exec(text);
  if (text === '' || m === null) return { offset, message: `not a valid duration string: ${JSON.stringify(text)}` };
  if (/^0+[a-z]+$/.test(text) || !/[1-9]/.test(text)) return { offset, message: 'duration must be greater than 0' };
  return undefined;
}

function numberProblem(text: string, offset: number): LiteralProblem | undefined {
  const t = text.toLowerCase();
  if (/^0x[0-9a-f]+$/.test(t) || /^0[0-7]*$/.test(t) || /^\d+$/.test(t)) return undefined;
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return { offset, message: `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax` };
  if (!Number.isFinite(Number(t))) return { offset, message: `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range` };
  return undefined;
}

/** The first literal Prometheus 2.42's lexer and parser refuse, or undefined. */
export function prometheus2LiteralError(q: string): LiteralProblem | undefined {
  let problem: LiteralProblem | undefined;
  // A range's duration follows `[`; subquery steps and offsets are checked token by token below.
  for (let i = 0; i < q.length && problem === undefined; i++) {
    const c = q[i]!;
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < q.length && q[j] !== c) j += q[j] === '\\' && c !== '`' ? 2 : 1;
      i = j;
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      while (/\s/.test(q[j] ?? '')) j++;
      const lx = new Lexer(q, j);
      if (lx.scanNumber()) problem = { offset: j, message: 'missing unit character in duration' };
      else if (!lx.remainingDuration()) problem = { offset: j, message: `bad duration syntax: ${JSON.stringify(lx.text())}` };
      else problem = durationProblem(q.slice(j, lx.pos - 1), j);
      i = Math.max(i, lx.pos - 2);
      continue;
    }
  }
  if (problem !== undefined) return problem;
  scanTokens(q, (start, prevToken) => {
    const lx = new Lexer(q, start);
    const inOffset = prevToken === 'offset' || (prevToken === '-' && /offset\s*-\s*$/i.test(q.slice(0, start)));
    const inStep = /\[[^\]]*:\s*$/.test(q.slice(0, start)) && !/\][^[]*$/.test(q.slice(0, start));
    if (/\[\s*$/.test(q.slice(0, start))) {
      // A range's duration: checked above; skip it.
      lx.scanNumber();
      lx.remainingDuration();
      return Math.max(start + 1, lx.pos - 1);
    }
    if (lx.scanNumber()) {
      const text = lx.text();
      if (inOffset) problem = { offset: start, message: `unexpected number ${JSON.stringify(text)} in offset, expected duration` };
      else if (inStep) problem = { offset: start, message: `unexpected number ${JSON.stringify(text)} in subquery selector, expected duration or "]"` };
      else problem = numberProblem(text, start);
      return problem === undefined ? lx.pos : undefined;
    }
    if (!lx.remainingDuration()) {
      problem = { offset: start, message: `bad number or duration syntax: ${JSON.stringify(q.slice(start, lx.pos))}` };
      return undefined;
    }
    const text = q.slice(start, lx.pos - 1);
    if (!inOffset && !inStep) problem = { offset: start, message: `unexpected duration ${JSON.stringify(text)}` };
    else problem = durationProblem(text, start);
    return problem === undefined ? lx.pos - 1 : undefined;
  });
  return problem;
}
