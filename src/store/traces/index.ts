export { DuckDbTraceStore } from './duckdb-trace-store.js';
export type { DuckDbTraceStoreOptions } from './duckdb-trace-store.js';
export { flattenTraces, groupSpans } from './stored-span.js';
export type { StoredSpan } from './stored-span.js';
export type { NsRange, TraceCandidatesOptions, TraceStore } from './trace-store.js';
export { DEFAULT_LATENCY_BUCKETS, SpanMetricsGenerator } from './span-metrics.js';
export type { SpanMetricsOptions } from './span-metrics.js';
