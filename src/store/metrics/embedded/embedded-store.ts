import path from 'node:path';
import { mkdirSync } from 'node:fs';
import {
  IchigenError,
  formatLabels,
  labelsKey,
  type Exemplar,
  type Labels,
  type MetricMetadata,
} from '../../../model/index.js';
import { Wal } from '../../wal/index.js';
import { PartialWriteError, type AppendResult, type MetricBatch, type MetricQuerier, type MetricStore } from '../metric-store.js';
import { closeMetricDuck, openMetricDuck, vacuumMetricDuck, type MetricDuck } from './duck-tables.js';
import type { CompactionStats } from './compactor.js';
import { EmbeddedQuerier } from './embedded-querier.js';
import { Flusher } from './flusher.js';
import { MemSeries } from './mem-series.js';
import type { EmbeddedMetricStoreOptions } from './options.js';
import { TenantHead } from './tenant-head.js';
import { SampleBuffer } from './sample-buffer.js';
import { exemplarsProblem, filterSamples, labelsProblem, valueBits, type FilterContext } from './sample-filter.js';
import { decodeRecord, encodeEntriesRecord, encodeMetadataRecord, type WalEntry } from './wal-record.js';

const DUCK_FILE = 'metrics.duckdb';

/** Samples the head buffer starts with (it doubles as needed; 1.3 MB). */
const INITIAL_HEAD_SAMPLES = 65_536;

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
  head = new SampleBuffer(INITIAL_HEAD_SAMPLES);
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

  async append(tenant: string, batch: MetricBatch): Promise<AppendResult> {
    const wal = this.walForFlush;
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
    const accepted: Array<{ ms: MemSeries | undefined; labels: Labels; key: string; t: ArrayLike<number>; v: Float64Array; exemplars: readonly Exemplar[] | undefined }> = [];
    let current: Labels = [];
    const ctx: FilterContext = { cutoff, outOfOrderWindowMs: window, report: (what) => problem(current, what) };
    let activating: Set<MemSeries> | undefined;
    let created: Map<string, Labels> | undefined;
    let samples = 0;
    let exemplars = 0;
    for (const s of batch.series) {
      // The same label set object as before (see LabelsInterner): known and valid already.
      let ms = head.byLabels.get(s.labels);
      let key = '';
      if (ms === undefined || ms.removed) {
        const limitProblem = labelsProblem(s.labels, limits);
        if (limitProblem !== undefined) {
          problem(s.labels, limitProblem);
          continue;
        }
        key = labelsKey(s.labels);
        ms = head.series.get(key);
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
      if (ms === undefined) (created ??= new Map()).set(key, s.labels);
      else if (!ms.active) (activating ??= new Set()).add(ms);
      samples += t.length;
      exemplars += ex?.length ?? 0;
      accepted.push({ ms, labels: s.labels, key, t, v: kept ? kept.values : s.values, exemplars: ex });
    }
    this.checkActiveLimits(tenant, (activating?.size ?? 0) + (created?.size ?? 0));
    // Series are created only once the limits allow them (a refused flood must not grow memory).
    const entries: WalEntry[] = new Array<WalEntry>(accepted.length);
    const series: MemSeries[] = new Array<MemSeries>(accepted.length);
    for (let i = 0; i < accepted.length; i++) {
      const a = accepted[i]!;
      const ms = a.ms ?? head.series.get(a.key) ?? this.createSeries(head, a.key, created!.get(a.key)!, this.nextId++);
      head.byLabels.set(a.labels, ms);
      series[i] = ms;
      // Labels travel in the log until a durable record holds them.
      entries[i] = { id: ms.id, labels: ms.durableDef ? undefined : ms.labels, timestamps: a.t, values: a.v, exemplars: a.exemplars };
    }
    // Senders repeat metadata (remote write 2.0 with every series): log only what changed.
    const metadata = (batch.metadata ?? []).filter((m) => !sameMetadata(head.metadata.get(m.metric), m));
    if (entries.length > 0) await wal.append(encodeEntriesRecord(tenant, entries), () => this.applyEntries(head, series, entries));
    if (metadata.length > 0) await wal.append(encodeMetadataRecord(tenant, metadata), () => this.applyMetadata(tenant, metadata));
    this.flusher?.onAppended();
    if (problemCount > 0) {
      const more = problemCount > problems.length ? `; and ${problemCount - problems.length} more` : '';
      throw new PartialWriteError(`${problems.join('; ')}${more} (${samples} samples of this request were accepted)`, { samples, exemplars, metadata: metadata.length });
    }
    return { samples, exemplars, metadata: metadata.length };
  }

  private createSeries(head: TenantHead, key: string, labels: Labels, id: number): MemSeries {
    const ms = new MemSeries(id, head.tenant, labels, key);
    head.series.set(key, ms);
    head.postings.add(ms.id, labels);
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
    const rec = decodeRecord(payload);
    if (rec.kind === 'metadata') {
      this.applyMetadata(rec.tenant, rec.metadata);
      return;
    }
    const head = this.tenant(rec.tenant);
    if (rec.kind === 'samples') {
      // Records of earlier versions: series by labels.
      const entries: WalEntry[] = [];
      const series: MemSeries[] = [];
      for (const s of rec.series) {
        const key = labelsKey(s.labels);
        const ms = head.series.get(key) ?? this.createSeries(head, key, s.labels, this.nextId);
        series.push(ms);
        entries.push({ id: ms.id, labels: undefined, timestamps: s.timestamps, values: s.values, exemplars: s.exemplars });
      }
      this.applyEntries(head, series, entries);
      return;
    }
    const series: MemSeries[] = [];
    const entries: WalEntry[] = [];
    for (const e of rec.entries) {
      let ms = this.byId.get(e.id);
      if (!ms && e.labels) {
        const key = labelsKey(e.labels);
        ms = head.series.get(key) ?? this.createSeries(head, key, e.labels, e.id);
      }
      if (!ms) {
        // Cannot happen while the log and DuckDB agree; say so rather than fail the whole replay.
        this.options.log?.error({ id: e.id, tenant: rec.tenant }, 'metric log names an unknown series; its samples are skipped');
        continue;
      }
      series.push(ms);
      entries.push(e);
    }
    this.applyEntries(head, series, entries);
  }

  /** Applies a durable record to the head. Never throws for data reasons: the log decided. */
  private applyEntries(head: TenantHead, series: readonly MemSeries[], entries: readonly WalEntry[]): void {
    const wall = this.now();
    const buf = this.head;
    for (let i = 0; i < entries.length; i++) {
      const ms = series[i]!;
      const e = entries[i]!;
      ms.durableDef = true;
      if (!ms.active) {
        ms.active = true;
        head.active++;
        this.activeTotal++;
      }
      ms.lastAppend = wall;
      const n = e.timestamps.length;
      if (n > 0) {
        const bits = valueBits(e.values);
        const base = e.values.byteOffset >>> 2;
        for (let k = 0; k < n; k++) ms.append(buf, e.timestamps[k]!, bits[base + k * 2]!, bits[base + k * 2 + 1]!);
        this.headSamples += n;
      }
      if (e.exemplars) {
        for (const x of e.exemplars) head.addExemplar(ms.id, x);
        this.headSamples += e.exemplars.length;
      }
    }
  }

  private applyMetadata(tenant: string, metadata: readonly MetricMetadata[]): void {
    const head = this.tenant(tenant);
    for (const m of metadata) head.metadata.set(m.metric, { metric: m.metric, type: m.type, help: m.help, unit: m.unit });
    head.metadataDirty = true;
  }

  /** Swaps in a fresh head buffer (inside a log rotation) and returns the old one. */
  rotateHead(): SampleBuffer {
    const old = this.head;
    this.head = new SampleBuffer(Math.max(INITIAL_HEAD_SAMPLES, Math.min(old.n, this.options.maxHeadSamples)));
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

