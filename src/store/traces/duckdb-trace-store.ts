import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { compileAnchoredRe2, IchigenError } from '../../model/index.js';
import { decodeOtlpRequest, encodeTracesProto, type OtlpRawBody, type OtlpResource, type OtlpScope, type OtlpTraces } from '../../receive/otlp/index.js';
import type { Logger } from '../../self/index.js';
import { Wal } from '../wal/index.js';
import { buildBloom, FlushIndex, TokenBloomBuilder, type Flush } from './flush-index.js';
import { SpanCatalog } from './span-catalog.js';
import { SpanChunkWriter } from './span-chunk.js';
import { SpanHead, type HeadSpan } from './span-head.js';
import { flushMayMatch, spanMatches, type SpanPredicate } from './span-predicate.js';
import { dedupeSpans, spanFromHead, spanFromRow, toHeadSpan, toHeadSpans, toI64 } from './span-rows.js';
import { dayOf, dayOfTable, dayRange, predicateSql, READ_COLUMNS, SPAN_COLUMNS, SqlParams, tableOfDay, traceIdLiteral } from './span-sql.js';
import { decodeStoredSpan, type StoredSpan } from './stored-span.js';
import type { NsRange, TraceCandidatesOptions, TraceStore } from './trace-store.js';
import { TraceRetention } from './trace-retention.js';

export interface DuckDbTraceStoreOptions {
  /** Directory for traces.duckdb and the write-ahead log. */
  readonly dir: string;
  readonly log: Logger;
  /** Spans older than this (by end time) are deleted; 0 keeps them forever. */
  readonly retentionMs: number;
  /** Oldest spans are deleted while the stored data is larger; 0: no limit. */
  readonly maxBytes: number;
  /** Flush the in-memory head to DuckDB this often (ms). */
  readonly flushIntervalMs: number;
  /** ... or once the head holds this many spans. */
  readonly maxHeadSpans: number;
  readonly duckdbMemoryLimit: string;
  readonly duckdbThreads: number;
  /** Refuse appends (429) while this many bytes wait for the log. */
  readonly maxPendingWalBytes?: number;
  /** How often retention runs (ms); default a minute. */
  readonly retentionIntervalMs?: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

/** A tiny mutex: one statement at a time per DuckDB connection. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * A log record: `FF FF`, tenant (u16 length + UTF-8), encoding (0 protobuf, 1 JSON), then the
 * request body as it arrived (no second encoding on the hot path). Records of the first
 * format (tenant, then a protobuf TracesData) start with the tenant length, never FF FF.
 */
function encodeWalRecord(tenant: string, traces: OtlpTraces, raw?: OtlpRawBody): Buffer[] {
  const t = Buffer.from(tenant, 'utf8');
  const head = Buffer.allocUnsafe(5);
  head.writeUInt16LE(0xffff, 0);
  head.writeUInt16LE(t.length, 2);
  head[4] = raw?.encoding === 'json' ? 1 : 0;
  return [head.subarray(0, 4), t, head.subarray(4, 5), raw?.body ?? encodeTracesProto(traces)];
}

function decodeWalRecord(buf: Buffer): { tenant: string; traces: OtlpTraces } {
  if (buf.readUInt16LE(0) !== 0xffff) {
    const n = buf.readUInt16LE(0);
    return { tenant: buf.subarray(2, 2 + n).toString('utf8'), traces: decodeOtlpRequest('traces', buf.subarray(2 + n), 'protobuf') };
  }
  const n = buf.readUInt16LE(2);
  const tenant = buf.subarray(4, 4 + n).toString('utf8');
  const encoding = buf[4 + n] === 1 ? 'json' : 'protobuf';
  return { tenant, traces: decodeOtlpRequest('traces', buf.subarray(5 + n), encoding) };
}

const regexCache = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let r = regexCache.get(pattern);
  if (r === undefined) {
    r = compileAnchoredRe2(pattern);
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(pattern, r);
  }
  return r;
}

const BATCH = 500;
const NO_RESOURCE: OtlpResource = { attributes: [], droppedAttributesCount: 0 };

