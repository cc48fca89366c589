import type { OtlpTraces } from '../../receive/otlp/index.js';
import type { StoredSpan } from './stored-span.js';

/** A time window in unix nanoseconds, both ends inclusive. */
export interface NsRange {
  readonly startNs: bigint;
  readonly endNs: bigint;
}

export interface TraceCandidatesOptions {
  /** Only traces with a span overlapping this window. */
  readonly range: NsRange;
  /** Stop after this many traces (newest first by their latest span end). */
  readonly maxTraces: number;
  /** Optional narrowing: only traces with at least one span of this service / name (pushed into the scan). */
  readonly anyServiceName?: readonly string[];
}

/**
 * The trace store contract (embedded DuckDB today; a remote OTLP + Tempo API store later).
 * Search evaluation (TraceQL) happens above it, on whole traces.
 */
export interface TraceStore {
  /** Durable before it resolves. */
  append(tenant: string, traces: OtlpTraces): Promise<{ rejected: number; message?: string }>;
  /** Every span of a trace (hex id, 32 digits), optionally only if the trace overlaps `range`. */
  getTrace(tenant: string, traceId: string, range?: NsRange): Promise<StoredSpan[]>;
  /** Whole traces overlapping the window, as span lists keyed by trace id. */
  traces(tenant: string, options: TraceCandidatesOptions): Promise<Map<string, StoredSpan[]>>;
  /** Spans stored (all tenants), for self-monitoring and tests. */
  spanCount(): Promise<number>;
}
