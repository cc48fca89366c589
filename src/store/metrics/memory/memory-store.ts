import { compareLabels, compileMatcher, getLabel, labelsKey, type Exemplar, type LabelMatcher, type Labels, type MetricMetadata } from '../../../model/index.js';
import type { AppendResult, LabelQuery, MetricBatch, MetricQuerier, MetricStore, SelectHints, SeriesSamples } from '../metric-store.js';

interface MemorySeries {
  readonly labels: Labels;
  timestamps: number[];
  /** Float64Array-backed so staleness NaN payloads survive. */
  values: Float64Array;
  length: number;
  exemplars: Exemplar[];
}

interface TenantData {
  readonly series: Map<string, MemorySeries>;
  readonly metadata: Map<string, MetricMetadata>;
}

/**
 * The reference implementation of the metric store contract: everything in memory, no
 * durability, written for obviousness rather than speed. Engine tests run against it, and
 * the shared conformance expectations are checked against it first.
 */
export class MemoryMetricStore implements MetricStore {
  private readonly tenants = new Map<string, TenantData>();

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  private tenant(id: string): TenantData {
    let t = this.tenants.get(id);
    if (t === undefined) {
      t = { series: new Map(), metadata: new Map() };
      this.tenants.set(id, t);
    }
    return t;
  }

  async append(tenant: string, batch: MetricBatch): Promise<AppendResult> {
    const t = this.tenant(tenant);
    let samples = 0;
    let exemplars = 0;
    for (const s of batch.series) {
      const key = labelsKey(s.labels);
      let ms = t.series.get(key);
      if (ms === undefined) {
        ms = { labels: s.labels, timestamps: [], values: new Float64Array(16), length: 0, exemplars: [] };
        t.series.set(key, ms);
      }
      for (let i = 0; i < s.values.length; i++) insertSample(ms, Number(s.timestamps[i]), s.values, i);
      samples += s.values.length;
      for (const e of s.exemplars ?? []) ms.exemplars.push(e);
      exemplars += s.exemplars?.length ?? 0;
    }
    for (const m of batch.metadata ?? []) t.metadata.set(m.metric, m);
    return { samples, exemplars, metadata: batch.metadata?.length ?? 0 };
  }

  querier(tenant: string): MetricQuerier {
    return new MemoryQuerier(this.tenant(tenant));
  }

  async metadata(tenant: string, metric?: string, limit?: number): Promise<Record<string, MetricMetadata[]>> {
    const out: Record<string, MetricMetadata[]> = {};
    const names = [...this.tenant(tenant).metadata.keys()].sort();
    for (const name of names) {
      if (metric !== undefined && metric !== '' && name !== metric) continue;
      if (limit !== undefined && limit > 0 && Object.keys(out).length >= limit) break;
      out[name] = [this.tenant(tenant).metadata.get(name)!];
    }
    return out;
  }
}

/** Keeps samples sorted by time; a sample at an existing time replaces it. */
function insertSample(ms: MemorySeries, ts: number, src: Float64Array, i: number): void {
  let pos = ms.length;
  if (pos > 0 && ms.timestamps[pos - 1]! >= ts) {
    let lo = 0;
    let hi = ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ms.timestamps[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    pos = lo;
    if (ms.timestamps[pos] === ts) {
      ms.values.set(src.subarray(i, i + 1), pos);
      return;
    }
  }
  if (ms.length === ms.values.length) {
    const grown = new Float64Array(ms.values.length * 2);
    grown.set(ms.values);
    ms.values = grown;
  }
  ms.values.copyWithin(pos + 1, pos, ms.length);
  ms.values.set(src.subarray(i, i + 1), pos);
  ms.timestamps.splice(pos, 0, ts);
  ms.length++;
}

function lowerBound(ts: readonly number[], n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class MemoryQuerier implements MetricQuerier {
  constructor(private readonly data: TenantData) {}

  private matching(matchers: readonly LabelMatcher[]): MemorySeries[] {
    const preds = matchers.map((m) => ({ name: m.name, test: compileMatcher(m) }));
    const out: MemorySeries[] = [];
    for (const s of this.data.series.values()) {
      if (preds.every((p) => p.test(getLabel(s.labels, p.name)))) out.push(s);
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  async *select(matchers: readonly LabelMatcher[], mint: number, maxt: number, _hints?: SelectHints): AsyncIterable<SeriesSamples> {
    for (const s of this.matching(matchers)) {
      const lo = lowerBound(s.timestamps, s.length, mint);
      const hi = lowerBound(s.timestamps, s.length, maxt + 1);
      if (hi <= lo) continue;
      yield { labels: s.labels, timestamps: Float64Array.from(s.timestamps.slice(lo, hi)), values: s.values.slice(lo, hi) };
    }
  }

  private active(q: LabelQuery): MemorySeries[] {
    const selectors = q.selectors.length === 0 ? [[]] : q.selectors;
    const seen = new Map<string, MemorySeries>();
    for (const sel of selectors) {
      for (const s of this.matching(sel)) {
        const lo = lowerBound(s.timestamps, s.length, q.start);
        if (lo < s.length && s.timestamps[lo]! <= q.end) seen.set(labelsKey(s.labels), s);
      }
    }
    return [...seen.values()];
  }

  async series(q: LabelQuery): Promise<Labels[]> {
    const out = this.active(q).map((s) => s.labels);
    out.sort(compareLabels);
    return q.limit ? out.slice(0, q.limit) : out;
  }

  async labelNames(q: LabelQuery): Promise<string[]> {
    const names = new Set<string>();
    for (const s of this.active(q)) for (const l of s.labels) names.add(l.name);
    const out = [...names].sort();
    return q.limit ? out.slice(0, q.limit) : out;
  }

  async labelValues(name: string, q: LabelQuery): Promise<string[]> {
    const values = new Set<string>();
    for (const s of this.active(q)) {
      const v = getLabel(s.labels, name);
      if (v !== '') values.add(v);
    }
    const out = [...values].sort();
    return q.limit ? out.slice(0, q.limit) : out;
  }

  async exemplars(matchers: readonly LabelMatcher[], start: number, end: number): Promise<Array<{ labels: Labels; exemplars: Exemplar[] }>> {
    const out: Array<{ labels: Labels; exemplars: Exemplar[] }> = [];
    for (const s of this.matching(matchers)) {
      const ex = s.exemplars.filter((e) => e.timestamp >= start && e.timestamp <= end).sort((a, b) => a.timestamp - b.timestamp);
      if (ex.length > 0) out.push({ labels: s.labels, exemplars: ex });
    }
    return out;
  }
}
