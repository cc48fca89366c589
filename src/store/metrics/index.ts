export type {
  AppendResult,
  LabelQuery,
  MetricBatch,
  MetricQuerier,
  MetricStore,
  SelectHints,
  SeriesAppend,
  SeriesSamples,
} from './metric-store.js';
export { PartialWriteError } from './metric-store.js';
export { DEFAULT_LIMITS, EmbeddedMetricStore, decodeChunk, encodeChunk } from './embedded/index.js';
export type { CompactionStats, EmbeddedMetricStoreOptions, MetricLimits } from './embedded/index.js';
export { MemoryMetricStore } from './memory/index.js';
export { RemoteMetricStore } from './remote/index.js';
export type { RemoteMetricStoreOptions } from './remote/index.js';
