import type { AnyValue, KeyValue } from '../../receive/otlp/index.js';
import { decodeValue, encodeValue } from './span-codec.js';

/**
 * A span's attributes as one searchable text column, so an attribute filter becomes a
 * `contains()` over a column DuckDB scans at memory speed instead of a decode of every span.
 * It is also where the attributes are stored (losslessly, in order): `␟key␞Tvalue` per
 * attribute, T being s string, i int, d double, b bool; an array of scalars is `␟key␞[n`
 * followed by its n elements as tokens of the same key (so each element matches a search);
 * anything else (kvlists, bytes, empty values, nested arrays) is `␟key␞x` + base64 of its
 * binary form. The text ends with `␟`. Separators inside keys and values are escaped, so
 * `␟key␞` only ever matches a key and `␟key␞Tvalue␟` only a whole value.
 */
const SEP = '\u001f';
const KV = '\u001e';

function esc(s: string): string {
  if (!s.includes('\\') && !s.includes(KV) && !s.includes(SEP)) return s;
  return s.replaceAll('\\', '\\\\').replaceAll(KV, '\\e').replaceAll(SEP, '\\f');
}

/** The typed text of a scalar value, or undefined for values only their presence is indexed for. */
export function valueToken(v: AnyValue): string | undefined {
  switch (v.type) {
    case 'string':
      return `s${esc(v.value)}`;
    case 'int':
      return `i${v.value.toString()}`;
    case 'double':
      return `d${Object.is(v.value, -0) ? '-0' : String(v.value)}`;
    case 'bool':
      return `b${String(v.value)}`;
    default:
      return undefined;
  }
}

const opaque = (v: AnyValue): string => `x${encodeValue(v).toString('base64')}`;

/** `␟key␞` per attribute key (keys repeat from span to span; bounded). */
const keyPrefixes = new Map<string, string>();
function keyPrefix(key: string): string {
  let k = keyPrefixes.get(key);
  if (k === undefined) {
    if (keyPrefixes.size >= 10_000) keyPrefixes.clear();
    keyPrefixes.set(key, (k = SEP + esc(key) + KV));
  }
  return k;
}

export function attributeText(attrs: readonly KeyValue[]): string {
  if (attrs.length === 0) return '';
  // Joined once rather than concatenated: `+=` builds a tree of string pieces, and the trace
  // head keeps this text for seconds (a flat string is one object for the collector to keep).
  const out: string[] = [];
  for (const kv of attrs) {
    const k = keyPrefix(kv.key);
    const v = kv.value;
    if (v.type === 'array') {
      const tokens = v.value.map(valueToken);
      if (tokens.every((t) => t !== undefined)) {
        out.push(k, `[${tokens.length}`);
        for (const t of tokens) out.push(k, t);
      } else out.push(k, opaque(v));
    } else out.push(k, valueToken(v) ?? opaque(v));
  }
  out.push(SEP);
  return out.join('');
}

function unesc(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/g, (_m, c: string) => (c === 'e' ? KV : c === 'f' ? SEP : c));
}

function scalar(t: string): AnyValue {
  const body = t.slice(1);
  switch (t[0]) {
    case 's':
      return { type: 'string', value: unesc(body) };
    case 'i':
      return { type: 'int', value: BigInt(body) };
    case 'd':
      return { type: 'double', value: Number(body) };
    case 'b':
      return { type: 'bool', value: body === 'true' };
    default:
      return decodeValue(Buffer.from(body, 'base64'));
  }
}

/** The attributes back from their text form. */
export function parseAttributeText(text: string): KeyValue[] {
  if (text === '') return [];
  const parts = text.split(SEP);
  const out: KeyValue[] = [];
  // parts[0] is '' (the text starts with ␟), the last is '' (it ends with one).
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const cut = part.indexOf(KV);
    const key = unesc(part.slice(0, cut));
    const t = part.slice(cut + 1);
    if (t[0] === '[') {
      const n = Number(t.slice(1));
      const values: AnyValue[] = [];
      for (let j = 0; j < n; j++) {
        const el = parts[++i]!;
        values.push(scalar(el.slice(el.indexOf(KV) + 1)));
      }
      out.push({ key, value: { type: 'array', value: values } });
    } else out.push({ key, value: scalar(t) });
  }
  return out;
}

/** What `contains()` looks for: the key with any value. */
export function keyToken(key: string): string {
  return SEP + esc(key) + KV;
}

/** What `contains()` looks for: the key with exactly this typed value (see valueToken). */
export function keyValueToken(key: string, typedValue: string): string {
  return SEP + esc(key) + KV + typedValue + SEP;
}
