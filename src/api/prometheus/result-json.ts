import { formatSampleValue, type QueryValue } from '../../query/index.js';
import type { Labels } from '../../model/index.js';

/**
 * Query answers serialised by hand, exactly as Prometheus writes them
 * (`[unix_seconds, "value"]`, `NaN`, `+Inf`), without building an object per sample.
 */
const NEEDS_GO_ESCAPE = /[<>&\u2028\u2029\b\f]/;

/** A JSON string as Go's encoder writes it: <, > and & escaped as \u003c…, no \b or \f short forms. */
export function goJsonString(v: string): string {
  if (!NEEDS_GO_ESCAPE.test(v)) return JSON.stringify(v);
  let out = '';
  for (const ch of v) {
    if (ch === '<' || ch === '>' || ch === '&' || ch === '\u2028' || ch === '\u2029' || ch === '\b' || ch === '\f') {
      out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else out += JSON.stringify(ch).slice(1, -1);
  }
  return `"${out}"`;
}

export function labelsJson(labels: Labels): string {
  let s = '{';
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (i > 0) s += ',';
    s += goJsonString(l.name) + ':' + goJsonString(l.value);
  }
  return s + '}';
}

function point(ms: number, v: number): string {
  return `[${ms / 1000},"${formatSampleValue(v)}"]`;
}

export function queryDataJson(v: QueryValue): string {
  switch (v.resultType) {
    case 'scalar':
      return `{"resultType":"scalar","result":${point(v.time, v.value)}}`;
    case 'string':
      return `{"resultType":"string","result":[${v.time / 1000},${goJsonString(v.value)}]}`;
    case 'vector': {
      const parts = v.samples.map((s) => `{"metric":${labelsJson(s.labels)},"value":${point(v.time, s.value)}}`);
      return `{"resultType":"vector","result":[${parts.join(',')}]}`;
    }
    case 'matrix': {
      const parts: string[] = [];
      for (const s of v.series) {
        const pts: string[] = new Array<string>(s.values.length);
        for (let i = 0; i < s.values.length; i++) pts[i] = point(s.timestamps[i]!, s.values[i]!);
        parts.push(`{"metric":${labelsJson(s.labels)},"values":[${pts.join(',')}]}`);
      }
      return `{"resultType":"matrix","result":[${parts.join(',')}]}`;
    }
  }
}

export function envelopeJson(dataJson: string, warnings: readonly string[], infos: readonly string[]): string {
  let s = `{"status":"success","data":${dataJson}`;
  if (warnings.length > 0) s += `,"warnings":[${warnings.map(goJsonString).join(',')}]`;
  if (infos.length > 0) s += `,"infos":[${infos.map(goJsonString).join(',')}]`;
  return s + '}';
}
