import type { DuckDBListValue } from '@duckdb/node-api';
import type { Label, MetricMetadata, MetricType } from '../../../model/index.js';
import { BitWriter } from './bit-stream.js';
import { decodeChunk, encodeChunkTo } from './chunk.js';
import { appendChunkRow, compactChunks, type CompactionStats } from './compactor.js';
import { idList } from './duck-tables.js';
import type { EmbeddedMetricStore } from './embedded-store.js';
import { Scratch, type MemSeries } from './mem-series.js';
import { LabelPairs } from './label-pairs.js';
import type { StoredExemplar, TenantHead } from './tenant-head.js';

const RETENTION_EVERY_MS = 5 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;
/**
 * Flushed (level-0) chunks are short, as Prometheus' head chunks: a read of the last minutes
 * decodes little of each, and they stay in memory for such reads (MemSeries.recent).
 * Compaction later merges closed windows into MAX_CHUNK_SAMPLES chunks.
 */
const FLUSH_CHUNK_SAMPLES = 120;
/** A flush's chunk bytes: ~5 MB for 100k series at 40 samples each. */
const ARENA_INITIAL_BYTES = 1 << 20;
const ARENA_KEPT_BYTES = 64 << 20;

/**
 * Moves the head into DuckDB: rotate the log (atomically freezing every series' head),
 * write all frozen samples as compressed chunks in ONE transaction with the Appender, then
 * drop the log segments the commit made redundant. Also loads the persisted state on open
 * and enforces retention by time and size.
 */
export class Flusher {
  private running: Promise<void> | undefined;
  private readonly pairs = new LabelPairs();
  /** Reused sample columns for writing chunks. */
  private readonly scratch = new Scratch();
  /** Where a flush encodes its chunks (reused: see doFlush). */
  private arena = new BitWriter(ARENA_INITIAL_BYTES);
  private flushQueued = false;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(private readonly store: EmbeddedMetricStore) {}

  async load(): Promise<void> {
    const s = this.store;
    const { read } = s.duck;
    await this.pairs.load(read);
    const rows = (await read.runAndReadAll('SELECT tenant, id, labels, pairs FROM metric_series')).getRows();
    for (const [tenant, id, labels, pairs] of rows) {
      const ls = pairs !== null ? this.pairs.labelsOf(pairs as DuckDBListValue) : (JSON.parse(String(labels)) as Array<[string, string]>).map(([name, value]) => ({ name, value }));
      const head = s.tenant(String(tenant));
      const series = s.createSeries(head, ls, Number(id));
      series.persisted = true;
      series.durableDef = true;
      if (series.id >= s.nextId) s.nextId = series.id + 1;
    }
    await this.refreshDiskBounds();
    // The newest sample on disk is what the next write is checked against (its value unknown).
    for (const ms of s.byId.values()) {
      ms.lastT = ms.diskMaxT;
      // Nothing of DuckDB's is in memory after a restart: reads before its end go there.
      ms.memFrom = ms.diskMaxT + 1;
    }
    const meta = (await read.runAndReadAll('SELECT tenant, metric, type, help, unit FROM metric_metadata')).getRows();
    for (const [tenant, metric, type, help, unit] of meta) {
      s.tenant(String(tenant)).metadata.set(String(metric), { metric: String(metric), type: String(type) as MetricType, help: String(help), unit: String(unit) });
    }
  }

