import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { IchigenError } from '../../model/index.js';
import { decodeOtlpRequest, encodeTracesProto, getAttribute, type OtlpTraces } from '../../receive/otlp/index.js';
import type { Logger } from '../../self/index.js';
import { Wal } from '../wal/index.js';
import { SpanHead } from './span-head.js';
import { decodeStoredSpan, encodeStoredSpan, flattenTraces, type StoredSpan } from './stored-span.js';
import type { NsRange, TraceCandidatesOptions, TraceStore } from './trace-store.js';

export interface DuckDbTraceStoreOptions {
  /** Directory for traces.duckdb and the write-ahead log. */
  readonly dir: string;
  readonly log: Logger;
  /** Spans older than this (by end time) are deleted; 0 keeps them forever. */
  readonly retentionMs: number;
  /** Oldest spans are deleted while the database file is larger; 0: no limit. */
  readonly maxBytes: number;
  /** Flush the in-memory head to DuckDB this often (ms). */
  readonly flushIntervalMs: number;
  /** ... or once the head holds this many spans. */
  readonly maxHeadSpans: number;
  readonly duckdbMemoryLimit: string;
  readonly duckdbThreads: number;
  /** Refuse appends (429) while this many bytes wait for the log. */
  readonly maxPendingWalBytes?: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

const MAX_I64 = (1n << 63n) - 1n;
const toI64 = (v: bigint): bigint => (v > MAX_I64 ? MAX_I64 : v);

/** A tiny mutex: one statement at a time per DuckDB connection. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

function encodeWalRecord(tenant: string, traces: OtlpTraces): Buffer[] {
  const t = Buffer.from(tenant, 'utf8');
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16LE(t.length, 0);
  return [head, t, encodeTracesProto(traces)];
}

function decodeWalRecord(buf: Buffer): { tenant: string; traces: OtlpTraces } {
  const n = buf.readUInt16LE(0);
  const tenant = buf.subarray(2, 2 + n).toString('utf8');
  return { tenant, traces: decodeOtlpRequest('traces', buf.subarray(2 + n), 'protobuf') };
}

function serviceOf(s: StoredSpan): string {
  const v = getAttribute(s.resource.attributes, 'service.name');
  return v?.type === 'string' ? v.value : '';
}

/**
 * Embedded trace store. Appends go to the write-ahead log (group commit: acknowledged once
 * fsynced) and into an in-memory head; the head is flushed to DuckDB in bulk with the
 * Appender, after which the log segments it covered are dropped. Reads merge DuckDB with
 * the heads. Trace by id needs no time range: it is one filtered scan over trace_id.
 */
export class DuckDbTraceStore implements TraceStore {
  private instance: DuckDBInstance | undefined;
  private writer: DuckDBConnection | undefined;
  private reader: DuckDBConnection | undefined;
  private readonly writeSerial = new Serial();
  private readonly readSerial = new Serial();
  private wal: Wal | undefined;
  private head = new SpanHead();
  private readonly flushing: SpanHead[] = [];
  private flushChain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: DuckDbTraceStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async open(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    this.instance = await DuckDBInstance.create(path.join(this.options.dir, 'traces.duckdb'), {
      memory_limit: this.options.duckdbMemoryLimit,
      threads: String(this.options.duckdbThreads),
    });
    this.writer = await this.instance.connect();
    this.reader = await this.instance.connect();
    await this.writer.run(
      `CREATE TABLE IF NOT EXISTS spans (tenant VARCHAR NOT NULL, trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL,
        start_ns BIGINT NOT NULL, end_ns BIGINT NOT NULL, service VARCHAR NOT NULL, name VARCHAR NOT NULL, payload BLOB NOT NULL)`,
    );
    this.wal = await Wal.open({ dir: path.join(this.options.dir, 'wal') });
    const stats = await this.wal.replay((payload) => {
      const { tenant, traces } = decodeWalRecord(payload);
      this.head.add(tenant, flattenTraces(traces));
    });
    if (stats.records > 0) this.options.log.info({ records: stats.records, spans: this.head.count }, 'trace store: replayed the write-ahead log');
    this.timer = setInterval(() => void this.flush().catch((err: unknown) => this.options.log.error({ err }, 'trace store flush failed')), this.options.flushIntervalMs);
    this.timer.unref();
    this.retentionTimer = setInterval(() => void this.applyRetention().catch((err: unknown) => this.options.log.error({ err }, 'trace retention failed')), 60_000);
    this.retentionTimer.unref();
  }

