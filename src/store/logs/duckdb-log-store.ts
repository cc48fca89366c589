import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { IchigenError, formatLabels, type LabelMatcher } from '../../model/index.js';
import type { Logger } from '../../self/index.js';
import type { LogEntry, PushBatch } from '../../receive/loki-push/index.js';
import { Wal, type Lsn } from '../wal/index.js';
import type { LogLimits } from './log-limits.js';
import type { LogStore, PushOutcome, SelectRequest, StoredStream, StreamEntries, StreamStats, TailEvent } from './log-store.js';
import { RateLimiter } from './rate-limiter.js';
import { StreamIndex, type StreamState } from './stream-index.js';
import { rateLimitError, streamLimitError, validatePush } from './validate-push.js';
import { decodeWalRecord, encodeRawWalRecord, encodeWalRecord, type PushSource } from './wal-record.js';
import { DAY_NS, Partitions, partitionOf } from './partitions.js';
import { readRuns, usageRows } from './partition-read.js';
import { Mutex } from './mutex.js';
import { MemoryEntries, keyAtTime, metaText, storedDuplicates, type Candidates } from './duplicates.js';

export interface DuckDbLogStoreOptions {
  readonly dir: string;
  readonly limits: LogLimits;
  readonly log: Logger;
  /** Flush the in-memory head to DuckDB this often, or sooner when it holds `flushEntries`. */
  readonly flushIntervalMs: number;
  readonly flushEntries: number;
  /** Retention by age (0: keep) and by total line bytes (0: no cap). */
  readonly retentionMs: number;
  readonly retentionBytes: number;
  readonly duckdbMemoryLimit: string;
  readonly duckdbThreads: number;
}

/**
 * The embedded log store. Pushes go to a write-ahead log (group commit: one fsync for many
 * requests) and into an in-memory head per stream; a background flush moves the head into
 * DuckDB in one transaction (Appender), one table per UTC day so retention is a DROP TABLE.
 */
