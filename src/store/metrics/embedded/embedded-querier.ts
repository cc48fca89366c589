import type { DuckDBBlobVector, DuckDBIntegerVector } from '@duckdb/node-api';
import { IchigenError, compareLabels, type Exemplar, type LabelMatcher, type Labels } from '../../../model/index.js';
import type { LabelQuery, MetricQuerier, SelectHints, SeriesSamples } from '../metric-store.js';
import { chunkSamples, decodeChunk, decodeChunkInto } from './chunk.js';
import { idList } from './duck-tables.js';
import type { EmbeddedMetricStore } from './embedded-store.js';
import type { MemSeries, SampleRun } from './mem-series.js';
import { mergeRuns } from './merge-runs.js';

function chunkRun(data: Uint8Array): SampleRun {
  const c = decodeChunk(data);
  return { t: c.timestamps, v: c.values, n: c.timestamps.length, unsorted: false };
}

/** Sample columns that decoded series are written into (`bits` views `v`). */
interface Columns {
  t: Float64Array;
  v: Float64Array;
  bits: Uint32Array;
}

function columns(n: number): Columns {
  const v = new Float64Array(n);
  return { t: new Float64Array(n), v, bits: new Uint32Array(v.buffer) };
}

/**
 * Head snapshots of a reader that reuses memory (hints.reuse): bump allocation in one
 * buffer, reset per batch (growth starts a bigger buffer; earlier snapshots keep the old one).
 */
class RunArena {
  private t = new Float64Array(0);
  private v = new Float64Array(0);
  private used = 0;

  reset(): void {
    this.used = 0;
  }

  readonly alloc = (n: number): { t: Float64Array; v: Float64Array } => {
    if (this.used + n > this.t.length) {
      const cap = Math.max(n, this.t.length * 2, 4096);
      this.t = new Float64Array(cap);
      this.v = new Float64Array(cap);
      this.used = 0;
    }
    const at = this.used;
    this.used += n;
    return { t: this.t.subarray(at, at + n), v: this.v.subarray(at, at + n) };
  };
}

/** Room a series needs to be read in order: its chunks' sample counts plus the head's. */
function sizeOf(datas: readonly Uint8Array[], memory: readonly SampleRun[]): number {
  let total = 0;
  for (const d of datas) total += chunkSamples(d);
  for (const r of memory) total += r.n;
  return total;
}

/**
 * The usual read: chunks in time order, then the frozen and current head, none overlapping.
 * Chunks decode straight into `out` from index `at` (room for sizeOf samples; no array per
 * chunk, no merge pass, no second copy), stopping at maxt; the answer is the part in
 * [mint, maxt]. Undefined when the pieces turn out to overlap or a head run is out of order
 * (mergeRuns then sorts it out).
 */
function readInOrder(datas: readonly Uint8Array[], memory: readonly SampleRun[], mint: number, maxt: number, out: Columns, at: number): { t: Float64Array; v: Float64Array } | undefined {
  if (memory.some((r) => r.unsorted)) return undefined;
  const { t, v, bits } = out;
  let k = at;
  for (const d of datas) {
    const start = k;
    k += decodeChunkInto(d, t, v, bits, start, maxt);
    if (start > at && k > start && t[start]! <= t[start - 1]!) return undefined;
  }
  for (const r of memory) {
    if (r.n === 0) continue;
    if (k > at && r.t[0]! <= t[k - 1]!) return undefined;
    // set() between arrays of one type copies bytes: NaN payloads survive.
    t.set(r.t.subarray(0, r.n), k);
    v.set(r.v.subarray(0, r.n), k);
    k += r.n;
  }
  const from = firstIndex(t, at, k, mint, true);
  const to = firstIndex(t, from, k, maxt, false);
  return { t: t.subarray(from, to), v: v.subarray(from, to) };
}

/** One series' samples in [mint, maxt]: into `shared` at `at` (room for `size`) when given, else fresh arrays. */
function readSeries(datas: readonly Uint8Array[], mem: readonly SampleRun[], mint: number, maxt: number, shared: Columns | undefined, at: number, size: number): { t: Float64Array; v: Float64Array } {
  const filled = mem.filter((r) => r.n > 0);
  if (datas.length === 0 && filled.length === 1 && !filled[0]!.unsorted) {
    // Head only (memoryRuns copied just the samples in range): no copy at all.
    return { t: filled[0]!.t.subarray(0, filled[0]!.n), v: filled[0]!.v.subarray(0, filled[0]!.n) };
  }
  const merged = shared ? readInOrder(datas, mem, mint, maxt, shared, at) : readInOrder(datas, mem, mint, maxt, columns(size), 0);
  return merged ?? mergeRuns([...datas.map(chunkRun), ...mem], mint, maxt);
}

