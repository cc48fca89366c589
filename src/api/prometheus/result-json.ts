import { formatSampleValue, type QueryValue } from '../../query/index.js';
import type { Labels } from '../../model/index.js';

/**
 * Query answers serialised by hand, exactly as Prometheus writes them
 * (`[unix_seconds, "value"]`, `NaN`, `+Inf`), without building an object per sample.
 */
export function labelsJson(labels: Labels): string {
  let s = '{';
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (i > 0) s += ',';
    s += JSON.stringify(l.name) + ':' + JSON.stringify(l.value);
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
      return `{"resultType":"string","result":[${v.time / 1000},${JSON.stringify(v.value)}]}`;
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
  if (warnings.length > 0) s += `,"warnings":${JSON.stringify(warnings)}`;
  if (infos.length > 0) s += `,"infos":${JSON.stringify(infos)}`;
  return s + '}';
}
