import { DEFAULT_LIMITS, type EmbeddedMetricStoreOptions } from '../../src/store/index.js';

/**
 * Options of an embedded metric store for tests: no retention, a 10-minute out-of-order
 * window, no timed flush (tests flush when they mean to), a small DuckDB.
 */
export function testMetricStoreOptions(dir: string, over: Partial<EmbeddedMetricStoreOptions> = {}): EmbeddedMetricStoreOptions {
  return {
    dir,
    retentionMs: 0,
    retentionBytes: 0,
    outOfOrderWindowMs: 10 * 60_000,
    flushIntervalMs: 3_600_000,
    maxHeadSamples: 1_000_000,
    duckdbMemoryLimit: '128MB',
    duckdbThreads: 1,
    limits: DEFAULT_LIMITS,
    ...over,
  };
}
