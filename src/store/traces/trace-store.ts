import type { OtlpRawBody, OtlpTraces } from '../../receive/otlp/index.js';
import type { SpanPredicate } from './span-predicate.js';
import type { StoredSpan } from './stored-span.js';

/** A time window in unix nanoseconds, both ends inclusive. */
export interface NsRange {
  readonly startNs: bigint;
  readonly endNs: bigint;
}

export interface TraceCandidatesOptions {
  /** Traces with a span starting in this window (the exact overlap test is the caller's). */
  readonly range: NsRange;
  /** A necessary condition on at least one of those spans (see SpanPredicate). */
  readonly where: SpanPredicate;
  /** Look this much around the window too, for long traces whose matching span starts outside it. */
  readonly slackNs?: bigint;
}

/**
 * The trace store contract: the embedded DuckDB store, and the remote store that exports OTLP
 * and reads back through the Tempo API. Query evaluation (TraceQL) happens above it, on whole
 * traces; the store narrows which traces are read.
 */
export interface TraceStore {
  /** Durable before it resolves. `raw`: the body the request arrived as, kept instead of encoding it again. */
  append(tenant: string, traces: OtlpTraces, raw?: OtlpRawBody): Promise<{ rejected: number; message?: string }>;
  /** Every span of a trace (hex id, 32 digits), optionally only if the trace overlaps `range`. */
  getTrace(tenant: string, traceId: string, range?: NsRange): Promise<StoredSpan[]>;
  /** Whole traces by id (ids with no spans are absent from the answer). */
  getTraces(tenant: string, traceIds: readonly string[]): Promise<Map<string, StoredSpan[]>>;
  /**
   * Ids of traces that may match, newest time slices first, in batches without repeats; the
   * caller stops iterating once it has what it needs, so a search reads as little as it can.
   */
  candidates(tenant: string, options: TraceCandidatesOptions): AsyncIterable<string[]>;
  /**
   * Set by a store backed by a Tempo-compatible API: the API layer passes search, tag and
   * TraceQL metrics requests through it unchanged instead of evaluating them here.
   */
  readonly forward?: (tenant: string, path: string, query: Record<string, string | string[] | undefined>) => Promise<{ status: number; contentType: string; body: Buffer }>;
}
