import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { IchigenError, formatLabels, type LabelMatcher, type Labels } from '../../model/index.js';
import type { Logger } from '../../self/index.js';
import type { LogEntry, PushBatch } from '../../receive/loki-push/index.js';
import { Wal, type Lsn } from '../wal/index.js';
import type { LogLimits } from './log-limits.js';
import type { LogStore, PushOutcome, SelectRequest, StoredStream, StreamEntries, StreamStats, TailEvent } from './log-store.js';
import { RateLimiter } from './rate-limiter.js';
import { StreamIndex, type StreamState } from './stream-index.js';
import { rateLimitError, streamLimitError, validatePush } from './validate-push.js';
import { decodeWalRecord, encodeWalRecord } from './wal-record.js';
import { Partitions, partitionOf } from './partitions.js';
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
    const byPartition = new Map<number, Array<{ id: number; e: LogEntry }>>();
    for (const { stream, entries } of snap) {
      for (const e of entries) {
        const p = partitionOf(e.tsNs);
        let list = byPartition.get(p);
        if (!list) byPartition.set(p, (list = []));
        list.push({ id: stream.id, e });
      }
    }
    const dirty = [...this.index.byId.values()].filter((s) => s.dirty);
    await this.conn.run('BEGIN TRANSACTION');
    try {
      for (const [p, rows] of byPartition) {
        await this.partitions.ensure(this.conn, p);
        const app = await this.conn.createAppender(this.partitions.table(p));
        let bytes = 0;
        for (const { id, e } of rows) {
          app.appendInteger(id);
          app.appendBigInt(e.tsNs);
          app.appendVarchar(e.line);
          if (e.metadata.length === 0) app.appendNull();
          else app.appendVarchar(JSON.stringify(e.metadata.map((m) => [m.name, m.value])));
          app.endRow();
          bytes += entryBytes(e);
        }
        app.closeSync();
        await this.partitions.addUsage(this.conn, p, rows.length, bytes);
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
      throw e;
    }
    for (const s of dirty) s.dirty = false;
    this.flushingSnap = undefined;
  }

  allStreams(tenant: string, matchers: readonly LabelMatcher[]): StoredStream[] {
    return this.index.match(tenant, matchers).filter((s) => s.entries > 0);
  }

  series(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint): Promise<StoredStream[]> {
    // Like Loki's index: a stream counts when its time span overlaps the range.
    return Promise.resolve(this.index.match(tenant, matchers).filter((s) => s.entries > 0 && s.minTs < endNs && s.maxTs >= startNs));
  }

  async select(req: SelectRequest): Promise<StreamEntries[]> {
    const streams = this.index.match(req.tenant, req.matchers).filter((s) => s.entries > 0 && s.minTs < req.endNs && s.maxTs >= req.startNs);
    if (streams.length === 0) return [];
    const must = req.mustContain ?? [];
    const keep = (e: LogEntry): boolean => e.tsNs >= req.startNs && e.tsNs < req.endNs && must.every((m) => e.line.includes(m));
    return this.mutex.run(async () => {
      const out = new Map<number, LogEntry[]>();
      const add = (id: number, e: LogEntry): void => {
        let l = out.get(id);
        if (!l) out.set(id, (l = []));
        l.push(e);
      };
      let scanned = 0;
      for (const p of this.partitions.overlapping(req.startNs, req.endNs)) {
        const conds = [`stream_id IN (${streams.map((s) => s.id).join(',')})`, `ts >= ${req.startNs}`, `ts < ${req.endNs}`];
        must.forEach((_, i) => conds.push(`contains(line, $${i + 1})`));
        const reader = await this.conn.runAndReadAll(`SELECT stream_id, ts, line, meta FROM ${this.partitions.table(p)} WHERE ${conds.join(' AND ')} ORDER BY stream_id, ts`, [...must]);
        const cols = reader.getColumns();
        const ids = (cols[0] ?? []) as number[];
        const tss = (cols[1] ?? []) as bigint[];
        const lines = (cols[2] ?? []) as string[];
        const metas = (cols[3] ?? []) as Array<string | null>;
        scanned += ids.length;
        if (scanned > this.options.limits.maxEntriesPerQuery) throw tooMany(this.options.limits.maxEntriesPerQuery);
        for (let i = 0; i < ids.length; i++) add(ids[i]!, { tsNs: tss[i]!, line: lines[i]!, metadata: parseMeta(metas[i] ?? null) });
      }
      for (const snapEntry of this.flushingSnap ?? []) for (const e of snapEntry.entries) if (keep(e)) add(snapEntry.stream.id, e);
      for (const s of streams) for (const e of s.head) if (keep(e)) add(s.id, e);
      const result: StreamEntries[] = [];
      for (const s of streams) {
        const entries = out.get(s.id);
        if (!entries) continue;
        entries.sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
        result.push({ stream: s, entries });
      }
      return result;
    });
  }

  async stats(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint): Promise<StreamStats> {
    const sel = await this.select({ tenant, matchers, startNs, endNs });
    let entries = 0;
    let bytes = 0;
    for (const s of sel) for (const e of s.entries) {
      entries++;
      bytes += entryBytes(e);
    }
    return { streams: sel.length, chunks: sel.length, bytes, entries };
  }

  async volume(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint, stepNs?: bigint): Promise<Array<{ stream: StoredStream; bucketNs: bigint; bytes: number; entries: number }>> {
    const sel = await this.select({ tenant, matchers, startNs, endNs });
    const out: Array<{ stream: StoredStream; bucketNs: bigint; bytes: number; entries: number }> = [];
    for (const s of sel) {
      const buckets = new Map<bigint, { bytes: number; entries: number }>();
      for (const e of s.entries) {
        const b = stepNs ? startNs + ((e.tsNs - startNs) / stepNs) * stepNs : startNs;
        const v = buckets.get(b) ?? { bytes: 0, entries: 0 };
        v.bytes += entryBytes(e);
        v.entries++;
        buckets.set(b, v);
      }
      for (const [bucketNs, v] of buckets) out.push({ stream: s.stream, bucketNs, ...v });
    }
    return out;
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

function parseMeta(text: string | null): Labels {
  if (text === null) return [];
  return (JSON.parse(text) as Array<[string, string]>).map(([name, value]) => ({ name, value }));
}

function tooMany(limit: number): IchigenError {
  return new IchigenError('TOO_MANY_SAMPLES', `the query would read more than ${limit} entries; narrow the selector or the time range`);
}
