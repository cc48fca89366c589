import type { AnyValue } from '../../receive/otlp/index.js';

/**
 * OTLP values as text the way the OpenTelemetry Collector's `pcommon.Value.AsString` writes
 * them, which is what Loki stores for a non-string body or attribute: maps and arrays as Go
 * `encoding/json` output (keys sorted bytewise, `<`, `>`, `&` escaped), bytes as base64,
 * doubles in the ECMAScript number format. Loki users query these exact strings.
 */
export function otlpValueString(v: AnyValue): string {
  switch (v.type) {
    case 'empty':
      return '';
    case 'string':
      return v.value;
    case 'bool':
    case 'int':
      return String(v.value);
    case 'double':
      return Number.isFinite(v.value) ? goFloat(v.value) : `json: unsupported value: ${v.value > 0 ? '+Inf' : v.value < 0 ? '-Inf' : 'NaN'}`;
    case 'bytes':
      return v.value.toString('base64');
    case 'array':
    case 'kvlist':
      // Go's json.Marshal fails on NaN/Inf and AsString then gives an empty string.
      return goJson(v) ?? '';
  }
}

/** The shortest round-trip form, as Go's encoding/json and ES6 (only -0 differs). */
function goFloat(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

/** A JSON string literal as Go's encoding/json escapes it (HTML-safe). */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(HTML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function compareBytewise(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Go encoding/json of `Value.AsRaw()`; undefined where Go fails (NaN, ±Inf). */
function goJson(v: AnyValue): string | undefined {
  switch (v.type) {
    case 'empty':
      return 'null';
    case 'string':
      return goJsonString(v.value);
    case 'bool':
    case 'int':
      return String(v.value);
    case 'double':
      return Number.isFinite(v.value) ? goFloat(v.value) : undefined;
    case 'bytes':
      return goJsonString(v.value.toString('base64'));
    case 'array': {
      const parts: string[] = [];
      for (const x of v.value) {
        const j = goJson(x);
        if (j === undefined) return undefined;
        parts.push(j);
      }
      return `[${parts.join(',')}]`;
    }
    case 'kvlist': {
      // AsRaw builds a Go map: a repeated key keeps its last value; Marshal sorts the keys.
      const byKey = new Map<string, AnyValue>();
      for (const kv of v.value) byKey.set(kv.key, kv.value);
      const parts: string[] = [];
      for (const k of [...byKey.keys()].sort(compareBytewise)) {
        const j = goJson(byKey.get(k)!);
        if (j === undefined) return undefined;
        parts.push(`${goJsonString(k)}:${j}`);
      }
      return `{${parts.join(',')}}`;
    }
  }
}
