import path from 'node:path';
import { mkdirSync } from 'node:fs';
import {
  IchigenError,
  formatLabels,
  internLabel,
  type Exemplar,
  type Label,
  type Labels,
  type MetricMetadata,
} from '../../../model/index.js';
import { Wal } from '../../wal/index.js';
import { PartialWriteError, type AppendResult, type MetricBatch, type MetricQuerier, type MetricStore } from '../metric-store.js';
import { closeMetricDuck, openMetricDuck, vacuumMetricDuck, type MetricDuck } from './duck-tables.js';
import type { CompactionStats } from './compactor.js';
import { EmbeddedQuerier } from './embedded-querier.js';
import { Flusher } from './flusher.js';
import { HeadBlocks } from './head-blocks.js';
import { MemSeries, Scratch } from './mem-series.js';
import { seriesColumns } from './series-columns.js';
import type { EmbeddedMetricStoreOptions } from './options.js';
import { TenantHead } from './tenant-head.js';
import { SampleBuffer } from './sample-buffer.js';
import { exemplarsProblem, filterSamples, labelsProblem, valueBits, type FilterContext } from './sample-filter.js';
import { decodeRecord, encodeEntriesRecord, encodeMetadataRecord, readDefLabels, walkEntries, type WalEntry } from './wal-record.js';

const DUCK_FILE = 'metrics.duckdb';

/** Head samples that make a head block (see maybeCompactHead): 20 MB of raw samples. */
const HEAD_BLOCK_SAMPLES = 1_000_000;

/** How many problems a 400 lists before "and N more". */
const MAX_LISTED_PROBLEMS = 3;

/**
 * The embedded metric store. A write is validated against the head, logged to the WAL
 * (group commit: one fsync for all concurrent requests) and applied to the in-memory head
 * once durable; the caller's promise resolves only then. A background flusher moves the
 * head into DuckDB as compressed chunks in one transaction per flush and truncates the log.
 * Reads merge DuckDB chunks with the head.
 */
export class EmbeddedMetricStore implements MetricStore {
  readonly tenants = new Map<string, TenantHead>();
  readonly byId = new Map<number, MemSeries>();
  nextId = 1;
  headSamples = 0;
  /** The head's samples (see SampleBuffer); a flush swaps in a fresh one. */
  head = new SampleBuffer();
  /** The head's older samples, encoded (see compactHead). */
  readonly blocks = new HeadBlocks();
  private readonly scratch = new Scratch();
  activeTotal = 0;
  private wal: Wal | undefined;
  private duckDb: MetricDuck | undefined;
  private flusher: Flusher | undefined;
  readonly now: () => number;

