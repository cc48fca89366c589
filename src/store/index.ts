export { Wal, crc32 } from './wal/index.js';
export type { Lsn, ReplayStats, WalOptions } from './wal/index.js';
export { DEFAULT_LIMITS, EmbeddedMetricStore, decodeChunk, encodeChunk } from './metrics/index.js';
export type {
  AppendResult,
  CompactionStats,
  EmbeddedMetricStoreOptions,
  LabelQuery,
  MetricBatch,
  MetricLimits,
  MetricQuerier,
  MetricStore,
  SelectHints,
  SeriesAppend,
  SeriesSamples,
} from './metrics/index.js';
export { MemoryMetricStore, PartialWriteError, RemoteMetricStore } from './metrics/index.js';
export type { RemoteMetricStoreOptions } from './metrics/index.js';
export { DuckDbTraceStore, RemoteTraceStore, SpanMetricsGenerator, and, flattenTraces, groupSpans, or, spanMatches, TRUE, valueToken } from './traces/index.js';
export type { BackendAnswer, DuckDbTraceStoreOptions, NsRange, RemoteTraceStoreOptions, SpanPredicate, StoredSpan, TraceCandidatesOptions, TraceStore } from './traces/index.js';
