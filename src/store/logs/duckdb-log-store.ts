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
import { decodeWalRecord, encodeWalRecord } from './wal-record.js';
import { DAY_NS, Partitions, partitionOf } from './partitions.js';
import { readRuns, usageRows } from './partition-read.js';
import { Mutex } from './mutex.js';

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

  async push(tenant: string, input: PushBatch): Promise<PushOutcome> {
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
    await this.wal.append(encodeWalRecord(tenant, batch), () => this.apply(tenant, batch, true));
    if (this.headEntries >= this.options.flushEntries) void this.flush().catch((e: unknown) => this.options.log.error({ err: e }, 'log store flush failed'));
    return { accepted: lines, rejected };
  }

  /** Adds durable entries to the head (in log order). */
  private apply(tenant: string, batch: PushBatch, live: boolean): void {
    const events: TailEvent[] = [];
    for (const ps of batch.streams) {
      const s = this.index.get(tenant, ps.labels) ?? this.index.create(tenant, ps.labels);
      for (const e of ps.entries) {
        if (e.tsNs === s.lastTs) {
          if (s.lastLines.has(e.line)) continue;
          s.lastLines.add(e.line);
        } else if (e.tsNs > s.lastTs) {
          s.lastTs = e.tsNs;
          s.lastLines = new Set([e.line]);
        } else s.sorted = false;
        if (s.head.length > 0 && e.tsNs < s.head[s.head.length - 1]!.tsNs) s.sorted = false;
        s.head.push(e);
        this.headEntries++;
        if (e.tsNs < s.minTs) s.minTs = e.tsNs;
        if (e.tsNs > s.maxTs) s.maxTs = e.tsNs;
        s.entries++;
        s.bytes += entryBytes(e);
        s.dirty = true;
        if (live) events.push({ stream: s, entry: e });
      }
    }
    if (events.length > 0) for (const l of this.listeners.get(tenant) ?? []) l(events);
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
        s.head = [];
        s.sorted = true;
      }
      this.flushingSnap = snap;
      this.headEntries = 0;
    });
    await this.mutex.run(() => this.writeSnapshot(lsn));
    await this.wal.truncateBefore(lsn);
  }

  private async writeSnapshot(lsn: Lsn): Promise<void> {
    const snap = this.flushingSnap ?? [];
    // Rows go in stream by stream (arrival order within a stream), so a row group holds few
    // streams and a read's stream-id range skips the others by zone map.
    const byPartition = new Map<number, Array<{ id: number; entries: LogEntry[] }>>();
    for (const { stream, entries } of snap) {
      for (const [day, list] of splitByDay(entries)) {
        let runs = byPartition.get(day);
        if (!runs) byPartition.set(day, (runs = []));
        runs.push({ id: stream.id, entries: list });
      }
    }
    const dirty = [...this.index.byId.values()].filter((s) => s.dirty);
    await this.conn.run('BEGIN TRANSACTION');
    try {
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
            if (e.metadata.length === 0) app.appendNull();
            else app.appendVarchar(JSON.stringify(e.metadata.map((m) => [m.name, m.value])));
            app.appendInteger(b);
            app.endRow();
            bytes += b;
          }
          rows += entries.length;
        }
        app.closeSync();
        await this.partitions.addUsage(this.conn, p, rows, bytes);
      }
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
    this.flushingSnap = undefined;
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
      return await this.mutex.run(async () => {
        await conn.run('BEGIN TRANSACTION');
        await conn.run('SELECT count(*) FROM partitions'); // the first read fixes the snapshot
        const ids = new Set(streams.map((s) => s.id));
        const memory: Array<{ stream: StreamState; entries: LogEntry[]; n: number }> = [];
        for (const m of this.flushingSnap ?? []) if (ids.has(m.stream.id)) memory.push({ stream: m.stream, entries: m.entries, n: m.entries.length });
        for (const s of streams) if (s.head.length > 0) memory.push({ stream: s, entries: s.head, n: s.head.length });
        return { conn, days: this.partitions.overlapping(startNs, endNs), memory };
      });
    } catch (e) {
      conn.closeSync();
      throw e;
    }
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
  readonly memory: Array<{ stream: StreamState; entries: LogEntry[]; n: number }>;
}

function tooMany(limit: number): IchigenError {
  return new IchigenError('TOO_MANY_SAMPLES', `the query would read more than ${limit} entries; narrow the selector or the time range`);
}
