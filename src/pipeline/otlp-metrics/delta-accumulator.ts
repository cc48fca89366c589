import { labelsKey, type Labels } from '../../model/index.js';

const MAX_ENTRIES = 500_000;

interface ScalarState {
  sum: number;
  start: number;
}
interface HistogramState {
  bounds: string;
  counts: number[];
  sum: number | undefined;
  count: number;
}

/**
 * Turns OTLP delta points into cumulative values: a running total per series and tenant,
 * in memory. After a restart totals start again from zero, which rate() and increase() read
 * as a counter reset, the same as a restarted process exposing a counter. Bounded: the
 * oldest series are forgotten beyond 500,000 (they restart from zero too).
 */
export class DeltaAccumulator {
  private readonly scalars = new Map<string, ScalarState>();
  private readonly histograms = new Map<string, HistogramState>();

  addScalar(tenant: string, labels: Labels, value: number, start: number): number {
    const key = tenant + '\u0000' + labelsKey(labels);
    const s = this.scalars.get(key);
    if (!s) {
      this.bound(this.scalars);
      this.scalars.set(key, { sum: value, start });
      return value;
    }
    s.sum += value;
    return s.sum;
  }

  addHistogram(
    tenant: string,
    labels: Labels,
    bounds: readonly number[],
    counts: readonly number[],
    sum: number | undefined,
    count: number,
    start: number,
  ): { counts: number[]; sum: number | undefined; count: number } {
    void start;
    const key = tenant + '\u0000' + labelsKey(labels);
    const b = bounds.join(',');
    const h = this.histograms.get(key);
    if (!h || h.bounds !== b) {
      // New series, or its buckets changed: start a new cumulative series from this point.
      this.bound(this.histograms);
      this.histograms.set(key, { bounds: b, counts: [...counts], sum, count });
      return { counts: [...counts], sum, count };
    }
    for (let i = 0; i < counts.length; i++) h.counts[i] = (h.counts[i] ?? 0) + counts[i]!;
    h.sum = h.sum === undefined || sum === undefined ? undefined : h.sum + sum;
    h.count += count;
    return { counts: [...h.counts], sum: h.sum, count: h.count };
  }

  private bound(map: Map<string, unknown>): void {
    if (map.size < MAX_ENTRIES) return;
    const first = map.keys().next();
    if (!first.done) map.delete(first.value);
  }
}
