import type { Exemplar, Labels, MetricMetadata } from '../../../model/index.js';
import type { MemSeries } from './mem-series.js';
import { Postings } from './postings.js';
import { SeriesIndex } from './series-index.js';

export interface StoredExemplar {
  readonly seriesId: number;
  readonly exemplar: Exemplar;
}

/** Everything the store keeps in memory for one tenant. */
export class TenantHead {
  readonly series = new SeriesIndex();
  /**
   * Series by label set object: receivers hand out the same object for the same series
   * (see LabelsInterner), so a write usually finds its series without building the key.
   */
  readonly byLabels = new WeakMap<Labels, MemSeries>();
  readonly postings = new Postings();
  readonly metadata = new Map<string, MetricMetadata>();
  metadataDirty = false;
  active = 0;
  /**
   * Exemplars logged since the last flush, and those being flushed right now (still read
   * until the flush commits). Flushed exemplars live in DuckDB's metric_exemplars table.
   */
  private pending: StoredExemplar[] = [];
  private frozen: StoredExemplar[] = [];

  constructor(readonly tenant: string) {}

  addExemplar(seriesId: number, exemplar: Exemplar): void {
    this.pending.push({ seriesId, exemplar });
  }

  /** Exemplars not yet in DuckDB (frozen first). */
  memoryExemplars(): readonly StoredExemplar[] {
    return this.frozen.length === 0 ? this.pending : this.frozen.concat(this.pending);
  }

  /** Takes the pending exemplars for a flush. */
  freezeExemplars(): StoredExemplar[] {
    this.frozen = this.pending;
    this.pending = [];
    return this.frozen;
  }

  /** After the flush: committed (drop them from memory) or rolled back (keep them pending). */
  settleExemplars(committed: boolean): void {
    if (!committed) this.pending = this.frozen.concat(this.pending);
    this.frozen = [];
  }
}
