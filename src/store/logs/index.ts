export { DuckDbLogStore, entryBytes } from './duckdb-log-store.js';
export type { DuckDbLogStoreOptions } from './duckdb-log-store.js';
export { DEFAULT_LOG_LIMITS } from './log-limits.js';
export type { LogLimits } from './log-limits.js';
export { RemoteLogStore, lokiPushJson } from './remote/index.js';
export type { RemoteLogStoreOptions } from './remote/index.js';
export type { LogBackendAnswer, LogStore, PushOutcome, SelectRequest, StoredStream, StreamEntries, StreamStats, TailEvent } from './log-store.js';
export type { PushSource } from './wal-record.js';
