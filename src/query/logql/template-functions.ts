import { IchigenError, compileRe2 } from '../../model/index.js';
import { decimalFold } from './decimal.js';
import { byteSlice, goFloat, goSprintf } from './go-format.js';
import { GO_ZERO_TIME, GoTime, goTimeFormat, goTimeParse, inZone, knownZone } from './go-time.js';
import { parseGoDuration, parseGoFloat, parseHumanBytes } from './units.js';

/** Template values: Go strings, int64 (bigint), float64 (number), bool, time.Time (GoTime). */
export type TValue = string | bigint | number | boolean | GoTime;

function toStr(v: TValue | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return goFloat(v);
  return v.toString();
}

/**
 * cast.ToInt64 on a string: strconv.ParseInt with base 0 (`0x1f`, `0o17`, `017` octal,
 * `0b101`, `1_000`) after trailing zero decimals are trimmed (`12.00` is 12); 0 otherwise.
 */
function parseGoInt(s: string): bigint {
  const m = /^([+-]?)(.*)$/s.exec(s.replace(/\.0+$/, ''))!;
  let body = m[2]!;
  let prefix = '';
  let digits = '0-9';
  if (/^0[xXbBoO]/.test(body)) {
    prefix = body.slice(0, 2).toLowerCase();
    digits = prefix === '0x' ? '0-9a-fA-F' : prefix === '0b' ? '01' : '0-7';
    body = body.slice(2);
  } else if (/^0./s.test(body)) {
    prefix = '0o';
    digits = '0-7';
    body = body.slice(1);
  }
  // Underscores only between digits, or right after a base prefix.
  if (!new RegExp(`^${prefix !== '' ? '_?' : ''}[${digits}]+(_[${digits}]+)*$`).test(body)) return 0n;
  const v = BigInt(`${prefix}${body.replace(/_/g, '')}`);
  const signed = m[1] === '-' ? -v : v;
  return signed > 9223372036854775807n || signed < -9223372036854775808n ? 0n : signed;
}

/** cast.ToInt64: strings parse as Go integers (0 when not one), floats truncate. */
function toInt(v: TValue | undefined): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'string') return parseGoInt(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  // cast.ToInt64 has no case for time.Time: 0.
  return 0n;
}

/** cast.ToFloat64: strings parse with strconv.ParseFloat (no surrounding spaces), 0 when they do not. */
function toFloat(v: TValue | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return parseGoFloat(v) ?? 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

/**
 * Sprig's `date` argument: a time, or int seconds since the epoch; anything else is "now"
 * (Sprig's default case), so a label holding a date string formats the current time, as in Loki.
 */
function dateArg(v: TValue | undefined): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === 'bigint') return new GoTime(v * 1_000_000_000n);
  return GoTime.fromMs(Date.now());
}

/** A `time.Time` parameter: text/template refuses any other type. */
function timeArg(v: TValue | undefined, fn: string): GoTime {
  if (!(v instanceof GoTime)) throw new Error(`template: error calling ${fn}: wrong type for value; expected time.Time; got ${goTypeName(v)}`);
  return v;
}

function runes(s: string): string[] {
  return [...s];
}

/** Go's strings.Trim family: the cutset is a set of characters (runes). */
function trimCutset(s: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set(runes(cutset));
  const r = runes(s);
  let a = 0;
  let b = r.length;
  while (left && a < b && set.has(r[a]!)) a++;
  while (right && b > a && set.has(r[b - 1]!)) b--;
  return r.slice(a, b).join('');
}

/** Loki's unixToTime: the unit comes from the digit count (days, s, ms, µs, ns). */
function unixToTime(v: TValue | undefined): GoTime {
  const str = toStr(v);
  if (!/^[+-]?\d+$/.test(str)) throw new Error(`template: error calling unixToTime: unable to parse time '${str}': strconv.ParseInt: parsing ${JSON.stringify(str)}: invalid syntax`);
  const n = BigInt(str);
  const scale: Record<number, bigint> = { 5: 86_400n * 1_000_000_000n, 10: 1_000_000_000n, 13: 1_000_000n, 16: 1_000n, 19: 1n };
  const f = scale[str.length];
  if (f === undefined) throw new Error(`template: error calling unixToTime: unable to parse time '${str}': %!w(<nil>)`);
  return new GoTime(n * f);
}

type Fn = (...args: TValue[]) => TValue;

export function goTypeName(v: TValue | undefined): string {
  if (v === undefined) return '<nil>';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'time.Time';
}

/** Sprig's indent: every line of the text prefixed with n spaces. */
function indent(n: TValue, s: TValue): string {
  const pad = ' '.repeat(Math.max(0, intArg(n, 'indent')));
  return pad + toStr(s).replace(/\n/g, '\n' + pad);
}

/** A Go `int` parameter: text/template passes only integers there, anything else fails. */
function intArg(v: TValue | undefined, fn: string): number {
  if (typeof v !== 'bigint') throw new Error(`template: error calling ${fn}: wrong type for value; expected int; got ${goTypeName(v)}`);
  return Number(v);
}

