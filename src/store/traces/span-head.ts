import type { StoredSpan } from './stored-span.js';

/** Spans not yet in DuckDB, by tenant and trace id (so trace by id is a map lookup). */
export class SpanHead {
  private readonly byTenant = new Map<string, Map<string, StoredSpan[]>>();
  count = 0;

  add(tenant: string, spans: readonly StoredSpan[]): void {
    let traces = this.byTenant.get(tenant);
    if (!traces) this.byTenant.set(tenant, (traces = new Map()));
    for (const s of spans) {
      const list = traces.get(s.span.traceId);
      if (list) list.push(s);
      else traces.set(s.span.traceId, [s]);
    }
    this.count += spans.length;
  }

  trace(tenant: string, traceId: string): readonly StoredSpan[] {
    return this.byTenant.get(tenant)?.get(traceId) ?? [];
  }

  tracesOf(tenant: string): ReadonlyMap<string, readonly StoredSpan[]> {
    return this.byTenant.get(tenant) ?? new Map<string, StoredSpan[]>();
  }

  tenants(): IterableIterator<[string, Map<string, StoredSpan[]>]> {
    return this.byTenant.entries();
  }
}
