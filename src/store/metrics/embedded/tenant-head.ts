import type { Exemplar, MetricMetadata } from '../../../model/index.js';
import type { MemSeries } from './mem-series.js';
import { Postings } from './postings.js';

export interface StoredExemplar {
  readonly seriesId: number;
  readonly exemplar: Exemplar;
}

/** Exemplars kept per tenant, like Prometheus' in-memory circular exemplar storage. */
const MAX_EXEMPLARS = 10_000;

/** Everything the store keeps in memory for one tenant. */
export class TenantHead {
  readonly series = new Map<string, MemSeries>();
  readonly postings = new Postings();
  readonly metadata = new Map<string, MetricMetadata>();
  metadataDirty = false;
  active = 0;
  private readonly ring: StoredExemplar[] = [];
  private ringPos = 0;

  constructor(readonly tenant: string) {}

  addExemplar(seriesId: number, exemplar: Exemplar): void {
    if (this.ring.length < MAX_EXEMPLARS) this.ring.push({ seriesId, exemplar });
    else {
      this.ring[this.ringPos] = { seriesId, exemplar };
      this.ringPos = (this.ringPos + 1) % MAX_EXEMPLARS;
    }
  }

  exemplars(): readonly StoredExemplar[] {
    return this.ring;
  }
}
