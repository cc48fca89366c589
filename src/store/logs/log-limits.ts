/** Per-tenant limits of the log store (same for every tenant for now). */
export interface LogLimits {
  /** Longest line accepted, bytes (0: no limit). */
  readonly maxLineBytes: number;
  /** Oldest entry accepted, ms before now (0: no limit). */
  readonly rejectOlderThanMs: number;
  /** How far in the future an entry may be, ms. */
  readonly creationGraceMs: number;
  /** Ingestion rate per tenant, bytes/s, and the burst on top. */
  readonly ingestionRateBytes: number;
  readonly ingestionBurstBytes: number;
  /** Streams per tenant (0: no limit). */
  readonly maxStreamsPerTenant: number;
  /** Entries a single query may read before it fails. */
  readonly maxEntriesPerQuery: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = {
  maxLineBytes: 256 * 1024,
  rejectOlderThanMs: 7 * 24 * 3600 * 1000,
  creationGraceMs: 10 * 60 * 1000,
  ingestionRateBytes: 64 * 1024 * 1024,
  ingestionBurstBytes: 128 * 1024 * 1024,
  maxStreamsPerTenant: 100_000,
  maxEntriesPerQuery: 20_000_000,
};
