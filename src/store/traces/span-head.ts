/**
 * A span as the head keeps it until its flush: the columns of its row, already built (the
 * attribute text, the payload), instead of the decoded OTLP object graph. A decoded span is
 * some fifty small objects (attributes, values, strings); a head span is about eight. The head
 * lives for seconds, long enough for everything in it to be promoted to V8's old generation:
 * the fewer objects it holds, the less garbage collection ingest costs.
 */
export interface HeadSpan {
  /** Shared by the spans of a trace in a head (see SpanHead.add). */
  traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** The resource's `service.name` ('' without one). */
  readonly service: string;
  readonly name: string;
  readonly kind: number;
  readonly status: number;
  readonly resourceId: bigint;
  readonly scopeId: bigint;
  /** attr-tokens' attribute text (also what the row stores). */
  readonly attrs: string;
  /** span-codec's span payload (events, links, status message, trace state, flags, counts). */
  readonly payload: Buffer;
}

/** Spans not yet in DuckDB, by tenant and trace id (so trace by id is a map lookup). */
export class SpanHead {
  private readonly byTenant = new Map<string, Map<string, HeadSpan[]>>();
  count = 0;

  add(tenant: string, spans: readonly HeadSpan[]): void {
    let traces = this.byTenant.get(tenant);
    if (!traces) this.byTenant.set(tenant, (traces = new Map()));
    for (const s of spans) {
      const list = traces.get(s.traceId);
      if (list) {
        // One trace id string per trace, not one per span.
        s.traceId = list[0]!.traceId;
        list.push(s);
      } else traces.set(s.traceId, [s]);
    }
    this.count += spans.length;
  }

  trace(tenant: string, traceId: string): readonly HeadSpan[] {
    return this.byTenant.get(tenant)?.get(traceId) ?? [];
  }

  tracesOf(tenant: string): ReadonlyMap<string, readonly HeadSpan[]> {
    return this.byTenant.get(tenant) ?? new Map<string, HeadSpan[]>();
  }

  tenants(): IterableIterator<[string, Map<string, HeadSpan[]>]> {
    return this.byTenant.entries();
  }
}