  start(): void {
    const log = this.store.options.log;
    const every = (ms: number, fn: () => Promise<unknown> | void, what: string): void => {
      const t = setInterval(() => {
        void Promise.resolve()
          .then(fn)
          .catch((err: unknown) => log?.error({ err }, `metric store ${what} failed`));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.store.options.flushIntervalMs, () => this.flush(), 'flush');
    every(RETENTION_EVERY_MS, () => this.enforceRetention(), 'retention');
    every(SWEEP_EVERY_MS, () => this.store.sweepActive(), 'active-series sweep');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    // A final flush makes the next start quick; the log would replay it anyway.
    await this.exclusive(() => this.doFlush()).catch((err: unknown) =>
      this.store.options.log?.error({ err }, 'final metric flush failed; the write-ahead log keeps the data'),
    );
  }

  onAppended(): void {
    if (!this.stopped && !this.flushQueued && this.store.headSamples >= this.store.options.maxHeadSamples) {
      void this.flush().catch((err: unknown) => this.store.options.log?.error({ err }, 'metric store flush failed'));
    }
  }

  /** Flushes the head, then (`thenCompact`) compacts the windows that have closed meanwhile. */
  async flush(thenCompact = true): Promise<void> {
    this.flushQueued = true;
    await this.exclusive(() => {
      this.flushQueued = false;
      return this.doFlush();
    });
    if (thenCompact && !this.stopped) await this.compact(false);
  }

  /**
   * Merges level-0 chunks of closed windows (`all`: of every window, the current one too).
   * A window is closed once no in-window sample can still arrive in order: its end is older
   * than the out-of-order window plus one flush interval.
   */
  compact(all: boolean): Promise<CompactionStats> {
    const o = this.store.options;
    const closedBefore = all ? Infinity : this.store.now() - o.outOfOrderWindowMs - o.flushIntervalMs;
    return this.exclusive(async () => {
      const stats = await compactChunks(this.store.duck, closedBefore);
      if (stats.chunksBefore > 0) o.log?.debug({ ...stats }, 'metric chunks compacted');
      return stats;
    });
  }

  /**
   * Flushes, retention and compaction share DuckDB's write connection: one transaction at
   * a time, so each runs alone, in call order.
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.running;
    const p = (async () => {
      await prev?.catch(() => undefined);
      return fn();
    })();
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.running = settled;
    void settled.then(() => {
      if (this.running === settled) this.running = undefined;
    });
    return p;
  }

  private async doFlush(): Promise<void> {
    const s = this.store;
    const wal = s.walForFlush;
    const { lsn, value } = await wal.rotate(() => {
      const frozenHead = s.rotateHead();
      s.blocks.frozen = s.blocks.current;
      s.blocks.current = [];
      const frozen: MemSeries[] = [];
      const fresh: MemSeries[] = [];
      for (const ms of s.byId.values()) {
        if (ms.freeze()) frozen.push(ms);
        // Only series a durable record defines: the others' definitions come after this point in the log.
        if (!ms.persisted && ms.durableDef) fresh.push(ms);
      }
      const meta: Array<[string, MetricMetadata[]]> = [];
      for (const head of s.tenants.values()) {
        if (!head.metadataDirty) continue;
        head.metadataDirty = false;
        meta.push([head.tenant, [...head.metadata.values()]]);
      }
      const exemplars: Array<[TenantHead, StoredExemplar[]]> = [];
      for (const head of s.tenants.values()) {
        const list = head.freezeExemplars();
        if (list.length > 0) exemplars.push([head, list]);
      }
      const samples = s.headSamples;
      s.headSamples = 0;
      return { frozen, fresh, meta, exemplars, samples, frozenHead };
    });
    const { frozen, fresh, meta, exemplars } = value;
    if (frozen.length > 0 || fresh.length > 0 || meta.length > 0 || exemplars.length > 0) {
      const conn = s.duck.write;
      const bounds = new Float64Array(frozen.length * 2);
      for (let i = 0; i < frozen.length; i++) {
        bounds[i * 2] = Infinity;
        bounds[i * 2 + 1] = -Infinity;
      }
      // The chunks written, kept in memory once the commit made them durable: their bytes in
      // one writer, [minT, maxT, start, end, samples] per chunk, and series i's chunks are
      // [firstChunk[i], firstChunk[i + 1]) (chunkMeta). No object per series or chunk: all of it lives
      // across the commit, and would be promoted to V8's old generation.
      const arena = this.arena;
      arena.reset();
      const firstChunk = new Int32Array(frozen.length + 1);
      let chunkMeta = new Float64Array(frozen.length * 5);
      let chunkCount = 0;
      const newPairs: Array<[number, Label]> = [];
      try {
        await conn.run('BEGIN TRANSACTION');
        const chunks = await conn.createAppender('metric_chunks');
        const scratch = this.scratch;
        for (let i = 0; i < frozen.length; i++) {
          const ms = frozen[i]!;
          // In order (the common case): straight from the head buffer into reused columns.
          const { t, v, n } = ms.frozenSamples(scratch);
          firstChunk[i] = chunkCount;
          if (n === 0) continue;
          bounds[i * 2] = t[0]!;
          bounds[i * 2 + 1] = t[n - 1]!;
          for (let from = 0; from < n; from += FLUSH_CHUNK_SAMPLES) {
            const to = Math.min(n, from + FLUSH_CHUNK_SAMPLES);
            const start = arena.byteLength;
            encodeChunkTo(arena, t, v, from, to);
            arena.alignByte();
            const end = arena.byteLength;
            appendChunkRow(chunks, ms.tenant, ms.id, t[from]!, t[to - 1]!, to - from, arena.view(start, end), 0);
            if (chunkMeta.length < (chunkCount + 1) * 5) {
              const grown = new Float64Array(chunkMeta.length * 2);
              grown.set(chunkMeta);
              chunkMeta = grown;
            }
            chunkMeta[chunkCount * 5] = t[from]!;
            chunkMeta[chunkCount * 5 + 1] = t[to - 1]!;
            chunkMeta[chunkCount * 5 + 2] = start;
            chunkMeta[chunkCount * 5 + 3] = end;
            chunkMeta[chunkCount * 5 + 4] = to - from;
            chunkCount++;
          }
        }
        firstChunk[frozen.length] = chunkCount;
        chunks.closeSync();
        const series = await conn.createAppender('metric_series');
        for (const ms of fresh) {
          series.appendVarchar(ms.tenant);
          series.appendBigInt(BigInt(ms.id));
          series.appendVarchar('');
          series.appendVarchar(this.pairs.idsOf(ms.labels, newPairs));
          series.endRow();
        }
        series.closeSync();
        if (newPairs.length > 0) {
          const app = await conn.createAppender('metric_label_pairs');
          for (const [id, l] of newPairs) {
            app.appendInteger(id);
            app.appendVarchar(l.name);
            app.appendVarchar(l.value);
            app.endRow();
          }
          app.closeSync();
        }
        if (exemplars.length > 0) {
          const app = await conn.createAppender('metric_exemplars');
          for (const [head, list] of exemplars) {
            for (const { seriesId, exemplar: e } of list) {
              app.appendVarchar(head.tenant);
              app.appendBigInt(BigInt(seriesId));
              app.appendBigInt(BigInt(e.timestamp));
              app.appendDouble(e.value);
              app.appendVarchar(JSON.stringify(e.labels));
              app.endRow();
            }
          }
          app.closeSync();
        }
        for (const [tenant, list] of meta) {
          await conn.run('DELETE FROM metric_metadata WHERE tenant = $1', [tenant]);
          const app = await conn.createAppender('metric_metadata');
          for (const m of list) {
            app.appendVarchar(tenant);
            app.appendVarchar(m.metric);
            app.appendVarchar(m.type);
            app.appendVarchar(m.help);
            app.appendVarchar(m.unit);
            app.endRow();
          }
          app.closeSync();
        }
        await conn.run('COMMIT');
      } catch (e) {
        await conn.run('ROLLBACK').catch(() => undefined);
        this.pairs.forget(newPairs);
        for (const ms of frozen) ms.thaw(s.head);
        s.blocks.current = s.blocks.frozen.concat(s.blocks.current);
        s.blocks.frozen = [];
        // Thawed samples were copied into the current buffer: nothing reads the frozen one now.
        value.frozenHead.release();
        for (const [head] of exemplars) head.settleExemplars(false);
        s.headSamples += value.samples;
        for (const [tenant] of meta) s.tenant(tenant).metadataDirty = true;
        throw e;
      }
      const written = arena.view(0, arena.byteLength);
      for (let i = 0; i < frozen.length; i++) {
        const ms = frozen[i]!;
        if (bounds[i * 2]! < ms.diskMinT) ms.diskMinT = bounds[i * 2]!;
        if (bounds[i * 2 + 1]! > ms.diskMaxT) ms.diskMaxT = bounds[i * 2 + 1]!;
        // With dropFrozen in one synchronous step: a reader sees the samples in one place or the other.
        ms.retain(written, chunkMeta, firstChunk[i]!, firstChunk[i + 1]!);
        ms.dropFrozen();
      }
      s.blocks.frozen = [];
      value.frozenHead.release();
      // One huge flush (a backlog) must not keep its buffer for good.
      if (arena.capacity > ARENA_KEPT_BYTES) this.arena = new BitWriter(ARENA_INITIAL_BYTES);
      for (const ms of fresh) ms.persisted = true;
      for (const [head] of exemplars) head.settleExemplars(true);
      // Folds the commit into the file now. Why: DuckDB holds committed rows in memory until
      // a checkpoint (by default once its own log passes 16 MB, every few flushes of 100k
      // series), and memory it freed stays with its allocator: 100k series flushed 10 times
      // grew native memory by ~120 MB without, ~50 MB with. A failed checkpoint loses
      // nothing (the commit is in DuckDB's log): the next one catches up.
      await conn.run('CHECKPOINT').catch((err: unknown) => s.options.log?.debug({ err }, 'metric checkpoint after flush skipped'));
    }
    await wal.truncateBefore(lsn);
  }

  enforceRetention(): Promise<void> {
    return this.exclusive(() => this.doRetention());
  }

  private async doRetention(): Promise<void> {
    const s = this.store;
    const conn = s.duck.write;
    let deleted = 0;
    let cutoff = -Infinity;
    if (s.options.retentionMs > 0) cutoff = s.now() - s.options.retentionMs;
    if (s.options.retentionBytes > 0) {
      // Chunk bytes plus a per-row allowance approximate the table's size on disk.
      const rows = (
        await s.duck.read.runAndReadAll('SELECT max_t // 3600000 AS h, sum(octet_length(data) + 40)::DOUBLE FROM metric_chunks GROUP BY h ORDER BY h DESC')
      ).getRows();
      let total = 0;
      for (const [h, bytes] of rows) {
        total += Number(bytes);
        if (total > s.options.retentionBytes) {
          cutoff = Math.max(cutoff, (Number(h) + 1) * 3600000);
          break;
        }
      }
    }
    if (cutoff === -Infinity) return;
    const r = await conn.run(`DELETE FROM metric_chunks WHERE max_t < ${Math.trunc(cutoff)}`);
    deleted = Number(r.rowsChanged);
    await conn.run(`DELETE FROM metric_exemplars WHERE t < ${Math.trunc(cutoff)}`);
    const gone: MemSeries[] = [];
    for (const ms of s.byId.values()) {
      ms.dropRecentBefore(cutoff);
      if (ms.n === 0 && ms.blockSamples === 0 && !ms.hasFrozen && ms.maxT < cutoff) gone.push(ms);
    }
    if (gone.length > 0) {
      for (let i = 0; i < gone.length; i += 5000) await conn.run(`DELETE FROM metric_series WHERE id IN (${idList(gone.slice(i, i + 5000).map((g) => g.id))})`);
      const byTenant = new Map<string, Set<number>>();
      for (const ms of gone) {
        const head = s.tenant(ms.tenant);
        head.series.delete(ms);
        head.byLabels.delete(ms.labels);
        ms.removed = true;
        ms.release();
        s.byId.delete(ms.id);
        if (ms.active) {
          head.active--;
          s.activeTotal--;
        }
        let set = byTenant.get(ms.tenant);
        if (!set) byTenant.set(ms.tenant, (set = new Set()));
        set.add(ms.id);
      }
      for (const [tenant, ids] of byTenant) s.tenant(tenant).postings.remove(ids);
      await this.pairs.prune(conn);
    }
    if (deleted > 0) {
      await this.refreshDiskBounds();
      await conn.run('CHECKPOINT');
    }
    s.options.log?.debug({ chunks: deleted, series: gone.length, cutoff }, 'metric retention applied');
  }

  /** Recomputes each series' on-disk time bounds from the chunk table. */
  private async refreshDiskBounds(): Promise<void> {
    const s = this.store;
    const rows = (await s.duck.read.runAndReadAll('SELECT series_id, min(min_t), max(max_t) FROM metric_chunks GROUP BY series_id')).getRows();
    const seen = new Set<number>();
    for (const [id, lo, hi] of rows) {
      const ms = s.byId.get(Number(id));
      if (!ms) continue;
      seen.add(ms.id);
      ms.diskMinT = Number(lo);
      ms.diskMaxT = Number(hi);
    }
    for (const ms of s.byId.values()) {
      if (!seen.has(ms.id)) {
        ms.diskMinT = Infinity;
        ms.diskMaxT = -Infinity;
      }
      let lo = ms.diskMinT;
      let hi = ms.diskMaxT;
      for (const c of ms.blockChunks()) {
        const d = decodeChunk(c);
        if (d.timestamps.length > 0) {
          lo = Math.min(lo, d.timestamps[0]!);
          hi = Math.max(hi, d.timestamps[d.timestamps.length - 1]!);
        }
      }
      for (const r of ms.memoryRuns()) {
        for (let i = 0; i < r.n; i++) {
          const t = r.t[i]!;
          if (t < lo) lo = t;
          if (t > hi) hi = t;
        }
      }
      ms.minT = lo;
      ms.maxT = hi;
    }
  }
}