  constructor(readonly options: EmbeddedMetricStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get duck(): MetricDuck {
    if (!this.duckDb) throw new IchigenError('UNAVAILABLE', 'the metric store is not open', { retryAfterSeconds: 5 });
    return this.duckDb;
  }

  async open(): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true });
    this.duckDb = await openMetricDuck(path.join(this.options.dir, DUCK_FILE), this.options.duckdbMemoryLimit, this.options.duckdbThreads);
    this.flusher = new Flusher(this);
    await this.flusher.load();
    this.wal = await Wal.open({ dir: path.join(this.options.dir, 'wal') });
    const stats = await this.wal.replay((payload) => this.applyRecord(payload));
    this.options.log?.info({ records: stats.records, bytes: stats.bytes, series: this.byId.size, headSamples: this.headSamples }, 'metric store open');
    this.flusher.start();
  }

  async close(): Promise<void> {
    if (this.flusher) await this.flusher.stop();
    await this.wal?.close();
    if (this.duckDb) closeMetricDuck(this.duckDb);
    this.duckDb = undefined;
    this.wal = undefined;
  }

  /** Flushes the head to DuckDB now (tests, shutdown). */
  async flush(): Promise<void> {
    await this.flusher?.flush();
  }

  /**
   * Flushes, then merges small chunks: of closed windows, or of every window with `all`
   * (`ichigen metrics compact`, tests).
   */
  async compact(all: boolean): Promise<CompactionStats> {
    if (!this.flusher) throw new IchigenError('UNAVAILABLE', 'the metric store is not open', { retryAfterSeconds: 5 });
    await this.flusher.flush(false);
    return this.flusher.compact(all);
  }

  /** Rewrites a closed store's DuckDB file without the free blocks deletions left (see vacuumMetricDuck). */
  static vacuum(dir: string): Promise<{ before: number; after: number }> {
    return vacuumMetricDuck(path.join(dir, DUCK_FILE));
  }

  /** Runs retention now (tests). */
  async enforceRetention(): Promise<void> {
    await this.flusher?.enforceRetention();
  }

  get walForFlush(): Wal {
    if (!this.wal) throw new IchigenError('UNAVAILABLE', 'the metric store is not open', { retryAfterSeconds: 5 });
    return this.wal;
  }

  tenant(name: string): TenantHead {
    let t = this.tenants.get(name);
    if (!t) this.tenants.set(name, (t = new TenantHead(name)));
    return t;
  }

  querier(tenant: string): MetricQuerier {
    return new EmbeddedQuerier(this, tenant);
  }

  async metadata(tenant: string, metric?: string, limit?: number): Promise<Record<string, MetricMetadata[]>> {
    const out: Record<string, MetricMetadata[]> = {};
    const head = this.tenants.get(tenant);
    if (!head) return out;
    const names = [...head.metadata.keys()].sort();
    let n = 0;
    for (const name of names) {
      if (metric !== undefined && metric !== '' && name !== metric) continue;
      if (limit !== undefined && limit > 0 && n >= limit) break;
      out[name] = [head.metadata.get(name)!];
      n++;
    }
    return out;
  }

  /**
   * Validation and encoding run synchronously; only the log record (one Buffer) and a few
   * counts wait for the fsync. Why: everything alive across that wait outlives the young
   * generation, and per-series objects of every request in flight promoted to the old
   * generation made the heap grow in steps of ~100 MB between major collections.
   */
  append(tenant: string, batch: MetricBatch): Promise<AppendResult> {
    try {
      return this.commit(tenant, this.prepare(tenant, batch));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  private prepare(tenant: string, batch: MetricBatch): PreparedWrite {
    if (!this.wal) throw new IchigenError('UNAVAILABLE', 'the metric store is not open', { retryAfterSeconds: 5 });
    if (this.headSamples > this.options.maxHeadSamples * 2) {
      throw new IchigenError('RATE_LIMITED', 'the metric store is behind on flushing to disk; retry shortly', { retryAfterSeconds: 5 });
    }
    const problems: string[] = [];
    let problemCount = 0;
    const problem = (labels: Labels, what: string): void => {
      problemCount++;
      if (problems.length < MAX_LISTED_PROBLEMS) problems.push(`series ${formatLabels(labels)}: ${what}`);
    };
    const head = this.tenant(tenant);
    const limits = this.options.limits;
    const cutoff = this.options.retentionMs > 0 ? this.now() - this.options.retentionMs : -Infinity;
    const window = this.options.outOfOrderWindowMs;
    /** Accepted writes: the series (undefined: new, created below) and what it keeps. */
    const accepted: Array<{ ms: MemSeries | undefined; labels: Labels; t: ArrayLike<number>; v: Float64Array; exemplars: readonly Exemplar[] | undefined }> = [];
    let current: Labels = [];
    const ctx: FilterContext = { cutoff, outOfOrderWindowMs: window, report: (what) => problem(current, what) };
    let activating: Set<MemSeries> | undefined;
    let created = 0;
    let samples = 0;
    let exemplars = 0;
    for (const s of batch.series) {
      // The same label set object as before (see LabelsInterner): known and valid already.
      let ms = head.byLabels.get(s.labels);
      if (ms === undefined || ms.removed) {
        const limitProblem = labelsProblem(s.labels, limits);
        if (limitProblem !== undefined) {
          problem(s.labels, limitProblem);
          continue;
        }
        ms = head.series.get(s.labels);
        if (ms) head.byLabels.set(s.labels, ms);
      }
      // Bad exemplars are refused alone: the samples they came with are still written.
      const exemplarProblem = s.exemplars && s.exemplars.length > 0 ? exemplarsProblem(s.exemplars) : undefined;
      if (exemplarProblem) problem(s.labels, exemplarProblem);
      const ex = exemplarProblem || !s.exemplars || s.exemplars.length === 0 ? undefined : s.exemplars;
      current = s.labels;
      const kept = filterSamples(s.timestamps, s.values, ms, ctx);
      const t = kept ? kept.timestamps : s.timestamps;
      if (kept) samples += kept.duplicates;
      if (t.length === 0 && ex === undefined) continue;
      if (ms === undefined) created++;
      else if (!ms.active) (activating ??= new Set()).add(ms);
      samples += t.length;
      exemplars += ex?.length ?? 0;
      accepted.push({ ms, labels: s.labels, t, v: kept ? kept.values : s.values, exemplars: ex });
    }
    // A label set repeated within the request counts twice here: the check errs on the safe side.
    this.checkActiveLimits(tenant, (activating?.size ?? 0) + created);
    // Series are created only once the limits allow them (a refused flood must not grow memory).
    const entries: WalEntry[] = new Array<WalEntry>(accepted.length);
    for (let i = 0; i < accepted.length; i++) {
      const a = accepted[i]!;
      const ms = a.ms ?? head.series.get(a.labels) ?? this.createSeries(head, a.labels, this.nextId);
      head.byLabels.set(a.labels, ms);
      // Labels travel in the log until a durable record holds them.
      entries[i] = { id: ms.id, labels: ms.durableDef ? undefined : ms.labels, timestamps: a.t, values: a.v, exemplars: a.exemplars };
    }
    // Senders repeat metadata (remote write 2.0 with every series): log only what changed.
    const metadata = (batch.metadata ?? []).filter((m) => !sameMetadata(head.metadata.get(m.metric), m));
    const more = problemCount > problems.length ? `; and ${problemCount - problems.length} more` : '';
    return {
      record: entries.length > 0 ? encodeEntriesRecord(tenant, entries) : undefined,
      metadata,
      result: { samples, exemplars, metadata: metadata.length },
      problem: problemCount > 0 ? `${problems.join('; ')}${more} (${samples} samples of this request were accepted)` : undefined,
    };
  }

  private async commit(tenant: string, w: PreparedWrite): Promise<AppendResult> {
    const wal = this.walForFlush;
    const { record, metadata } = w;
    if (record) await wal.append(record, () => this.applyEntries(record, false));
    if (metadata.length > 0) await wal.append(encodeMetadataRecord(tenant, metadata), () => this.applyMetadata(tenant, metadata));
    this.flusher?.onAppended();
    if (w.problem !== undefined) throw new PartialWriteError(w.problem, w.result);
    return w.result;
  }

  createSeries(head: TenantHead, labels: Labels, id: number): MemSeries {
    const ms = new MemSeries(id, head.tenant, pooled(labels), this.blocks);
    head.series.add(ms);
    head.postings.add(ms.id, ms.labels);
    this.byId.set(ms.id, ms);
    if (id >= this.nextId) this.nextId = id + 1;
    return ms;
  }

  private checkActiveLimits(tenant: string, added: number): void {
    if (added === 0) return;
    const l = this.options.limits;
    const head = this.tenants.get(tenant);
    if (l.maxActiveSeriesPerTenant > 0 && (head?.active ?? 0) + added > l.maxActiveSeriesPerTenant) {
      throw new IchigenError('LIMIT_EXCEEDED', `tenant "${tenant}" would exceed its limit of ${l.maxActiveSeriesPerTenant} active series (${added} new series in this request)`, {
        retryAfterSeconds: 60,
      });
    }
    if (l.maxActiveSeries > 0 && this.activeTotal + added > l.maxActiveSeries) {
      throw new IchigenError('LIMIT_EXCEEDED', `the store would exceed its limit of ${l.maxActiveSeries} active series (${added} new series in this request)`, { retryAfterSeconds: 60 });
    }
  }

  private applyRecord(payload: Buffer): void {
    if (payload[0] === 3) {
      this.applyEntries(payload, true);
      return;
    }
    const rec = decodeRecord(payload);
    if (rec.kind === 'metadata') {
      this.applyMetadata(rec.tenant, rec.metadata);
      return;
    }
    // Records of earlier versions: series by labels.
    const head = this.tenant(rec.tenant);
    const wall = this.now();
    for (const s of rec.series) {
      const ms = head.series.get(s.labels) ?? this.createSeries(head, s.labels, this.nextId);
      this.activate(head, ms, wall);
      const bits = valueBits(s.values);
      const base = s.values.byteOffset >>> 2;
      for (let k = 0; k < s.timestamps.length; k++) ms.append(this.head, s.timestamps[k]!, bits[base + k * 2]!, bits[base + k * 2 + 1]!);
      this.headSamples += s.timestamps.length;
      if (s.exemplars) this.addExemplars(head, ms, s.exemplars);
    }
    this.maybeCompactHead();
  }

  /**
   * Applies a durable kind-3 record to the head, read in place. Never throws for data
   * reasons: the log decided. On replay (`replaying`) the series a record defines may not
   * exist yet; live, append created them already.
   */
  private applyEntries(record: Buffer, replaying: boolean): void {
    const wall = this.now();
    const buf = this.head;
    let head: TenantHead | undefined;
    walkEntries(record, (tenant, id, defAt, at, n, exJson) => {
      head ??= this.tenant(tenant);
      let ms = this.byId.get(id);
      if (!ms && replaying && defAt >= 0) {
        const labels = readDefLabels(record, defAt);
        ms = head.series.get(labels) ?? this.createSeries(head, labels, id);
      }
      if (!ms) {
        // Cannot happen while the log and DuckDB agree; say so rather than fail the whole replay.
        this.options.log?.error({ id, tenant }, 'metric log names an unknown series; its samples are skipped');
        return;
      }
      ms.durableDef = true;
      this.activate(head, ms, wall);
      for (let k = 0; k < n; k++) {
        const v = at + n * 8 + k * 8;
        ms.append(buf, record.readDoubleLE(at + k * 8), record.readUInt32LE(v), record.readUInt32LE(v + 4));
      }
      this.headSamples += n;
      if (exJson !== undefined) this.addExemplars(head, ms, JSON.parse(exJson) as Exemplar[]);
    });
    this.maybeCompactHead();
  }

  private activate(head: TenantHead, ms: MemSeries, wall: number): void {
    if (!ms.active) {
      ms.active = true;
      head.active++;
      this.activeTotal++;
    }
    ms.lastAppend = wall;
  }

  private addExemplars(head: TenantHead, ms: MemSeries, exemplars: readonly Exemplar[]): void {
    for (const x of exemplars) head.addExemplar(ms.id, x);
    this.headSamples += exemplars.length;
  }

  private applyMetadata(tenant: string, metadata: readonly MetricMetadata[]): void {
    const head = this.tenant(tenant);
    for (const m of metadata) head.metadata.set(m.metric, { metric: m.metric, type: m.type, help: m.help, unit: m.unit });
    head.metadataDirty = true;
  }

  /**
   * Encodes the head's samples into a head block once it holds HEAD_BLOCK_SAMPLES (at least
   * 10 per series): raw samples cost 20 bytes each, encoded ones 1-3. Synchronous, so no
   * reader sees a series half moved; the log still holds the samples until a flush.
   */
  private maybeCompactHead(): void {
    const at = this.options.headBlockSamples ?? Math.max(HEAD_BLOCK_SAMPLES, this.byId.size * 10);
    if (this.head.n < at) return;
    this.blocks.begin(seriesColumns.slots);
    for (const ms of this.byId.values()) ms.moveHeadTo(this.blocks, this.scratch);
    this.blocks.end();
    const old = this.head;
    this.head = new SampleBuffer();
    old.release();
  }

  /** Swaps in a fresh head buffer (inside a log rotation) and returns the old one. */
  rotateHead(): SampleBuffer {
    const old = this.head;
    this.head = new SampleBuffer();
    return old;
  }

  /** Marks series idle for longer than the active window as inactive. */
  sweepActive(): void {
    const idleBefore = this.now() - this.options.limits.activeSeriesWindowMs;
    for (const head of this.tenants.values()) {
      for (const s of head.series.values()) {
        if (s.active && s.lastAppend < idleBefore) {
          s.active = false;
          head.active--;
          this.activeTotal--;
        }
      }
    }
  }
}

function sameMetadata(a: MetricMetadata | undefined, b: MetricMetadata): boolean {
  return a !== undefined && a.type === b.type && a.help === b.help && a.unit === b.unit;
}


/** The label set with pooled Label objects (the same array when they are pooled already). */
function pooled(labels: Labels): Labels {
  let out: Label[] | undefined;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    const p = internLabel(l.name, l.value);
    // A copy of exactly the right length (grown by push, an array keeps spare room).
    if (p !== l && out === undefined) out = labels.slice();
    if (out !== undefined) out[i] = p;
  }
  return out ?? labels;
}

/** A write validated and encoded, waiting for the log. */
interface PreparedWrite {
  readonly record: Buffer | undefined;
  readonly metadata: MetricMetadata[];
  readonly result: AppendResult;
  /** The 400's message when part of the write was refused. */
  readonly problem: string | undefined;
}
