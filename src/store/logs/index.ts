export { DuckDbLogStore, entryBytes } from './duckdb-log-store.js';
export type { DuckDbLogStoreOptions } from './duckdb-log-store.js';
export { DEFAULT_LOG_LIMITS } from './log-limits.js';
export type { LogLimits } from './log-limits.js';
export type { LogStore, PushOutcome, SelectRequest, StoredStream, StreamEntries, StreamStats, TailEvent } from './log-store.js';
export type { PushSource } from './wal-record.js';