export class DuckDbLogStore implements LogStore {
  private readonly index = new StreamIndex();
  private readonly rate: RateLimiter;
  private readonly listeners = new Map<string, Set<(e: TailEvent[]) => void>>();
  private readonly mutex = new Mutex();
  private headEntries = 0;
  private flushingSnap: Array<{ stream: StreamState; entries: LogEntry[] }> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushPromise: Promise<void> | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: DuckDbLogStoreOptions,
    private readonly db: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly wal: Wal,
    private readonly partitions: Partitions,
  ) {
    this.rate = new RateLimiter(options.limits.ingestionRateBytes, options.limits.ingestionBurstBytes);
  }

  static async open(options: DuckDbLogStoreOptions): Promise<DuckDbLogStore> {
    await mkdir(options.dir, { recursive: true });
    const db = await DuckDBInstance.create(path.join(options.dir, 'logs.duckdb'), {
      memory_limit: options.duckdbMemoryLimit,
      threads: String(options.duckdbThreads),
    });
    const conn = await db.connect();
    await conn.run(`CREATE TABLE IF NOT EXISTS streams (id INTEGER PRIMARY KEY, tenant VARCHAR, labels VARCHAR, min_ts BIGINT, max_ts BIGINT, entries BIGINT, bytes BIGINT)`);
    await conn.run(`CREATE TABLE IF NOT EXISTS store_meta (k VARCHAR PRIMARY KEY, v BIGINT)`);
    const partitions = await Partitions.load(conn);
    const wal = await Wal.open({ dir: path.join(options.dir, 'wal') });
    const store = new DuckDbLogStore(options, db, conn, wal, partitions);
    await store.recover();
    store.timer = setInterval(() => void store.flush().catch((e: unknown) => options.log.error({ err: e }, 'log store flush failed')), options.flushIntervalMs);
    store.timer.unref();
    store.retentionTimer = setInterval(() => void store.applyRetention().catch((e: unknown) => options.log.error({ err: e }, 'log retention failed')), 60_000);
    store.retentionTimer.unref();
    return store;
  }

  private async recover(): Promise<void> {
    const rows = (await this.conn.runAndReadAll('SELECT id, tenant, labels, min_ts, max_ts, entries, bytes FROM streams')).getRows();
    for (const r of rows) {
      const labels = (JSON.parse(r[2] as string) as Array<[string, string]>).map(([name, value]) => ({ name, value }));
      const s = this.index.create(r[1] as string, labels, Number(r[0]));
      s.minTs = r[3] as bigint;
      s.maxTs = r[4] as bigint;
      s.lastTs = s.maxTs;
      s.flushedMaxTs = s.maxTs;
      s.entries = Number(r[5]);
      s.bytes = Number(r[6]);
      s.dirty = false;
    }
    const meta = (await this.conn.runAndReadAll(`SELECT v FROM store_meta WHERE k = 'flushed_lsn'`)).getRows();
    const flushed = meta.length > 0 ? Number(meta[0]![0]) : 0;
    const stats = await this.wal.replay((payload, lsn) => {
      if (lsn <= flushed) return;
      const { tenant, batch } = decodeWalRecord(payload);
      this.apply(tenant, batch, false);
    });
    this.options.log.info({ streams: this.index.size, walRecords: stats.records, head: this.headEntries }, 'log store recovered');
  }

  async push(tenant: string, input: PushBatch, source?: PushSource): Promise<PushOutcome> {
    const { batch, rejected, bytes, lines } = validatePush(input, this.options.limits, Date.now());
    if (lines === 0) return { accepted: 0, rejected };
    const max = this.options.limits.maxStreamsPerTenant;
    if (max > 0) {
      let fresh = 0;
      for (const s of batch.streams) {
        if (!this.index.get(tenant, s.labels) && this.index.countFor(tenant) + ++fresh > max) throw streamLimitError(tenant, formatLabels(s.labels));
      }
    }
    if (!this.rate.take(tenant, bytes)) throw rateLimitError(tenant, this.options.limits, lines, bytes);
    // All accepted: the body as it came is the record (replay decodes it to the same batch).
    const record = source && rejected.length === 0 ? encodeRawWalRecord(tenant, source) : encodeWalRecord(tenant, batch);
    await this.wal.append(record, () => this.apply(tenant, batch, true));
    if (this.headEntries >= this.options.flushEntries) void this.flush().catch((e: unknown) => this.options.log.error({ err: e }, 'log store flush failed'));
    return { accepted: lines, rejected };
  }

  /** Adds durable entries to the head (in log order). */
  private apply(tenant: string, batch: PushBatch, live: boolean): void {
    const listeners = live ? this.listeners.get(tenant) : undefined;
    const events: TailEvent[] | undefined = listeners !== undefined && listeners.size > 0 ? [] : undefined;
    for (const ps of batch.streams) {
      const s = this.index.get(tenant, ps.labels) ?? this.index.create(tenant, ps.labels);
      let lastHead = s.head.length > 0 ? s.head[s.head.length - 1]!.tsNs : undefined;
      let added = 0;
      let bytes = 0;
      for (const e of ps.entries) {
        const ts = e.tsNs;
        // An exact duplicate (time, line, metadata) of an entry in memory is dropped here; one
        // of an entry already in DuckDB by reads and the next flush (see duplicates.ts).
        if (ts > s.lastTs) {
          s.lastTs = ts;
          s.lastKey = keyAtTime(e);
          s.lastKeys = undefined;
        } else if (ts === s.lastTs) {
          const k = keyAtTime(e);
          if (k === s.lastKey || s.lastKeys?.has(k) === true) continue;
          s.lastKeys ??= new Set(s.lastKey === undefined ? [] : [s.lastKey]);
          s.lastKeys.add(k);
        } else {
          s.sorted = false;
          s.memory ??= new MemoryEntries(s.flushing ?? [], s.head);
          if (s.memory.has(e)) continue;
        }
        if (lastHead !== undefined && ts < lastHead) s.sorted = false;
        lastHead = ts;
        s.head.push(e);
        s.memory?.add(e);
        if (ts < s.minTs) s.minTs = ts;
        if (ts > s.maxTs) s.maxTs = ts;
        added++;
        bytes += entryBytes(e);
        if (events) events.push({ stream: s, entry: e });
      }
      if (added > 0) {
        this.headEntries += added;
        s.entries += added;
        s.bytes += bytes;
        s.dirty = true;
      }
    }
    if (events && events.length > 0) for (const l of listeners!) l(events);
  }

  /** Moves the head into DuckDB in one transaction, then drops the log segments it covered. */
  flush(): Promise<void> {
    this.flushPromise ??= this.doFlush().finally(() => (this.flushPromise = undefined));
    return this.flushPromise;
  }

  private async doFlush(): Promise<void> {
    if (this.headEntries === 0) return;
    const { lsn } = await this.wal.rotate(() => {
      const snap: Array<{ stream: StreamState; entries: LogEntry[] }> = [];
      for (const s of this.index.byId.values()) {
        if (s.head.length === 0) continue;
        snap.push({ stream: s, entries: s.head });
        s.flushing = s.head;
        s.head = [];
        s.sorted = true;
      }
      this.flushingSnap = snap;
      this.headEntries = 0;
    });
    try {
      await this.mutex.run(() => this.writeSnapshot(lsn));
    } catch (e) {
      // The entries go back to the head (still in the log): the next flush writes them.
      for (const { stream, entries } of this.flushingSnap ?? []) {
        stream.head = entries.concat(stream.head);
        stream.flushing = undefined;
        stream.sorted = false;
        this.headEntries += entries.length;
      }
      this.flushingSnap = undefined;
      throw e;
    }
    await this.wal.truncateBefore(lsn);
  }

  private async writeSnapshot(lsn: Lsn): Promise<void> {
    const snap = this.flushingSnap ?? [];
    const dirty = [...this.index.byId.values()].filter((s) => s.dirty);
    let written: Array<{ stream: StreamState; maxTs: bigint }>;
    await this.conn.run('BEGIN TRANSACTION');
    try {
      written = await this.appendSnapshot(snap);
      if (dirty.length > 0) {
        await this.conn.run(`DELETE FROM streams WHERE id IN (${dirty.map((s) => s.id).join(',')})`);
        const app = await this.conn.createAppender('streams');
        for (const s of dirty) {
          app.appendInteger(s.id);
          app.appendVarchar(s.tenant);
          app.appendVarchar(JSON.stringify(s.labels.map((l) => [l.name, l.value])));
          app.appendBigInt(s.minTs);
          app.appendBigInt(s.maxTs);
          app.appendBigInt(BigInt(s.entries));
          app.appendBigInt(BigInt(s.bytes));
          app.endRow();
        }
        app.closeSync();
      }
      await this.conn.run(`INSERT OR REPLACE INTO store_meta VALUES ('flushed_lsn', ${lsn})`);
      await this.conn.run('COMMIT');
    } catch (e) {
      await this.conn.run('ROLLBACK');
      this.partitions.rollback();
      throw e;
    }
    this.partitions.commit();
    for (const s of dirty) s.dirty = false;
    for (const { stream, maxTs } of written) {
      if (maxTs > stream.flushedMaxTs) stream.flushedMaxTs = maxTs;
      stream.flushing = undefined;
      // Its flushed entries are DuckDB's to check now; rebuilt from the head when needed.
      stream.memory = undefined;
    }
    this.flushingSnap = undefined;
  }

  /**
   * Appends the snapshot's entries (inside the flush transaction), less those DuckDB already
   * holds: entries at or before a stream's newest flushed time are looked up first.
   */
  private async appendSnapshot(snap: ReadonlyArray<{ stream: StreamState; entries: LogEntry[] }>): Promise<Array<{ stream: StreamState; maxTs: bigint }>> {
    const candidates: Candidates[] = [];
    for (const { stream, entries } of snap) {
      const old = entries.filter((e) => e.tsNs <= stream.flushedMaxTs);
      if (old.length > 0) candidates.push({ streamId: stream.id, entries: old });
    }
    const stored = candidates.length === 0 ? undefined : await storedDuplicates(this.conn, (d) => this.partitions.table(d), this.partitions.known(), candidates);
    // Rows go in stream by stream (arrival order within a stream), so a row group holds few
    // streams and a read's stream-id range skips the others by zone map.
    const byPartition = new Map<number, Array<{ id: number; entries: LogEntry[] }>>();
    const written: Array<{ stream: StreamState; maxTs: bigint }> = [];
    for (const { stream, entries: all } of snap) {
      let entries = all;
      if (stored !== undefined && stored.size > 0) {
        entries = all.filter((e) => !stored.has(e));
        stream.entries -= all.length - entries.length;
        for (const e of all) if (stored.has(e)) stream.bytes -= entryBytes(e);
      }
      let maxTs = -1n;
      for (const e of entries) if (e.tsNs > maxTs) maxTs = e.tsNs;
      written.push({ stream, maxTs });
      for (const [day, list] of splitByDay(entries)) {
        let runs = byPartition.get(day);
        if (!runs) byPartition.set(day, (runs = []));
        runs.push({ id: stream.id, entries: list });
      }
    }
    for (const [p, runs] of [...byPartition].sort((a, b) => a[0] - b[0])) {
      await this.partitions.ensure(this.conn, p);
      const app = await this.conn.createAppender(this.partitions.table(p));
      let bytes = 0;
      let rows = 0;
      for (const { id, entries } of runs) {
        for (const e of entries) {
          const b = entryBytes(e);
          app.appendInteger(id);
          app.appendBigInt(e.tsNs);
          app.appendVarchar(e.line);
          const meta = metaText(e);
          if (meta === null) app.appendNull();
          else app.appendVarchar(meta);
          app.appendInteger(b);
          app.endRow();
          bytes += b;
        }
        rows += entries.length;
      }
      app.closeSync();
      await this.partitions.addUsage(this.conn, p, rows, bytes);
    }
    return written;
  }

  allStreams(tenant: string, matchers: readonly LabelMatcher[]): StoredStream[] {
    return this.index.match(tenant, matchers).filter((s) => s.entries > 0);
  }

  series(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint): Promise<StoredStream[]> {
    return Promise.resolve(this.matching(tenant, matchers, startNs, endNs));
  }

  /** Streams of the selector whose time span overlaps the range (as Loki's index answers), by id. */
  private matching(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint): StreamState[] {
    return this.index
      .match(tenant, matchers)
      .filter((s) => s.entries > 0 && s.minTs < endNs && s.maxTs >= startNs)
      .sort((a, b) => a.id - b.id);
  }

  /**
   * Opens a read: a DuckDB transaction on its own connection plus the entries still in memory,
   * both taken under the flush mutex so an entry is seen exactly once, however long the read
   * runs (flushes and pushes go on meanwhile; the read sees neither).
   */
  private async openRead(streams: StreamState[], startNs: bigint, endNs: bigint): Promise<ReadView> {
    const conn = await this.db.connect();
    try {
      const view = await this.mutex.run(async () => {
        await conn.run('BEGIN TRANSACTION');
        await conn.run('SELECT count(*) FROM partitions'); // the first read fixes the snapshot
        const ids = new Set(streams.map((s) => s.id));
        const memory: MemoryRun[] = [];
        const flushed = new Map(streams.map((s) => [s.id, s.flushedMaxTs]));
        for (const m of this.flushingSnap ?? []) if (ids.has(m.stream.id)) memory.push({ stream: m.stream, entries: m.entries, n: m.entries.length });
        for (const s of streams) if (s.head.length > 0) memory.push({ stream: s, entries: s.head, n: s.head.length });
        return { conn, days: this.partitions.overlapping(startNs, endNs), memory, flushed };
      });
      view.memory = await this.withoutStored(view, startNs, endNs);
      return view;
    } catch (e) {
      conn.closeSync();
      throw e;
    }
  }

  /**
   * The read's entries in memory less those its DuckDB snapshot already holds (a duplicate
   * pushed after its original was flushed, until the next flush drops it). Only entries at or
   * before a stream's newest flushed time are looked up; usually there are none.
   */
  private async withoutStored(view: ReadView, startNs: bigint, endNs: bigint): Promise<MemoryRun[]> {
    const candidates: Candidates[] = [];
    for (const m of view.memory) {
      const limit = view.flushed.get(m.stream.id) ?? -1n;
      const old: LogEntry[] = [];
      for (let i = 0; i < m.n; i++) {
        const e = m.entries[i]!;
        if (e.tsNs <= limit && e.tsNs >= startNs && e.tsNs < endNs) old.push(e);
      }
      if (old.length > 0) candidates.push({ streamId: m.stream.id, entries: old });
    }
    if (candidates.length === 0) return view.memory;
    const stored = await storedDuplicates(view.conn, (d) => this.partitions.table(d), new Set(view.days), candidates);
    if (stored.size === 0) return view.memory;
    return view.memory.map((m) => {
      const entries = m.entries.slice(0, m.n).filter((e) => !stored.has(e));
      return { stream: m.stream, entries, n: entries.length };
    });
  }

  async *scan(req: SelectRequest): AsyncGenerator<StreamEntries> {
    const streams = this.matching(req.tenant, req.matchers, req.startNs, req.endNs);
    if (streams.length === 0) return;
    const byId = new Map(streams.map((s) => [s.id, s]));
    const must = req.mustContain ?? [];
    const view = await this.openRead(streams, req.startNs, req.endNs);
    try {
      const filter = { ids: streams.map((s) => s.id), startNs: req.startNs, endNs: req.endNs, mustContain: must };
      for (const day of view.days) {
        for await (const run of readRuns(view.conn, this.partitions.table(day), filter)) yield { stream: byId.get(run.streamId)!, entries: run.entries };
      }
      for (const m of view.memory) {
        const entries: LogEntry[] = [];
        for (let i = 0; i < m.n; i++) {
          const e = m.entries[i]!;
          if (e.tsNs >= req.startNs && e.tsNs < req.endNs && must.every((x) => e.line.includes(x))) entries.push(e);
        }
        if (entries.length > 0) yield { stream: m.stream, entries };
      }
    } finally {
      view.conn.closeSync();
    }
  }

  async select(req: SelectRequest): Promise<StreamEntries[]> {
    const max = this.options.limits.maxEntriesPerQuery;
    const out = new Map<number, StreamEntries>();
    let read = 0;
    for await (const run of this.scan(req)) {
      read += run.entries.length;
      if (read > max) throw tooMany(max);
      const cur = out.get(run.stream.id);
      if (cur) cur.entries.push(...run.entries);
      else out.set(run.stream.id, { stream: run.stream, entries: [...run.entries] });
    }
    const result = [...out.values()].sort((a, b) => a.stream.id - b.stream.id);
    for (const r of result) r.entries.sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
    return result;
  }

  async stats(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint): Promise<StreamStats> {
    const rows = await this.usage(tenant, matchers, startNs, endNs, undefined);
    const streams = new Set(rows.map((r) => r.stream.id)).size;
    let entries = 0;
    let bytes = 0;
    for (const r of rows) {
      entries += r.entries;
      bytes += r.bytes;
    }
    return { streams, chunks: streams, bytes, entries };
  }

  volume(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint, stepNs?: bigint): Promise<Array<{ stream: StoredStream; bucketNs: bigint; bytes: number; entries: number }>> {
    return this.usage(tenant, matchers, startNs, endNs, stepNs);
  }

  /** Entries and bytes per stream and time bucket, summed in DuckDB (no line leaves it) and over memory. */
  private async usage(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint, stepNs: bigint | undefined): Promise<Array<{ stream: StoredStream; bucketNs: bigint; bytes: number; entries: number }>> {
    const streams = this.matching(tenant, matchers, startNs, endNs);
    if (streams.length === 0) return [];
    const byId = new Map(streams.map((s) => [s.id, s]));
    const sums = new Map<string, { stream: StoredStream; bucketNs: bigint; bytes: number; entries: number }>();
    const add = (stream: StoredStream, bucket: bigint, entries: number, bytes: number): void => {
      const key = `${stream.id}/${bucket}`;
      const cur = sums.get(key);
      if (cur) {
        cur.entries += entries;
        cur.bytes += bytes;
      } else sums.set(key, { stream, bucketNs: startNs + bucket * (stepNs ?? 0n), bytes, entries });
    };
    const view = await this.openRead(streams, startNs, endNs);
    try {
      const filter = { ids: streams.map((s) => s.id), startNs, endNs, mustContain: [] };
      for (const day of view.days) {
        for (const r of await usageRows(view.conn, this.partitions.table(day), filter, stepNs)) add(byId.get(r.streamId)!, r.bucket, r.entries, r.bytes);
      }
    } finally {
      view.conn.closeSync();
    }
    for (const m of view.memory) {
      for (let i = 0; i < m.n; i++) {
        const e = m.entries[i]!;
        if (e.tsNs < startNs || e.tsNs >= endNs) continue;
        add(m.stream, stepNs ? (e.tsNs - startNs) / stepNs : 0n, 1, entryBytes(e));
      }
    }
    return [...sums.values()];
  }

  subscribe(tenant: string, listener: (events: TailEvent[]) => void): () => void {
    let set = this.listeners.get(tenant);
    if (!set) this.listeners.set(tenant, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Drops whole day tables past the retention age, then the oldest while over the size cap. */
  async applyRetention(nowMs = Date.now()): Promise<void> {
    await this.mutex.run(async () => {
      const cutoff = this.options.retentionMs > 0 ? BigInt(nowMs - this.options.retentionMs) * 1_000_000n : undefined;
      const dropped = await this.partitions.dropExpired(this.conn, cutoff, this.options.retentionBytes);
      if (dropped.length === 0) return;
      const floor = this.partitions.oldestStartNs();
      for (const s of [...this.index.byId.values()]) {
        if (s.head.length === 0 && (floor === undefined || s.maxTs < floor)) {
          this.index.remove(s);
          await this.conn.run(`DELETE FROM streams WHERE id = ${s.id}`);
        } else if (floor !== undefined && s.minTs < floor) s.minTs = floor;
      }
      this.options.log.info({ dropped }, 'log retention dropped partitions');
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.retentionTimer);
    await this.flush();
    await this.wal.close();
    this.conn.closeSync();
    this.db.closeSync();
  }
}

export function entryBytes(e: LogEntry): number {
  let n = Buffer.byteLength(e.line);
  for (const m of e.metadata) n += m.name.length + m.value.length;
  return n;
}

/** A stream's flushed entries by UTC day (almost always one day). */
function splitByDay(entries: LogEntry[]): Map<number, LogEntry[]> {
  const out = new Map<number, LogEntry[]>();
  let lo = 0n;
  let hi = -1n;
  let list: LogEntry[] = [];
  for (const e of entries) {
    if (e.tsNs < lo || e.tsNs >= hi) {
      const day = partitionOf(e.tsNs);
      lo = BigInt(day) * DAY_NS;
      hi = lo + DAY_NS;
      const known = out.get(day);
      if (known) list = known;
      else out.set(day, (list = []));
    }
    list.push(e);
  }
  return out;
}

/** What a read works on: its DuckDB snapshot, the day tables, and the entries still in memory. */
interface ReadView {
  readonly conn: DuckDBConnection;
  readonly days: number[];
  /** Entries in memory: the first `n` of `entries` (a head array goes on growing). */
  memory: MemoryRun[];
  /** Each stream's newest flushed time when the read began. */
  readonly flushed: ReadonlyMap<number, bigint>;
}

interface MemoryRun {
  readonly stream: StreamState;
  readonly entries: LogEntry[];
  readonly n: number;
}

function tooMany(limit: number): IchigenError {
  return new IchigenError('TOO_MANY_SAMPLES', `the query would read more than ${limit} entries; narrow the selector or the time range`);
}