/** Index of the first of ts[start, end) that is >= x (`inclusive`) or > x. */
function firstIndex(ts: Float64Array, start: number, end: number, x: number, inclusive: boolean): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (inclusive ? ts[mid]! < x : ts[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Series read from DuckDB per query round trip. */
const READ_BATCH = 1000;
/** Series decoded into reused memory at a time (hints.reuse). */
const DECODE_BATCH = 250;
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
    // Series go out one at a time here, and callers may keep them: no shared memory.
    for await (const batch of this.selectBatches(matchers, mint, maxt, hints?.reuse ? { ...hints, reuse: false } : hints)) yield* batch;
  }

  async *selectBatches(matchers: readonly LabelMatcher[], mint: number, maxt: number, hints?: SelectHints): AsyncIterable<SeriesSamples[]> {
    // A caller done with each batch before the next (hints.reuse) gets every batch decoded
    // into the same columns: one allocation per query instead of two arrays per series,
    // which at 8,000 series x 24 h was ~700 MB of fresh memory per query and most of its
    // garbage collection.
    let shared: Columns | undefined;
    const arena = hints?.reuse ? new RunArena() : undefined;
    const series = this.matching(matchers, mint, maxt).sort((a, b) => compareLabels(a.labels, b.labels));
    for (let i = 0; i < series.length; i += READ_BATCH) {
      const batch = series.slice(i, i + READ_BATCH);
      // Snapshot memory first: a flush committing meanwhile then shows up twice (merged away), never zero times.
      arena?.reset();
      const memory = batch.map((s) => s.memoryRuns(mint, maxt, arena?.alloc));
      // Head blocks: written after anything DuckDB or the recent chunks hold, before the raw head.
      const blocks = batch.map((s) => s.blockChunks(mint));
      // Recent data is all in memory (the chunks recent flushes wrote, and the head): DuckDB is
      // asked only for series the range reaches further back for.
      const recent = batch.map((s) => (mint >= s.memFrom ? s.recent.filter((c) => c.maxT >= mint && c.minT <= maxt).map((c) => c.data) : undefined));
      const onDisk = batch.filter((s, k) => recent[k] === undefined && s.diskMaxT >= mint && s.diskMinT <= maxt).map((s) => s.id);
      const chunks = await this.readChunks(onDisk, mint, maxt);
      const datas = batch.map((s, k) => {
        const stored = recent[k] ?? chunks.get(s.id) ?? [];
        return blocks[k]!.length === 0 ? stored : stored.concat(blocks[k]!);
      });
      const sizes = batch.map((_, k) => sizeOf(datas[k]!, memory[k]!));
      // Reused memory is filled a quarter of a read at a time: a quarter the size (fewer
      // fresh pages, warmer caches) for the same DuckDB round trips.
      const step = hints?.reuse ? DECODE_BATCH : batch.length;
      for (let j = 0; j < batch.length; j += step) {
        const end = Math.min(batch.length, j + step);
        if (hints?.reuse) {
          let total = 0;
          for (let k = j; k < end; k++) total += sizes[k]!;
          if (!shared || shared.t.length < total) shared = columns(total);
        }
        const out: SeriesSamples[] = [];
        let at = 0;
        for (let k = j; k < end; k++) {
          const merged = readSeries(datas[k]!, memory[k]!, mint, maxt, shared, at, sizes[k]!);
          at += sizes[k]!;
          if (merged.t.length > 0) out.push({ labels: batch[k]!.labels, timestamps: merged.t, values: merged.v });
        }
        if (out.length > 0) yield out;
      }
    }
  }

  private async readChunks(ids: number[], mint: number, maxt: number): Promise<Map<number, Uint8Array[]>> {
    const out = new Map<number, Uint8Array[]>();
    if (ids.length === 0) return out;
    const sql = `SELECT series_id::INTEGER, data FROM metric_chunks WHERE tenant = $1 AND series_id IN (${idList(ids)}) AND max_t >= ${Math.trunc(Math.max(mint, -8e15))} AND min_t <= ${Math.trunc(Math.min(maxt, 8e15))} ORDER BY series_id, min_t`;
    // Read column vectors chunk by chunk: no value object per row, blob bytes without an extra copy.
    const result = await this.store.duck.read.run(sql, [this.tenant]);
    for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const idVec = chunk.getColumnVector(0) as DuckDBIntegerVector;
      const dataVec = chunk.getColumnVector(1) as DuckDBBlobVector;
      for (let row = 0; row < chunk.rowCount; row++) {
        const key = idVec.getItem(row)!;
        const bytes = dataVec.getItemBytes(row);
        if (bytes === null) continue;
        // Payloads of 12 bytes or fewer are views into the vector's memory, which goes with the chunk: copy those.
        const data = bytes.length <= 12 ? bytes.slice() : bytes;
        let list = out.get(key);
        if (!list) out.set(key, (list = []));
        list.push(data);
      }
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
