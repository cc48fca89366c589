import type { Logger, Registry } from '../../../self/index.js';

export interface MetricLimits {
  readonly maxLabelsPerSeries: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
  /** Series not seen for this long stop counting as active. */
  readonly activeSeriesWindowMs: number;
  /** 0: unlimited. */
  readonly maxActiveSeries: number;
  readonly maxActiveSeriesPerTenant: number;
}

export interface EmbeddedMetricStoreOptions {
  /** Directory for the DuckDB file and the write-ahead log. */
  readonly dir: string;
  /** 0 keeps everything. */
  readonly retentionMs: number;
  /** 0: no size limit. */
  readonly retentionBytes: number;
  /** Samples older than a series' newest sample minus this are refused (400). */
  readonly outOfOrderWindowMs: number;
  /** How often the head is written to DuckDB. */
  readonly flushIntervalMs: number;
  /** Flush early once the head holds this many samples; refuse (429) at twice as many. */
  readonly maxHeadSamples: number;
  /** Head samples that make a head block (at least 10 per series; tests set it low). Default 1M. */
  readonly headBlockSamples?: number;
  readonly duckdbMemoryLimit: string;
  readonly duckdbThreads: number;
  readonly limits: MetricLimits;
  readonly log?: Logger;
  readonly registry?: Registry;
  /** Wall clock (tests). */
  readonly now?: () => number;
}

export const DEFAULT_LIMITS: MetricLimits = {
  maxLabelsPerSeries: 64,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 4096,
  activeSeriesWindowMs: 60 * 60 * 1000,
  maxActiveSeries: 0,
  maxActiveSeriesPerTenant: 0,
};