const last = (args: TValue[]): TValue | undefined => args[args.length - 1];

/** Loki's template function map (Sprig subset plus Loki's own). */
export const TEMPLATE_FUNCTIONS: Record<string, Fn> = {
  lower: (s) => toStr(s).toLowerCase(),
  upper: (s) => toStr(s).toUpperCase(),
  title: (s) => toStr(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
  trim: (s) => toStr(s).trim(),
  trimSpace: (s) => toStr(s).trim(),
  trimAll: (c, s) => {
    const cs = toStr(c);
    let t = toStr(s);
    while (t.length > 0 && cs.includes(t[0]!)) t = t.slice(1);
    while (t.length > 0 && cs.includes(t[t.length - 1]!)) t = t.slice(0, -1);
    return t;
  },
  trimPrefix: (p, s) => trimPrefix(toStr(s), toStr(p)),
  trimSuffix: (p, s) => trimSuffix(toStr(s), toStr(p)),
  trunc: (n, s) => {
    const c = intArg(n, 'trunc');
    const str = toStr(s);
    const len = Buffer.byteLength(str);
    if (c < 0) return -c < len ? byteSlice(str, len + c) : str;
    return len > c ? byteSlice(str, 0, c) : str;
  },
  substr: (a, b, s) => {
    const str = toStr(s);
    const len = Buffer.byteLength(str);
    let start = intArg(a, 'substr');
    let end = intArg(b, 'substr');
    if (start < 0) return byteSlice(str, 0, end < 0 || end > len ? len : end);
    if (end < 0 || end > len) end = len;
    if (start > end) start = end;
    return byteSlice(str, start, end);
  },
  replace: (o, n, s) => toStr(s).split(toStr(o)).join(toStr(n)),
  repeat: (n, s) => toStr(s).repeat(Math.max(0, intArg(n, 'repeat'))),
  contains: (sub, s) => toStr(s).includes(toStr(sub)),
  hasPrefix: (p, s) => toStr(s).startsWith(toStr(p)),
  hasSuffix: (p, s) => toStr(s).endsWith(toStr(p)),
  indent: (n, s) => indent(n, s),
  nindent: (n, s) => '\n' + indent(n, s),
  len: (s) => BigInt(Buffer.byteLength(toStr(s))),
  default: (d, ...rest) => {
    const v = rest.length === 0 ? undefined : last(rest);
    return v === undefined || v === '' || v === 0n || v === 0 || v === false ? d : v;
  },
  printf: (f, ...args) => goSprintf(toStr(f), args.map((a) => (typeof a === 'bigint' ? Number(a) : a))),
  regexReplaceAll: (re, s, repl) => toStr(s).replace(new RegExp(compileRe2(toStr(re)).source, 'gu'), goReplacement(toStr(repl))),
  regexReplaceAllLiteral: (re, s, repl) => toStr(s).replace(new RegExp(compileRe2(toStr(re)).source, 'gu'), () => toStr(repl)),
  count: (re, s) => BigInt((toStr(s).match(new RegExp(compileRe2(toStr(re)).source, 'gu')) ?? []).length),
  b64enc: (s) => Buffer.from(toStr(s)).toString('base64'),
  b64dec: (s) => Buffer.from(toStr(s), 'base64').toString('utf8'),
  urlencode: (s) => encodeURIComponent(toStr(s)).replace(/%20/g, '+'),
  urldecode: (s) => decodeURIComponent(toStr(s).replace(/\+/g, ' ')),
  alignLeft: (n, s) => {
    const c = intArg(n, 'alignLeft');
    const r = runes(toStr(s));
    return c < 0 || r.length <= c ? r.join('') + ' '.repeat(Math.max(0, c - r.length)) : r.slice(0, c).join('');
  },
  alignRight: (n, s) => {
    const c = intArg(n, 'alignRight');
    const r = runes(toStr(s));
    return c < 0 || r.length <= c ? ' '.repeat(Math.max(0, c - r.length)) + r.join('') : r.slice(r.length - c).join('');
  },
  add: (...a) => a.reduce<bigint>((x, y) => x + toInt(y), 0n),
  sub: (a, b) => toInt(a) - toInt(b),
  mul: (...a) => a.reduce<bigint>((x, y) => x * toInt(y), 1n),
  div: (a, b) => {
    const d = toInt(b);
    if (d === 0n) throw new IchigenError('EXECUTION', 'template: integer divide by zero');
    return toInt(a) / d;
  },
  mod: (a, b) => {
    const d = toInt(b);
    if (d === 0n) throw new IchigenError('EXECUTION', 'template: integer divide by zero');
    return toInt(a) % d;
  },
  addf: (...a) => decimalFold('add', 0, a.map(toFloat)),
  subf: (a, ...b) => decimalFold('sub', toFloat(a), b.map(toFloat)),
  mulf: (a, ...b) => decimalFold('mul', toFloat(a), b.map(toFloat)),
  divf: (a, ...b) => decimalFold('div', toFloat(a), b.map(toFloat)),
  max: (...a) => a.map(toInt).reduce((x: bigint, y: bigint) => (y > x ? y : x)),
  min: (...a) => a.map(toInt).reduce((x: bigint, y: bigint) => (y < x ? y : x)),
  maxf: (...a) => Math.max(...a.map(toFloat)),
  minf: (...a) => Math.min(...a.map(toFloat)),
  ceil: (a) => Math.ceil(toFloat(a)),
  floor: (a) => Math.floor(toFloat(a)),
  round: (a: TValue, p: TValue, r?: TValue) => {
    const places = intArg(p, 'round');
    const half = r === undefined ? 0.5 : toFloat(r);
    const pow = 10 ** places;
    const digit = toFloat(a) * pow;
    const [, frac] = [Math.trunc(digit), digit - Math.trunc(digit)];
    const rounded = frac >= half ? Math.ceil(digit) : Math.floor(digit);
    return rounded / pow;
  },
  abs: (a) => Math.abs(toFloat(a)),
  int: (a) => toInt(a),
  int64: (a) => toInt(a),
  float64: (a) => toFloat(a),
  // Sprig formats in the local zone (UTC for Loki); a failed parse is Go's zero time.
  date: (layout, t) => goTimeFormat(toStr(layout), inZone(dateArg(t), 'UTC')),
  toDate: (layout, s) => goTimeParse(toStr(layout), toStr(s), 'UTC') ?? GO_ZERO_TIME,
  toDateInZone: (layout, zone, s) => goTimeParse(toStr(layout), toStr(s), knownZone(toStr(zone)) ? toStr(zone) : 'UTC') ?? GO_ZERO_TIME,
  // Loki's own conversions (go-humanize ParseBytes, time.ParseDuration); bad input is an error.
  bytes: (s) => {
    const n = parseHumanBytes(toStr(s));
    if (n === undefined) throw new Error(`template: error calling bytes: invalid size "${toStr(s)}"`);
    return BigInt(n);
  },
  duration: (s) => durationSeconds(s),
  duration_seconds: (s) => durationSeconds(s),
  now: () => GoTime.fromMs(Date.now()),
  // Go returns these as strings (strconv.FormatInt).
  unixEpoch: (t) => String(timeArg(t, 'unixEpoch').unixSeconds()),
  unixEpochMillis: (t) => String(timeArg(t, 'unixEpochMillis').unixMillis()),
  unixEpochNanos: (t) => String(timeArg(t, 'unixEpochNanos').ns),
  unixToTime: (s) => unixToTime(s),
  // Loki's older names, Go's strings package (the text comes first).
  ToLower: (s) => toStr(s).toLowerCase(),
  ToUpper: (s) => toStr(s).toUpperCase(),
  Replace: (s, o, n, count) => goReplace(toStr(s), toStr(o), toStr(n), Number(toInt(count))),
  Trim: (s, c) => trimCutset(toStr(s), toStr(c), true, true),
  TrimLeft: (s, c) => trimCutset(toStr(s), toStr(c), true, false),
  TrimRight: (s, c) => trimCutset(toStr(s), toStr(c), false, true),
  TrimPrefix: (s, p) => trimPrefix(toStr(s), toStr(p)),
  TrimSuffix: (s, p) => trimSuffix(toStr(s), toStr(p)),
  TrimSpace: (s) => toStr(s).replace(/^[\t\n\v\f\r \u0085\u00a0]+|[\t\n\v\f\r \u0085\u00a0]+$/g, ''),
};

/** Go's strings.TrimPrefix / TrimSuffix (Sprig's trimPrefix/trimSuffix take the same two, reversed). */
const trimPrefix = (s: string, p: string): string => (s.startsWith(p) ? s.slice(p.length) : s);
const trimSuffix = (s: string, p: string): string => (p !== '' && s.endsWith(p) ? s.slice(0, -p.length) : s);

/** Go's strings.Replace: n < 0 replaces all; an empty `old` inserts between runes. */
function goReplace(s: string, o: string, n: string, count: number): string {
  if (count === 0 || o === n) return s;
  const max = count < 0 ? Infinity : count;
  if (o === '') {
    const r = runes(s);
    let out = '';
    let done = 0;
    for (let i = 0; i <= r.length; i++) {
      if (done < max) {
        out += n;
        done++;
      }
      if (i < r.length) out += r[i];
    }
    return out;
  }
  let out = '';
  let i = 0;
  let done = 0;
  while (done < max) {
    const j = s.indexOf(o, i);
    if (j < 0) break;
    out += s.slice(i, j) + n;
    i = j + o.length;
    done++;
  }
  return out + s.slice(i);
}

function durationSeconds(s: TValue): number {
  const v = parseGoDuration(toStr(s));
  if (v === undefined) throw new Error(`template: error calling duration_seconds: time: invalid duration "${toStr(s)}"`);
  return v;
}

/** Go's regexp replacement syntax ($1, ${name}) to JavaScript's. */
function goReplacement(r: string): string {
  return r.replace(/\$\{(\w+)\}|\$(\d+)/g, (_m, n: string | undefined, d: string | undefined) => (n !== undefined ? (/^\d+$/.test(n) ? `$${n}` : `$<${n}>`) : `$${d}`));
}