/**
 * Embedded trace store. Appends go to the write-ahead log (group commit: acknowledged once
 * fsynced) and into an in-memory head; the head is flushed to DuckDB in bulk, one table per
 * UTC day, each flush in start-time order with its flush number and a Bloom filter of its
 * trace ids (FlushIndex), after which the log segments it covered are dropped.
 * Span rows keep the searchable parts as columns (service, name, kind, status, times, a text
 * form of the attributes) and the rest in a compact binary payload; resources and scopes are
 * stored once. Trace by id needs no time range: it reads only the flushes that hold the trace.
 * Search reads candidate traces newest time slice first with its predicate pushed into SQL.
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
  readonly resources = new SpanCatalog<OtlpResource>('resource');
  readonly scopes = new SpanCatalog<OtlpScope>('scope');
  /** Days that have a span table. */
  private readonly days = new Set<number>();
  private readonly flushIndex = new FlushIndex();
  private readonly retention: TraceRetention;

  constructor(private readonly options: DuckDbTraceStoreOptions) {
    this.retention = new TraceRetention({
      retentionMs: options.retentionMs,
      maxBytes: options.maxBytes,
      now: options.now ?? Date.now,
      days: this.days,
      write: (fn) => this.writeSerial.run(() => fn(this.writer!)),
      onDropDay: (day) => this.flushIndex.dropDay(day),
      log: options.log,
    });
  }

  async open(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    this.instance = await DuckDBInstance.create(path.join(this.options.dir, 'traces.duckdb'), {
      memory_limit: this.options.duckdbMemoryLimit,
      threads: String(this.options.duckdbThreads),
    });
    this.writer = await this.instance.connect();
    this.reader = await this.instance.connect();
    await this.writer.run('CREATE TABLE IF NOT EXISTS span_resources (id UBIGINT NOT NULL, payload BLOB NOT NULL)');
    await this.writer.run('CREATE TABLE IF NOT EXISTS span_scopes (id UBIGINT NOT NULL, payload BLOB NOT NULL)');
    await this.writer.run(
      'CREATE TABLE IF NOT EXISTS span_flushes (day INTEGER NOT NULL, flush_no UINTEGER NOT NULL, min_start BIGINT NOT NULL, max_start BIGINT NOT NULL, rows UBIGINT NOT NULL, bloom BLOB NOT NULL)',
    );
    // Flushes written before the attribute token filter have none (NULL): never skipped.
    // (the same for the shortest and longest span's duration).
    await this.writer.run('ALTER TABLE span_flushes ADD COLUMN IF NOT EXISTS tokens BLOB');
    await this.writer.run('ALTER TABLE span_flushes ADD COLUMN IF NOT EXISTS min_duration BIGINT');
    await this.writer.run('ALTER TABLE span_flushes ADD COLUMN IF NOT EXISTS max_duration BIGINT');
    // `tokens` held the attribute filter with an earlier hash (2026-12-07, never read now: its
    // flushes are simply always read); `token_filter` holds it with the current one.
    await this.writer.run('ALTER TABLE span_flushes ADD COLUMN IF NOT EXISTS token_filter BLOB');
    for (const r of (await this.writer.runAndReadAll('SELECT day, flush_no, min_start, max_start, rows, bloom, token_filter, min_duration, max_duration FROM span_flushes')).getRows()) {
      this.flushIndex.add({
        day: Number(r[0]),
        no: Number(r[1]),
        minStart: r[2] as bigint,
        maxStart: r[3] as bigint,
        rows: Number(r[4] as bigint),
        bloom: (r[5] as { bytes: Uint8Array }).bytes,
        ...(r[6] === null ? {} : { tokens: (r[6] as { bytes: Uint8Array }).bytes }),
        ...(r[7] === null || r[8] === null ? {} : { minDurationNs: r[7] as bigint, maxDurationNs: r[8] as bigint }),
      });
    }
    for (const r of (await this.writer.runAndReadAll('SELECT id, payload FROM span_resources')).getRows()) this.resources.load(r[0] as bigint, (r[1] as { bytes: Uint8Array }).bytes);
    for (const r of (await this.writer.runAndReadAll('SELECT id, payload FROM span_scopes')).getRows()) this.scopes.load(r[0] as bigint, (r[1] as { bytes: Uint8Array }).bytes);
    const tables = (await this.writer.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'`)).getRows().map((r) => r[0] as string);
    const numbered = new Set((await this.writer.runAndReadAll(`SELECT table_name FROM duckdb_columns() WHERE column_name = 'flush_no'`)).getRows().map((r) => r[0] as string));
    for (const t of tables) {
      const d = dayOfTable(t);
      if (d === undefined) continue;
      this.days.add(d);
      // Tables from before flush numbers: their rows get 0, which every lookup reads.
      if (!numbered.has(t)) await this.writer.run(`ALTER TABLE ${t} ADD COLUMN flush_no UINTEGER NOT NULL DEFAULT 0`);
    }
    if (tables.includes('spans')) await this.migrateV1();
    this.wal = await Wal.open({ dir: path.join(this.options.dir, 'wal') });
    const stats = await this.wal.replay((payload) => {
      const { tenant, traces } = decodeWalRecord(payload);
      this.head.add(tenant, toHeadSpans(traces, this.resources, this.scopes));
    });
    if (stats.records > 0) this.options.log.info({ records: stats.records, spans: this.head.count }, 'trace store: replayed the write-ahead log');
    this.timer = setInterval(() => void this.flush().catch((err: unknown) => this.options.log.error({ err }, 'trace store flush failed')), this.options.flushIntervalMs);
    this.timer.unref();
    this.retentionTimer = setInterval(() => void this.applyRetention().catch((err: unknown) => this.options.log.error({ err }, 'trace retention failed')), this.options.retentionIntervalMs ?? 60_000);
    this.retentionTimer.unref();
  }

  /** The first layout kept whole OTLP spans in one `spans` table: move them into day tables once. */
  private async migrateV1(): Promise<void> {
    const w = this.writer!;
    const total = Number((await w.runAndReadAll('SELECT count(*) FROM spans')).getRows()[0]![0] as bigint);
    for (let off = 0; off < total; off += 50_000) {
      const head = new SpanHead();
      const rows = (await w.runAndReadAll(`SELECT tenant, payload FROM spans ORDER BY rowid LIMIT 50000 OFFSET ${off}`)).getRows();
      for (const r of rows) head.add(r[0] as string, this.toHead([decodeStoredSpan((r[1] as { bytes: Uint8Array }).bytes)]));
      await this.writeHead(head);
    }
    await w.run('DROP TABLE spans');
    this.options.log.info({ spans: total }, 'trace store: moved spans into the day-partitioned layout');
  }

  async append(tenant: string, traces: OtlpTraces, raw?: OtlpRawBody): Promise<{ rejected: number; message?: string }> {
    const wal = this.wal;
    if (wal === undefined || this.closed) throw new IchigenError('UNAVAILABLE', 'the trace store is not open', { retryAfterSeconds: 5 });
    if (wal.pendingBytes > (this.options.maxPendingWalBytes ?? 256 * 1024 * 1024) || this.head.count > this.options.maxHeadSpans * 4) {
      throw new IchigenError('RATE_LIMITED', 'the trace store is behind on writing: retry later', { retryAfterSeconds: 2 });
    }
    const spans = toHeadSpans(traces, this.resources, this.scopes);
    if (spans.length === 0) return { rejected: 0 };
    await wal.append(encodeWalRecord(tenant, traces, raw), () => this.head.add(tenant, spans));
    if (this.head.count >= this.options.maxHeadSpans) void this.flush().catch((err: unknown) => this.options.log.error({ err }, 'trace store flush failed'));
    return { rejected: 0 };
  }

  private toHead(spans: readonly StoredSpan[]): HeadSpan[] {
    return spans.map((s) => toHeadSpan(s, this.resources, this.scopes));
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
    await this.writeHead(head);
    this.flushing.splice(this.flushing.indexOf(head), 1);
    await wal.truncateBefore(lsn);
  }

  /** Writes a head: new resources and scopes first, then each day's spans by tenant and start time. */
  private async writeHead(head: SpanHead): Promise<void> {
    const byDay = new Map<number, Array<{ tenant: string; spans: readonly HeadSpan[] }>>();
    // Each day's spans in start order (per tenant): a search's time slice then reads only the
    // rows of its time, and FlushIndex finds a trace's flush without sorting by id.
    const tenants = [...head.tenants()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [tenant, traces] of tenants) {
      const perDay = new Map<number, HeadSpan[]>();
      for (const spans of traces.values()) {
        for (const s of spans) {
          const day = dayOf(s.startNs);
          const l = perDay.get(day);
          if (l) l.push(s);
          else perDay.set(day, [s]);
        }
      }
      for (const [day, daySpans] of perDay) {
        daySpans.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
        let list = byDay.get(day);
        if (!list) byDay.set(day, (list = []));
        list.push({ tenant, spans: daySpans });
      }
    }
    const resources = this.resources.takePending();
    const scopes = this.scopes.takePending();
    try {
      await this.writeCatalogsAndSpans(resources, scopes, byDay);
    } catch (e) {
      // Written again with the next flush (the log still holds these spans).
      this.resources.restore(resources);
      this.scopes.restore(scopes);
      throw e;
    }
  }

  private async writeCatalogsAndSpans(
    resources: ReadonlyArray<{ id: bigint; payload: Buffer }>,
    scopes: ReadonlyArray<{ id: bigint; payload: Buffer }>,
    byDay: ReadonlyMap<number, ReadonlyArray<{ tenant: string; spans: readonly HeadSpan[] }>>,
  ): Promise<void> {
    const flushNo = this.flushIndex.allocate();
    const flushes: Array<Omit<Flush, 'tokens'>> = [];
    for (const [day, groups] of byDay) {
      const ids = new Set<string>();
      let minStart: bigint | undefined;
      let maxStart = 0n;
      let minDur: bigint | undefined;
      let maxDur: bigint | undefined;
      let rows = 0;
      for (const g of groups) {
        for (const s of g.spans) {
          ids.add(s.traceId);
          const st = s.startNs;
          if (minStart === undefined || st < minStart) minStart = st;
          if (st > maxStart) maxStart = st;
          // As the row stores it (end_ns - start_ns in SQL).
          const d = toI64(s.endNs) - toI64(st);
          if (minDur === undefined || d < minDur) minDur = d;
          if (maxDur === undefined || d > maxDur) maxDur = d;
          rows++;
        }
      }
      flushes.push({ day, no: flushNo, bloom: buildBloom(ids, ids.size), minStart: minStart ?? 0n, maxStart, rows, minDurationNs: minDur ?? 0n, maxDurationNs: maxDur ?? 0n });
    }
    await this.writeSerial.run(async () => {
      const w = this.writer!;
      for (const [table, rows] of [['span_resources', resources], ['span_scopes', scopes]] as const) {
        if (rows.length === 0) continue;
        const a = await w.createAppender(table);
        for (const r of rows) {
          a.appendUBigInt(r.id);
          a.appendBlob(r.payload);
          a.endRow();
        }
        a.closeSync();
      }
      const tokens = new Map<number, Buffer>();
      for (const [day, groups] of byDay) {
        const table = tableOfDay(day);
        if (!this.days.has(day)) {
          await w.run(`CREATE TABLE IF NOT EXISTS ${table} (${SPAN_COLUMNS})`);
          this.days.add(day);
        }
        const a: DuckDBAppender = await w.createAppender(table);
        const t = new TokenBloomBuilder();
        const chunk = new SpanChunkWriter(a);
        for (const g of groups) {
          for (const s of g.spans) {
            chunk.add(g.tenant, s, flushNo);
            t.addText(s.attrs);
          }
        }
        chunk.write();
        a.closeSync();
        tokens.set(day, t.build());
      }
      // Written after the spans: a flush without its filter would be missed by lookups.
      const a = await w.createAppender('span_flushes');
      for (const f of flushes) {
        a.appendInteger(f.day);
        a.appendUInteger(f.no);
        a.appendBigInt(toI64(f.minStart));
        a.appendBigInt(toI64(f.maxStart));
        a.appendUBigInt(BigInt(f.rows));
        a.appendBlob(Buffer.from(f.bloom));
        a.appendNull();
        a.appendBigInt(f.minDurationNs!);
        a.appendBigInt(f.maxDurationNs!);
        a.appendBlob(tokens.get(f.day)!);
        a.endRow();
      }
      a.closeSync();
      for (const f of flushes) this.flushIndex.add({ ...f, tokens: tokens.get(f.day) });
    });
  }

  private heads(): SpanHead[] {
    return [this.head, ...this.flushing];
  }

  private query(sql: string, params: DuckDBValue[]): Promise<DuckDBValue[][]> {
    return this.readSerial.run(async () => (await this.reader!.runAndReadAll(sql, params)).getRows());
  }

  /** Day tables overlapping a window (all of them without one), newest first. */
  private tables(range?: NsRange): string[] {
    const lo = range === undefined ? -Infinity : dayOf(range.startNs);
    const hi = range === undefined ? Infinity : dayOf(range.endNs);
    return [...this.days].filter((d) => d >= lo && d <= hi).sort((a, b) => b - a).map(tableOfDay);
  }

  async getTrace(tenant: string, traceId: string, range?: NsRange): Promise<StoredSpan[]> {
    const spans = (await this.getTraces(tenant, [traceId])).get(traceId) ?? [];
    if (range !== undefined && spans.length > 0 && !overlaps(spans, range)) return [];
    return spans;
  }

  async getTraces(tenant: string, traceIds: readonly string[]): Promise<Map<string, StoredSpan[]>> {
    // Heads are taken before DuckDB is read: a flush finishing in between moves spans from a
    // head into DuckDB, and this order sees them in at least one of the two.
    const heads = this.heads();
    const byTrace = new Map<string, StoredSpan[]>();
    const days = [...this.days].sort((a, b) => b - a);
    for (let i = 0; i < traceIds.length && days.length > 0; i += BATCH) {
      const batch = traceIds.slice(i, i + BATCH);
      const ids = batch.map(traceIdLiteral).join(', ');
      const sql = days
        .map((d) => `SELECT ${READ_COLUMNS} FROM ${tableOfDay(d)} WHERE flush_no IN (${this.flushIndex.flushesFor(d, batch).join(', ')}) AND tenant = $1 AND trace_id IN (${ids})`)
        .join(' UNION ALL ');
      for (const r of await this.query(sql, [tenant])) {
        const s = spanFromRow(r, this.resources, this.scopes);
        let list = byTrace.get(s.span.traceId);
        if (!list) byTrace.set(s.span.traceId, (list = []));
        list.push(s);
      }
    }
    for (const h of heads) {
      for (const id of traceIds) {
        const spans = h.trace(tenant, id);
        if (spans.length === 0) continue;
        let list = byTrace.get(id);
        if (!list) byTrace.set(id, (list = []));
        for (const s of spans) list.push(spanFromHead(s, this.resources, this.scopes));
      }
    }
    for (const [id, spans] of byTrace) byTrace.set(id, dedupeSpans(spans));
    return byTrace;
  }

  async *candidates(tenant: string, o: TraceCandidatesOptions): AsyncGenerator<string[]> {
    const lo = o.range.startNs - (o.slackNs ?? 0n);
    const top = o.range.endNs + (o.slackNs ?? 0n);
    const seen = new Set<string>();
    const fresh = (ids: Iterable<string>): string[] => {
      const out: string[] = [];
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(id);
      }
      return out;
    };
    // Newest first: what is still in memory, then DuckDB in time slices that double in length.
    const inMemory = new Map<string, bigint>();
    for (const h of this.heads()) {
      for (const [id, spans] of h.tracesOf(tenant)) {
        for (const s of spans) {
          const st = s.startNs;
          if (st < lo || st > top || !spanMatches(o.where, s, this.resources.get(s.resourceId)?.value ?? NO_RESOURCE, regex)) continue;
          if ((inMemory.get(id) ?? -1n) < st) inMemory.set(id, st);
        }
      }
    }
    // Small batches first: a search that needs 20 traces should not read 500.
    let size = 50;
    const batches = function* (ids: string[]): Generator<string[]> {
      for (let i = 0; i < ids.length; ) {
        yield ids.slice(i, i + size);
        i += size;
        size = Math.min(BATCH, size * 4);
      }
    };
    const memIds = fresh([...inMemory.entries()].sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : 0)).map((e) => e[0]));
    yield* batches(memIds);
    if (o.where.kind === 'false') return;
    const params = new SqlParams([tenant]);
    const where = predicateSql(o.where, params, (test) => this.resources.matching(test));
    const a = params.add(lo);
    const b = params.add(top);
    const sliceSql = (parts: Array<{ table: string; flushes: string }>): string =>
      `SELECT trace_id, max(start_ns) AS m FROM (${parts
        .map((p) => `SELECT trace_id, start_ns FROM ${p.table} WHERE flush_no IN (${p.flushes}) AND tenant = $1 AND start_ns >= ${a} AND start_ns <= ${b} AND ${where}`)
        .join(' UNION ALL ')}) GROUP BY trace_id ORDER BY m DESC`;
    // Slices of whole flushes, newest first, each about four times the last (in rows).
    // Flushes whose attribute token filter or span durations rule the predicate out are not read at all.
    const flushes = this.flushIndex.overlapping(lo, top, (f) => flushMayMatch(o.where, f));
    let target = 20_000;
    for (let i = 0; i < flushes.length; target *= 4) {
      const byDay = new Map<number, number[]>();
      for (let rows = 0; i < flushes.length && rows < target; i++) {
        const f = flushes[i]!;
        rows += f.rows;
        const l = byDay.get(f.day);
        if (l) l.push(f.no);
        else byDay.set(f.day, [f.no]);
      }
      const parts = [...byDay].filter(([day]) => this.days.has(day)).map(([day, nos]) => ({ table: tableOfDay(day), flushes: nos.join(', ') }));
      if (parts.length === 0) continue;
      yield* batches(fresh((await this.query(sliceSql(parts), params.values)).map((r) => (r[0] as bigint).toString(16).padStart(32, '0'))));
    }
    // Rows written before flushes were numbered (flush 0), if any: DuckDB's min/max on
    // flush_no skips this read where there are none.
    const legacy = this.tables({ startNs: lo, endNs: top }).map((t) => ({ table: t, flushes: '0' }));
    if (legacy.length > 0) yield* batches(fresh((await this.query(sliceSql(legacy), params.values)).map((r) => (r[0] as bigint).toString(16).padStart(32, '0'))));
  }

  async spanCount(): Promise<number> {
    const heads = this.heads();
    const tables = this.tables();
    let n = 0;
    if (tables.length > 0) {
      const rows = await this.query(`SELECT sum(c) FROM (${tables.map((t) => `SELECT count(*) AS c FROM ${t}`).join(' UNION ALL ')})`, []);
      n = Number(rows[0]![0] as bigint);
    }
    for (const h of heads) n += h.count;
    return n;
  }

  /** Deletes spans past the retention time, then the oldest while the data is too large. */
  async applyRetention(): Promise<void> {
    if (this.writer === undefined || this.closed) return;
    await this.retention.apply();
  }

  /** Bytes of DuckDB blocks in use after a checkpoint (what size retention compares with traces.max_bytes). */
  usedBytes(): Promise<number> {
    return this.writeSerial.run(async () => {
      await this.writer!.run('CHECKPOINT');
      return this.retention.usedBytes(this.writer!);
    });
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

function overlaps(spans: readonly StoredSpan[], r: NsRange): boolean {
  let min = spans[0]!.span.startTimeUnixNano;
  let max = spans[0]!.span.endTimeUnixNano;
  for (const s of spans) {
    if (s.span.startTimeUnixNano < min) min = s.span.startTimeUnixNano;
    if (s.span.endTimeUnixNano > max) max = s.span.endTimeUnixNano;
  }
  return min <= r.endNs && max >= r.startNs;
}

export { dayRange };
export type { SpanPredicate };
