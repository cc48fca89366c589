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

/** Go's %#U: `U+002E '.'` (the quoted character only when printable). */
function goRune(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch) ? `U+${hex} '${ch}'` : `U+${hex}`;
}

/**
 * Go's strconv.Unquote for the three PromQL string forms, with the errors Prometheus'
 * lexer gives for bad escapes (it checks them before unquoting).
 */
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
    if (e in SIMPLE_ESCAPES && !((e === '"' && q === "'") || (e === "'" && q === '"'))) {
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    let digits = 0;
    let base = 16;
    if (/[0-7]/.test(e)) {
      digits = 3;
      base = 8;
    } else if (e === 'x') digits = 2;
    else if (e === 'u') digits = 4;
    else if (e === 'U') digits = 8;
    else throw new Error(`unknown escape sequence ${goRune(String.fromCodePoint(body.codePointAt(i)!))}`);
    const start = base === 8 ? i : i + 1;
    let value = 0;
    for (let k = 0; k < digits; k++) {
      const d = body[start + k];
      if (d === undefined) throw new Error('escape sequence not terminated');
      const v = parseInt(d, base);
      if (Number.isNaN(v) || !/[0-9a-fA-F]/.test(d)) throw new Error(`illegal character ${goRune(d)} in escape sequence`);
      value = value * base + v;
    }
    const max = e === 'u' || e === 'U' ? 0x10ffff : 255;
    if (value > max || (value >= 0xd800 && value < 0xe000)) throw new Error('escape sequence is an invalid Unicode code point');
    out += e === 'u' || e === 'U' ? String.fromCodePoint(value) : String.fromCharCode(value);
    i = start + digits - 1;
  }
  return out;
}
