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
import { PartialWriteError, type AppendResult, type MetricBatch, type MetricQuerier, type MetricStore, type SeriesAppend } from '../metric-store.js';
import { closeMetricDuck, openMetricDuck, vacuumMetricDuck, type MetricDuck } from './duck-tables.js';
import type { CompactionStats } from './compactor.js';
import { EmbeddedQuerier } from './embedded-querier.js';
import { Flusher } from './flusher.js';
import { MemSeries } from './mem-series.js';
import type { EmbeddedMetricStoreOptions } from './options.js';
import { TenantHead } from './tenant-head.js';
import { decodeRecord, encodeMetadataRecord, encodeSamplesRecord, type WalSeries } from './wal-record.js';

const DUCK_FILE = 'metrics.duckdb';

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
    const head = this.tenants.get(tenant);
    const accepted: WalSeries[] = [];
    const newKeys = new Set<string>();
    let samples = 0;
    let exemplars = 0;
    const cutoff = this.options.retentionMs > 0 ? this.now() - this.options.retentionMs : -Infinity;
    for (const s of batch.series) {
      const limitProblem = this.checkLabels(s.labels);
      if (limitProblem !== undefined) {
        problem(s.labels, limitProblem);
        continue;
      }
      // Bad exemplars are refused alone: the samples they came with are still written.
      const exemplarProblem = s.exemplars && exemplarsProblem(s.exemplars);
      if (exemplarProblem) problem(s.labels, exemplarProblem);
      const input: SeriesAppend = exemplarProblem ? { labels: s.labels, timestamps: s.timestamps, values: s.values } : s;
      const key = labelsKey(s.labels);
      const existing = head?.series.get(key);
      const { kept, duplicates } = this.filterSamples(input, existing, cutoff, (what) => problem(s.labels, what));
      // Identical re-sent samples are already durable: they count as written.
      samples += duplicates;
      if (kept.timestamps.length === 0 && (kept.exemplars?.length ?? 0) === 0) continue;
      if (!existing?.active) newKeys.add(key);
      samples += kept.timestamps.length;
      exemplars += kept.exemplars?.length ?? 0;
      accepted.push(kept);
    }
    this.checkActiveLimits(tenant, newKeys.size);
    // Senders repeat metadata (remote write 2.0 with every series): log only what changed.
    const metadata = (batch.metadata ?? []).filter((m) => !sameMetadata(head?.metadata.get(m.metric), m));
    if (accepted.length > 0) await wal.append(encodeSamplesRecord(tenant, accepted), () => this.applySamples(tenant, accepted));
    if (metadata.length > 0) await wal.append(encodeMetadataRecord(tenant, metadata), () => this.applyMetadata(tenant, metadata));
    this.flusher?.onAppended();
    if (problemCount > 0) {
      const more = problemCount > problems.length ? `; and ${problemCount - problems.length} more` : '';
      throw new PartialWriteError(`${problems.join('; ')}${more} (${samples} samples of this request were accepted)`, { samples, exemplars, metadata: metadata.length });
    }
    return { samples, exemplars, metadata: metadata.length };
  }

  private checkLabels(labels: Labels): string | undefined {
    const l = this.options.limits;
    if (labels.length === 0) return 'the series has no labels';
    if (labels.length > l.maxLabelsPerSeries) return `has ${labels.length} labels, over the limit of ${l.maxLabelsPerSeries}`;
    for (const x of labels) {
      if (x.name.length > l.maxLabelNameLength) return `label name "${x.name.slice(0, 64)}…" is longer than ${l.maxLabelNameLength} characters`;
      if (x.value.length > l.maxLabelValueLength) return `value of label "${x.name}" is longer than ${l.maxLabelValueLength} characters`;
    }
    return undefined;
  }

  /** Keeps the samples the head can take; reports the others. */
  private filterSamples(s: SeriesAppend, existing: MemSeries | undefined, cutoff: number, report: (what: string) => void): { kept: WalSeries; duplicates: number } {
    const n = s.timestamps.length;
    const window = this.options.outOfOrderWindowMs;
    let maxT = existing ? existing.maxT : -Infinity;
    let lastT = existing ? existing.lastT : -Infinity;
    let lastIdx = -1;
    const keep: number[] = [];
    const bits = new Uint32Array(s.values.buffer, s.values.byteOffset, n * 2);
    const headBits = existing && existing.n > 0 ? new Uint32Array(existing.v.buffer, 0, existing.n * 2) : undefined;
    let dropped = 0;
    let duplicates = 0;
    let firstReason = '';
    for (let i = 0; i < n; i++) {
      const t = s.timestamps[i]!;
      let reason = '';
      if (!Number.isFinite(t) || !Number.isInteger(t)) reason = `invalid timestamp ${t}`;
      else if (t < cutoff) reason = `sample at ${new Date(t).toISOString()} is older than the retention period`;
      else if (t === lastT) {
        // A retry re-sends what we already have: identical samples are accepted silently.
        const same =
          lastIdx >= 0
            ? bits[lastIdx * 2] === bits[i * 2] && bits[lastIdx * 2 + 1] === bits[i * 2 + 1]
            : headBits !== undefined && headBits[(existing!.n - 1) * 2] === bits[i * 2] && headBits[(existing!.n - 1) * 2 + 1] === bits[i * 2 + 1];
        if (same || headBits === undefined) {
          duplicates++;
          continue;
        }
        reason = `duplicate sample for timestamp ${t} with a different value`;
      } else if (t < maxT - window) reason = `out of order sample: ${new Date(t).toISOString()} is more than ${window / 1000}s before the series' newest sample (${new Date(maxT).toISOString()})`;
      if (reason !== '') {
        dropped++;
        firstReason ||= reason;
        continue;
      }
      keep.push(i);
      lastIdx = i;
      lastT = t;
      if (t > maxT) maxT = t;
    }
    if (dropped > 0) report(dropped === 1 ? firstReason : `${firstReason} (${dropped} samples refused)`);
    if (keep.length === n) return { kept: s as WalSeries, duplicates };
    const timestamps = new Float64Array(keep.length);
    const values = new Float64Array(keep.length);
    const vb = new Uint32Array(values.buffer);
    keep.forEach((i, k) => {
      timestamps[k] = s.timestamps[i]!;
      vb[k * 2] = bits[i * 2]!;
      vb[k * 2 + 1] = bits[i * 2 + 1]!;
    });
    return { kept: { labels: s.labels, timestamps, values, exemplars: s.exemplars }, duplicates };
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
    if (rec.kind === 'samples') this.applySamples(rec.tenant, rec.series);
    else this.applyMetadata(rec.tenant, rec.metadata);
  }

  /** Applies a durable record to the head. Never throws for data reasons: the log decided. */
  private applySamples(tenant: string, series: readonly WalSeries[]): void {
    const head = this.tenant(tenant);
    const wall = this.now();
    for (const s of series) {
      const key = labelsKey(s.labels);
      let ms = head.series.get(key);
      if (!ms) {
        ms = new MemSeries(this.nextId++, tenant, s.labels, key);
        head.series.set(key, ms);
        head.postings.add(ms.id, s.labels);
        this.byId.set(ms.id, ms);
      }
      if (!ms.active) {
        ms.active = true;
        head.active++;
        this.activeTotal++;
      }
      ms.lastAppend = wall;
      const n = s.timestamps.length;
      const bits = new Uint32Array(s.values.buffer, s.values.byteOffset, n * 2);
      for (let i = 0; i < n; i++) ms.append(s.timestamps[i]!, bits, i);
      this.headSamples += n;
      if (s.exemplars) {
        for (const e of s.exemplars) head.addExemplar(ms.id, e);
        this.headSamples += s.exemplars.length;
      }
    }
  }

  private applyMetadata(tenant: string, metadata: readonly MetricMetadata[]): void {
    const head = this.tenant(tenant);
    for (const m of metadata) head.metadata.set(m.metric, { metric: m.metric, type: m.type, help: m.help, unit: m.unit });
    head.metadataDirty = true;
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

/** Prometheus' limit on an exemplar's label set (names and values, in characters). */
const EXEMPLAR_MAX_LABEL_CHARS = 128;

function exemplarsProblem(exemplars: readonly Exemplar[]): string | undefined {
  for (const e of exemplars) {
    let chars = 0;
    for (const [name, value] of Object.entries(e.labels)) chars += [...name].length + [...value].length;
    if (chars > EXEMPLAR_MAX_LABEL_CHARS) return `exemplar labels are ${chars} characters long, over the limit of ${EXEMPLAR_MAX_LABEL_CHARS}`;
    if (!Number.isFinite(e.timestamp) || !Number.isInteger(e.timestamp)) return `invalid exemplar timestamp ${e.timestamp}`;
  }
  return undefined;
}
