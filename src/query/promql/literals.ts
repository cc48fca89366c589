import { tryParseDuration } from '../../model/index.js';

/**
 * Literal syntax as Prometheus' lexer reads it: numbers in Go's notations (hex, octal,
 * Inf/NaN, exponents), durations used as numbers (`1m` = 60), and Go-quoted strings.
 */
export function parseNumberLiteral(text: string): number | undefined {
  const t = text.toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[0-7]+$/.test(t)) return parseInt(t.slice(1), 8);
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return Number(t);
  const ms = tryParseDuration(text);
  return ms === undefined ? undefined : ms / 1000;
}

/** A duration inside `[...]`, after `offset`, or a subquery step: units or float seconds. */
export function parseDurationLiteral(text: string): number | undefined {
  const ms = tryParseDuration(text);
  if (ms !== undefined) return ms;
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Math.round(Number(text) * 1000);
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** Go's strconv.Unquote for the three PromQL string forms. Throws a message on bad escapes. */
export function unquoteString(raw: string): string {
  const q = raw[0];
  if (q === '`') return raw.slice(1, -1);
  const body = raw.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new Error('escape sequence not terminated');
    if (e in SIMPLE_ESCAPES) {
      if ((e === '"' && q === "'") || (e === "'" && q === '"')) throw new Error(`unknown escape sequence U+005C '\\${e}'`);
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const hex = body.slice(i + 1, i + 1 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) throw new Error('invalid escape sequence');
      out += e === 'x' ? String.fromCharCode(parseInt(hex, 16)) : String.fromCodePoint(parseInt(hex, 16));
      i += hexLen;
      continue;
    }
    if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new Error('invalid escape sequence');
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
      continue;
    }
    throw new Error(`unknown escape sequence U+005C '\\${e}'`);
  }
  return out;
}
