import { IchigenError, compileRe2 } from '../../model/index.js';
import type { LineFilterExpr } from './ast.js';
import { compileIp, lineHasIp } from './ip-match.js';

/** Compiles a line filter to a predicate over the line. */
export function compileLineFilter(f: LineFilterExpr): (line: string) => boolean {
  const alts = f.values.map((v) => compileOne(f.op, v.value, v.ip));
  const negate = f.op === '!=' || f.op === '!~' || f.op === '!>';
  // `!= "a" or "b"`: the line must contain neither (Loki ANDs the negated alternatives).
  if (alts.length === 1) {
    const a = alts[0]!;
    return negate ? (l) => !a(l) : a;
  }
  return negate ? (l) => !alts.some((a) => a(l)) : (l) => alts.some((a) => a(l));
}

function compileOne(op: LineFilterExpr['op'], value: string, ip: boolean): (line: string) => boolean {
  if (ip) {
    const m = compileIp(value);
    return (l) => lineHasIp(l, m);
  }
  switch (op) {
    case '|=':
    case '!=':
      // `|= ""` keeps every line; `!= ""` (negated) keeps none — as in Loki.
      return (l) => l.includes(value);
    case '|~':
    case '!~': {
      let re: RegExp;
      try {
        re = compileRe2(re2Whitespace(value));
      } catch (e) {
        throw new IchigenError('PARSE_ERROR', `parse error : invalid regular expression ${JSON.stringify(value)}: ${(e as Error).message}`);
      }
      return (l) => re.test(l);
    }
    case '|>':
    case '!>': {
      const src = value
        .split(/<_>|<[a-zA-Z_][a-zA-Z0-9_]*>/)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[\\s\\S]*?');
      const re = new RegExp(`^${src}$`, 'u');
      return (l) => re.test(l);
    }
  }
}

/** Literal substrings a line must contain for the filter to pass (pushdown to the store). */
export function requiredSubstring(f: LineFilterExpr): string | undefined {
  if (f.op === '|=' && f.values.length === 1 && !f.values[0]!.ip && f.values[0]!.value !== '') return f.values[0]!.value;
  return undefined;
}

/**
 * RE2's \s is [\t\n\f\r ] only; JavaScript's also matches \v and Unicode spaces.
 * Rewrites \s and \S so a line of non-breaking spaces is not "blank" (as in Loki).
 */
export function re2Whitespace(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[i + 1]!;
      if (n === 's') out += inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
      else if (n === 'S' && !inClass) out += '[^\\t\\n\\f\\r ]';
      else out += c + n;
      i++;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}