  async append(tenant: string, traces: OtlpTraces): Promise<{ rejected: number; message?: string }> {
    const wal = this.wal;
    if (wal === undefined || this.closed) throw new IchigenError('UNAVAILABLE', 'the trace store is not open', { retryAfterSeconds: 5 });
    if (wal.pendingBytes > (this.options.maxPendingWalBytes ?? 256 * 1024 * 1024)) {
      throw new IchigenError('RATE_LIMITED', 'the trace store is behind on writing: retry later', { retryAfterSeconds: 2 });
    }
    const spans = flattenTraces(traces);
    if (spans.length === 0) return { rejected: 0 };
    await wal.append(encodeWalRecord(tenant, traces), () => this.head.add(tenant, spans));
    if (this.head.count >= this.options.maxHeadSpans) void this.flush().catch((err: unknown) => this.options.log.error({ err }, 'trace store flush failed'));
    return { rejected: 0 };
  }

  /** Moves the head into DuckDB (one flush at a time). */
  flush(): Promise<void> {
    this.flushChain = this.flushChain.then(() => this.flushOnce());
    return this.flushChain;
  }

  private async flushOnce(): Promise<void> {
    const wal = this.wal;
    if (wal === undefined || this.head.count === 0) return;
    const { lsn, value: head } = await wal.rotate(() => {
      const h = this.head;
      this.head = new SpanHead();
      this.flushing.push(h);
      return h;
    });
    await this.writeSerial.run(async () => {
      const appender = await this.writer!.createAppender('spans');
      for (const [tenant, traces] of head.tenants()) {
        for (const [traceId, spans] of traces) {
          this.forget(tenant, traceId);
          for (const s of spans) {
            appender.appendVarchar(tenant);
            appender.appendVarchar(traceId);
            appender.appendVarchar(s.span.spanId);
            appender.appendBigInt(toI64(s.span.startTimeUnixNano));
            appender.appendBigInt(toI64(s.span.endTimeUnixNano));
            appender.appendVarchar(serviceOf(s));
            appender.appendVarchar(s.span.name);
            appender.appendBlob(encodeStoredSpan(s));
            appender.endRow();
          }
        }
      }
      appender.closeSync();
      this.flushGeneration++;
      for (const [tenant, traces] of head.tenants()) for (const traceId of traces.keys()) this.forget(tenant, traceId);
    });
    this.flushing.splice(this.flushing.indexOf(head), 1);
    await wal.truncateBefore(lsn);
  }

  /**
   * Decoded spans of traces already in DuckDB (search reads whole traces; decoding is most of
   * its cost). A flush that adds spans to a trace drops its entry; retention clears it all.
   */
  private readonly cache = new Map<string, readonly StoredSpan[]>();
  private cachedSpans = 0;
  private flushGeneration = 0;
  private static readonly CACHE_MAX_SPANS = 300_000;

  private remember(tenant: string, traceId: string, spans: readonly StoredSpan[]): void {
    if (this.cachedSpans + spans.length > DuckDbTraceStore.CACHE_MAX_SPANS) {
      this.cache.clear();
      this.cachedSpans = 0;
    }
    this.cache.set(`${tenant}\u0000${traceId}`, spans);
    this.cachedSpans += spans.length;
  }

  private forget(tenant: string, traceId: string): void {
    const k = `${tenant}\u0000${traceId}`;
    const had = this.cache.get(k);
    if (had) {
      this.cachedSpans -= had.length;
      this.cache.delete(k);
    }
  }

  private heads(): SpanHead[] {
    return [this.head, ...this.flushing];
  }

  private async query(sql: string, params: DuckDBValue[]): Promise<DuckDBValue[][]> {
    return this.readSerial.run(async () => (await this.reader!.runAndReadAll(sql, params)).getRows());
  }

  async getTrace(tenant: string, traceId: string, range?: NsRange): Promise<StoredSpan[]> {
    // Heads are taken before DuckDB is read: a flush finishing in between moves spans from a
    // head into DuckDB, and this order sees them in at least one of the two.
    const heads = this.heads();
    const rows = await this.query('SELECT payload FROM spans WHERE tenant = $1 AND trace_id = $2', [tenant, traceId]);
    const spans: StoredSpan[] = rows.map((r) => decodeStoredSpan((r[0] as { bytes: Uint8Array }).bytes));
    for (const h of heads) spans.push(...h.trace(tenant, traceId));
    const out = dedupe(spans);
    if (range !== undefined && out.length > 0 && !overlaps(out, range)) return [];
    return out;
  }

