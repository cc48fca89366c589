import {
  compareLabels,
  labelsFromRecord,
  type Exemplar,
  type LabelMatcher,
  type Labels,
  type MetricMetadata,
  type MetricType,
} from '../../../model/index.js';
import { encodeWriteRequest } from '../../../receive/remote-write/index.js';
import type { AppendResult, LabelQuery, MetricBatch, MetricQuerier, MetricStore, SeriesSamples } from '../metric-store.js';
import { backendFetch, backendJson } from './remote-http.js';
import type { RemoteMetricStoreOptions } from './remote-options.js';

/** A selector in PromQL text: values quoted with JSON escapes, which PromQL strings accept. */
export function selectorText(matchers: readonly LabelMatcher[]): string {
  const ms = matchers.length === 0 ? [{ name: '__name__', type: '=~', value: '.+' } as LabelMatcher] : matchers;
  return `{${ms.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(',')}}`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/**
 * The metric store on any Prometheus-compatible backend (Mimir, VictoriaMetrics, Thanos
 * receive, Amazon Managed Prometheus, Prometheus itself): writes by remote write 1.0 —
 * acknowledged only once the backend answered 2xx, so durability is the backend's — and reads
 * through its Prometheus HTTP API (raw samples via a range selector at `maxt`).
 */
export class RemoteMetricStore implements MetricStore {
  constructor(readonly options: RemoteMetricStoreOptions) {}

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  async append(tenant: string, batch: MetricBatch): Promise<AppendResult> {
    let samples = 0;
    let exemplars = 0;
    for (const s of batch.series) {
      samples += s.timestamps.length;
      exemplars += s.exemplars?.length ?? 0;
    }
    await backendFetch(this.options, tenant, this.options.writeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'user-agent': 'Ichigen' },
      body: encodeWriteRequest(batch.series, batch.metadata ?? []),
    });
    return { samples, exemplars, metadata: batch.metadata?.length ?? 0 };
  }

  querier(tenant: string): MetricQuerier {
    const o = this.options;
    const labelParams = (q: LabelQuery): URLSearchParams => {
      const p = new URLSearchParams();
      for (const sel of q.selectors) p.append('match[]', selectorText(sel));
      p.set('start', seconds(q.start));
      p.set('end', seconds(q.end));
      return p;
    };
    const limit = <T>(xs: T[], n?: number): T[] => (n ? xs.slice(0, n) : xs);
    return {
      async *select(matchers: readonly LabelMatcher[], mint: number, maxt: number): AsyncIterable<SeriesSamples> {
        const range = Math.max(1, Math.ceil(maxt - mint + 1));
        const p = new URLSearchParams({ query: `${selectorText(matchers)}[${range}ms]`, time: seconds(maxt) });
        const data = await backendJson<{ resultType: string; result: Array<{ metric: Record<string, string>; values?: Array<[number, string]> }> }>(o, tenant, '/api/v1/query', p);
        const out: SeriesSamples[] = [];
        for (const r of data.result) {
          const values = (r.values ?? []).filter(([t]) => Math.round(t * 1000) >= mint && Math.round(t * 1000) <= maxt);
          if (values.length === 0) continue;
          out.push({
            labels: labelsFromRecord(r.metric),
            timestamps: Float64Array.from(values, ([t]) => Math.round(t * 1000)),
            values: Float64Array.from(values, ([, v]) => parseValue(v)),
          });
        }
        out.sort((a, b) => compareLabels(a.labels, b.labels));
        yield* out;
      },
      async series(q: LabelQuery): Promise<Labels[]> {
        const p = labelParams(q.selectors.length === 0 ? { ...q, selectors: [[]] } : q);
        const data = await backendJson<Array<Record<string, string>>>(o, tenant, '/api/v1/series', p);
        return limit(data.map((r) => labelsFromRecord(r)).sort(compareLabels), q.limit);
      },
      async labelNames(q: LabelQuery): Promise<string[]> {
        return limit((await backendJson<string[]>(o, tenant, '/api/v1/labels', labelParams(q))).sort(), q.limit);
      },
      async labelValues(name: string, q: LabelQuery): Promise<string[]> {
        const p = labelParams(q);
        const res = await backendFetch(o, tenant, `${o.queryUrl.replace(/\/$/, '')}/api/v1/label/${encodeURIComponent(name)}/values?${p.toString()}`);
        return limit(((await res.json()) as { data: string[] }).data.sort(), q.limit);
      },
      async exemplars(matchers: readonly LabelMatcher[], start: number, end: number): Promise<Array<{ labels: Labels; exemplars: Exemplar[] }>> {
        const p = new URLSearchParams({ query: selectorText(matchers), start: seconds(start), end: seconds(end) });
        try {
          const data = await backendJson<Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }> }>>(o, tenant, '/api/v1/query_exemplars', p);
          return (data ?? []).map((d) => ({
            labels: labelsFromRecord(d.seriesLabels),
            exemplars: d.exemplars.map((e) => ({ labels: e.labels, value: parseValue(e.value), timestamp: Math.round(e.timestamp * 1000) })),
          }));
        } catch {
          return []; // backends without exemplar storage (VictoriaMetrics 1.79) answer 4xx
        }
      },
    };
  }

  async metadata(tenant: string, metric?: string, limit?: number): Promise<Record<string, MetricMetadata[]>> {
    const p = new URLSearchParams();
    if (metric) p.set('metric', metric);
    if (limit) p.set('limit', String(limit));
    const res = await backendFetch(this.options, tenant, `${this.options.queryUrl.replace(/\/$/, '')}/api/v1/metadata?${p.toString()}`);
    const data = ((await res.json()) as { data: Record<string, Array<{ type: string; help: string; unit: string }>> }).data ?? {};
    const out: Record<string, MetricMetadata[]> = {};
    for (const [name, list] of Object.entries(data)) out[name] = list.map((m) => ({ metric: name, type: m.type as MetricType, help: m.help, unit: m.unit }));
    return out;
  }
}
