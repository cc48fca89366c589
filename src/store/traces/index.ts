export { DuckDbTraceStore } from './duckdb-trace-store.js';
export type { DuckDbTraceStoreOptions } from './duckdb-trace-store.js';
export { flattenTraces, groupSpans } from './stored-span.js';
export type { StoredSpan } from './stored-span.js';
export type { NsRange, TraceCandidatesOptions, TraceStore } from './trace-store.js';
