import type { AnyValue, KeyValue } from '../../receive/otlp/index.js';

/**
 * A span's attributes as one searchable text column, so an attribute filter becomes a
 * `contains()` over a column DuckDB scans at memory speed instead of a decode of every span:
 * `␟key␞Tvalue` per attribute (T: s string, i int, d double, b bool, x other; array elements
 * each get their own token), closed by `␟`. Separators inside keys and values are escaped, so
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
      return `d${String(v.value)}`;
    case 'bool':
      return `b${String(v.value)}`;
    default:
      return undefined;
  }
}

export function attributeText(attrs: readonly KeyValue[]): string {
  if (attrs.length === 0) return '';
  let out = '';
  for (const kv of attrs) {
    const k = SEP + esc(kv.key) + KV;
    if (kv.value.type === 'array') {
      if (kv.value.value.length === 0) out += `${k}x`;
      for (const el of kv.value.value) out += k + (valueToken(el) ?? 'x');
    } else out += k + (valueToken(kv.value) ?? 'x');
  }
  return out + SEP;
}

/** What `contains()` looks for: the key with any value. */
export function keyToken(key: string): string {
  return SEP + esc(key) + KV;
}

/** What `contains()` looks for: the key with exactly this typed value (see valueToken). */
export function keyValueToken(key: string, typedValue: string): string {
  return SEP + esc(key) + KV + typedValue + SEP;
}