  async traces(tenant: string, o: TraceCandidatesOptions): Promise<Map<string, StoredSpan[]>> {
    const heads = this.heads(); // before the DuckDB read (see getTrace)
    const generation = this.flushGeneration;
    const params: DuckDBValue[] = [tenant, toI64(o.range.endNs), toI64(o.range.startNs), o.maxTraces];
    let serviceFilter = '';
    if (o.anyServiceName !== undefined && o.anyServiceName.length > 0) {
      serviceFilter = ` AND service IN (${o.anyServiceName.map((_s, i) => `$${i + 5}`).join(', ')})`;
      params.push(...o.anyServiceName);
    }
    const idRows = await this.query(
      `SELECT trace_id FROM spans WHERE tenant = $1 AND start_ns <= $2 AND end_ns >= $3${serviceFilter}
         GROUP BY trace_id ORDER BY max(end_ns) DESC LIMIT $4`,
      params,
    );
    const byTrace = new Map<string, StoredSpan[]>();
    const missing: string[] = [];
    for (const r of idRows) {
      const id = r[0] as string;
      const cached = this.cache.get(`${tenant}\u0000${id}`);
      if (cached) byTrace.set(id, [...cached]);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const rows = await this.query(
        `SELECT trace_id, payload FROM spans WHERE tenant = $1 AND trace_id IN (${chunk.map((_id, k) => `$${k + 2}`).join(', ')})`,
        [tenant, ...chunk],
      );
      const fetched = new Map<string, StoredSpan[]>();
      for (const r of rows) {
        const id = r[0] as string;
        let list = fetched.get(id);
        if (!list) fetched.set(id, (list = []));
        list.push(decodeStoredSpan((r[1] as { bytes: Uint8Array }).bytes));
      }
      for (const [id, list] of fetched) {
        // Only cache what no flush may have extended meanwhile.
        if (generation === this.flushGeneration) this.remember(tenant, id, list);
        byTrace.set(id, [...list]);
      }
    }
    const services = o.anyServiceName === undefined || o.anyServiceName.length === 0 ? undefined : new Set(o.anyServiceName);
    for (const h of heads) {
      for (const [id, spans] of h.tracesOf(tenant)) {
        const inWindow = spans.some((s) => s.span.startTimeUnixNano <= o.range.endNs && s.span.endTimeUnixNano >= o.range.startNs);
        const known = byTrace.get(id);
        if (known === undefined && !inWindow) continue;
        if (known === undefined && services !== undefined && !spans.some((s) => services.has(serviceOf(s)))) continue;
        if (known) known.push(...spans);
        else byTrace.set(id, [...spans]);
      }
    }
    // A trace partly in DuckDB and partly in the head: fetch the rest of it.
    const out = new Map<string, StoredSpan[]>();
    for (const [id, spans] of byTrace) out.set(id, dedupe(spans));
    return out;
  }

  async spanCount(): Promise<number> {
    const heads = this.heads();
    const rows = await this.query('SELECT count(*) FROM spans', []);
    let n = Number(rows[0]![0] as bigint);
    for (const h of heads) n += h.count;
    return n;
  }

  /** Deletes spans past the retention time, then the oldest while the file is too large. */
  async applyRetention(): Promise<void> {
    this.cache.clear();
    this.cachedSpans = 0;
    this.flushGeneration++;
    if (this.options.retentionMs > 0) {
      const cutoff = BigInt(this.now() - this.options.retentionMs) * 1_000_000n;
      await this.writeSerial.run(() => this.writer!.run('DELETE FROM spans WHERE end_ns < $1', [cutoff]));
    }
    if (this.options.maxBytes > 0) {
      for (let i = 0; i < 5; i++) {
        const size = (await stat(path.join(this.options.dir, 'traces.duckdb'))).size;
        if (size <= this.options.maxBytes) break;
        await this.writeSerial.run(async () => {
          await this.writer!.run('DELETE FROM spans WHERE start_ns <= (SELECT quantile_disc(start_ns, 0.2) FROM spans)');
          await this.writer!.run('CHECKPOINT');
        });
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearInterval(this.retentionTimer);
    await this.flushChain.catch(() => undefined);
    // Whatever is still in the head stays in the log and is replayed on the next start.
    await this.wal?.close();
    await this.writeSerial.run(async () => undefined);
    await this.readSerial.run(async () => undefined);
    this.writer?.closeSync();
    this.reader?.closeSync();
    this.instance?.closeSync();
  }
}

function dedupe(spans: StoredSpan[]): StoredSpan[] {
  const seen = new Set<string>();
  const out: StoredSpan[] = [];
  for (const s of spans) {
    const k = `${s.span.spanId}/${s.span.startTimeUnixNano}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out;
}

function overlaps(spans: readonly StoredSpan[], r: NsRange): boolean {
  let min = spans[0]!.span.startTimeUnixNano;
  let max = spans[0]!.span.endTimeUnixNano;
  for (const s of spans) {
    if (s.span.startTimeUnixNano < min) min = s.span.startTimeUnixNano;
    if (s.span.endTimeUnixNano > max) max = s.span.endTimeUnixNano;
  }
  return min <= r.endNs && max >= r.startNs;
}
