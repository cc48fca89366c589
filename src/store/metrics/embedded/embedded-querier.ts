import type { DuckDBBlobValue } from '@duckdb/node-api';
import { IchigenError, compareLabels, type Exemplar, type LabelMatcher, type Labels } from '../../../model/index.js';
import type { LabelQuery, MetricQuerier, SelectHints, SeriesSamples } from '../metric-store.js';
import { decodeChunk } from './chunk.js';
import { idList } from './duck-tables.js';
import type { EmbeddedMetricStore } from './embedded-store.js';
import type { MemSeries, SampleRun } from './mem-series.js';
import { mergeRuns } from './merge-runs.js';

/** Series read from DuckDB per query round trip. */
const READ_BATCH = 1000;
/** Most exemplars one query returns before it fails with a clear error. */
const MAX_EXEMPLARS_PER_QUERY = 100_000;

/** Reads one tenant: the label index answers matchers, DuckDB chunks plus the head give samples. */
export class EmbeddedQuerier implements MetricQuerier {
  constructor(
    private readonly store: EmbeddedMetricStore,
    private readonly tenant: string,
  ) {}

  private matching(matchers: readonly LabelMatcher[], mint: number, maxt: number): MemSeries[] {
    const head = this.store.tenants.get(this.tenant);
    if (!head) return [];
    const byId = this.store.byId;
    const ids = head.postings.select(matchers, (id) => byId.get(id)?.labels);
    const out: MemSeries[] = [];
    for (const id of ids) {
      const s = byId.get(id);
      if (s && s.maxT >= mint && s.minT <= maxt) out.push(s);
    }
    return out;
  }

  private union(query: LabelQuery): MemSeries[] {
    const selectors = query.selectors.length === 0 ? [[]] : query.selectors;
    const seen = new Map<number, MemSeries>();
    for (const sel of selectors) for (const s of this.matching(sel, query.start, query.end)) seen.set(s.id, s);
    return [...seen.values()];
  }

  async *select(matchers: readonly LabelMatcher[], mint: number, maxt: number, hints?: SelectHints): AsyncIterable<SeriesSamples> {
    for await (const batch of this.selectBatches(matchers, mint, maxt, hints)) yield* batch;
  }

  async *selectBatches(matchers: readonly LabelMatcher[], mint: number, maxt: number, hints?: SelectHints): AsyncIterable<SeriesSamples[]> {
    void hints;
    const series = this.matching(matchers, mint, maxt).sort((a, b) => compareLabels(a.labels, b.labels));
    for (let i = 0; i < series.length; i += READ_BATCH) {
      const batch = series.slice(i, i + READ_BATCH);
      // Snapshot memory first: a flush committing meanwhile then shows up twice (merged away), never zero times.
      const memory = batch.map((s) => s.memoryRuns(mint, maxt));
      const onDisk = batch.filter((s) => s.diskMaxT >= mint && s.diskMinT <= maxt).map((s) => s.id);
      const chunks = await this.readChunks(onDisk, mint, maxt);
      const out: SeriesSamples[] = [];
      for (let k = 0; k < batch.length; k++) {
        const s = batch[k]!;
        const runs: SampleRun[] = [];
        for (const data of chunks.get(s.id) ?? []) {
          const c = decodeChunk(data);
          runs.push({ t: c.timestamps, v: c.values, n: c.timestamps.length, unsorted: false });
        }
        runs.push(...memory[k]!);
        const merged = mergeRuns(runs, mint, maxt);
        if (merged.t.length > 0) out.push({ labels: s.labels, timestamps: merged.t, values: merged.v });
      }
      if (out.length > 0) yield out;
    }
  }

  private async readChunks(ids: number[], mint: number, maxt: number): Promise<Map<number, Uint8Array[]>> {
    const out = new Map<number, Uint8Array[]>();
    if (ids.length === 0) return out;
    const sql = `SELECT series_id, data FROM metric_chunks WHERE tenant = $1 AND series_id IN (${idList(ids)}) AND max_t >= ${Math.trunc(Math.max(mint, -8e15))} AND min_t <= ${Math.trunc(Math.min(maxt, 8e15))} ORDER BY series_id, min_t`;
    const rows = (await this.store.duck.read.runAndReadAll(sql, [this.tenant])).getRows();
    for (const [id, data] of rows) {
      const key = Number(id);
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push((data as DuckDBBlobValue).bytes);
    }
    return out;
  }

