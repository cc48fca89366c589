import type { NsRange, SpanPredicate, StoredSpan, TraceStore } from '../../store/index.js';

export interface ScanOptions {
  readonly range: NsRange;
  readonly where: SpanPredicate;
  /** Stop (truncated) once this wall-clock time (ms) has passed. */
  readonly deadlineMs: number;
  /** Stop (truncated) after reading this many traces. */
  readonly maxTraces?: number;
}

/** How far outside the window a long trace's matching span may start and still count. */
export const TRACE_SLACK_NS = 3_600_000_000_000n;

/**
 * Reads candidate traces newest first, whole, and hands each to `visit` until it returns true
 * (done), the candidates run out, or a limit is reached.
 */
export async function scanTraces(
  store: TraceStore,
  tenant: string,
  o: ScanOptions,
  visit: (traceId: string, spans: StoredSpan[]) => boolean | void,
): Promise<{ inspected: number; truncated: boolean }> {
  let inspected = 0;
  for await (const ids of store.candidates(tenant, { range: o.range, where: o.where, slackNs: TRACE_SLACK_NS })) {
    const traces = await store.getTraces(tenant, ids);
    for (const id of ids) {
      const spans = traces.get(id);
      if (spans === undefined || spans.length === 0) continue;
      inspected++;
      if (visit(id, spans) === true) return { inspected, truncated: false };
      if (o.maxTraces !== undefined && inspected >= o.maxTraces) return { inspected, truncated: true };
    }
    if (Date.now() > o.deadlineMs) return { inspected, truncated: true };
  }
  return { inspected, truncated: false };
}