  async series(query: LabelQuery): Promise<Labels[]> {
    const out = this.union(query)
      .map((s) => s.labels)
      .sort(compareLabels);
    return query.limit ? out.slice(0, query.limit) : out;
  }

  async labelNames(query: LabelQuery): Promise<string[]> {
    const names = new Set<string>();
    for (const s of this.union(query)) for (const l of s.labels) names.add(l.name);
    const out = [...names].sort();
    return query.limit ? out.slice(0, query.limit) : out;
  }

  async labelValues(name: string, query: LabelQuery): Promise<string[]> {
    const values = new Set<string>();
    for (const s of this.union(query)) {
      for (const l of s.labels) if (l.name === name) values.add(l.value);
    }
    const out = [...values].sort();
    return query.limit ? out.slice(0, query.limit) : out;
  }

  async exemplars(matchers: readonly LabelMatcher[], start: number, end: number): Promise<Array<{ labels: Labels; exemplars: Exemplar[] }>> {
    const head = this.store.tenants.get(this.tenant);
    if (!head) return [];
    const ids = new Set(head.postings.select(matchers, (id) => this.store.byId.get(id)?.labels));
    if (ids.size === 0) return [];
    // Memory first (as in select): a flush committing meanwhile shows an exemplar twice (deduplicated), never zero times.
    const memory = head.memoryExemplars().filter((e) => ids.has(e.seriesId) && e.exemplar.timestamp >= start && e.exemplar.timestamp <= end);
    const bySeries = new Map<number, Map<string, Exemplar>>();
    let count = 0;
    const add = (id: number, e: Exemplar, labelsJson: string): void => {
      let m = bySeries.get(id);
      if (!m) bySeries.set(id, (m = new Map()));
      // A re-sent exemplar (sender retry) is the same exemplar.
      const key = `${e.timestamp}|${Object.is(e.value, -0) ? '-0' : e.value}|${labelsJson}`;
      if (m.has(key)) return;
      m.set(key, e);
      if (++count > MAX_EXEMPLARS_PER_QUERY) {
        throw new IchigenError('EXECUTION', `more than ${MAX_EXEMPLARS_PER_QUERY} exemplars match; narrow the time range or the selector`);
      }
    };
    const lo = Math.trunc(Math.max(start, -8e15));
    const hi = Math.trunc(Math.min(end, 8e15));
    // Few series: let DuckDB filter by id; many: by time only, then by id here.
    const byId = ids.size <= READ_BATCH ? ` AND series_id IN (${idList([...ids])})` : '';
    const sql = `SELECT DISTINCT series_id, t, value, labels FROM metric_exemplars WHERE tenant = $1 AND t >= ${lo} AND t <= ${hi}${byId} LIMIT ${MAX_EXEMPLARS_PER_QUERY * 2 + 1}`;
    const rows = (await this.store.duck.read.runAndReadAll(sql, [this.tenant])).getRows();
    if (rows.length > MAX_EXEMPLARS_PER_QUERY * 2) throw new IchigenError('EXECUTION', `more than ${MAX_EXEMPLARS_PER_QUERY} exemplars match; narrow the time range or the selector`);
    for (const [id, t, value, labels] of rows) {
      const sid = Number(id);
      if (!ids.has(sid)) continue;
      const json = String(labels);
      add(sid, { labels: JSON.parse(json) as Record<string, string>, value: Number(value), timestamp: Number(t) }, json);
    }
    for (const e of memory) add(e.seriesId, e.exemplar, JSON.stringify(e.exemplar.labels));
    const out: Array<{ labels: Labels; exemplars: Exemplar[] }> = [];
    for (const [id, m] of bySeries) {
      const s = this.store.byId.get(id);
      if (s) out.push({ labels: s.labels, exemplars: [...m.values()].sort((a, b) => a.timestamp - b.timestamp) });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }
}
