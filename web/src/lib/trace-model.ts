/** One span of a trace, decoded from Tempo's JSON (OTLP JSON with base64 ids). */
export interface TraceSpan {
  readonly spanId: string;
  readonly parentId: string;
  readonly name: string;
  readonly service: string;
  readonly kind: string;
  /** Milliseconds since the epoch (fractional: microsecond precision survives). */
  readonly startMs: number;
  readonly endMs: number;
  readonly error: boolean;
  readonly statusMessage: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly resource: Readonly<Record<string, string>>;
  readonly events: ReadonlyArray<{ readonly name: string; readonly timeMs: number; readonly attributes: Readonly<Record<string, string>> }>;
}

export interface TraceRow {
  readonly span: TraceSpan;
  readonly depth: number;
  /** On the critical path: the chain of spans that decides the trace's end. */
  readonly critical: boolean;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}

function anyToString(v: AnyValue | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.arrayValue) return `[${(v.arrayValue.values ?? []).map(anyToString).join(', ')}]`;
  if (v.kvlistValue) return `{${(v.kvlistValue.values ?? []).map((kv) => `${kv.key}=${anyToString(kv.value)}`).join(', ')}}`;
  if (v.bytesValue !== undefined) return v.bytesValue;
  return '';
}

export function attrs(list: readonly KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) out[kv.key] = anyToString(kv.value);
  return out;
}

/** Base64 (as protobuf JSON encodes ids) to lowercase hex; hex passes through. */
export function idToHex(id: string | undefined): string {
  if (!id) return '';
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 16 || id.length === 32)) return id.toLowerCase();
  const bin = atob(id);
  let hex = '';
  for (let i = 0; i < bin.length; i++) hex += bin.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}

const nsToMs = (ns: string | number | undefined): number => {
  if (ns === undefined) return 0;
  const s = String(ns);
  // Split to keep precision beyond 2^53 ns: whole ms from the leading digits, the rest as a fraction.
  if (s.length <= 6) return Number(s) / 1e6;
  return Number(s.slice(0, -6)) + Number(s.slice(-6)) / 1e6;
};

interface OtlpSpan {
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: string | number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: KeyValue[];
  events?: Array<{ name?: string; timeUnixNano?: string; attributes?: KeyValue[] }>;
  status?: { code?: string | number; message?: string };
}
interface ResourceSpans {
  resource?: { attributes?: KeyValue[] };
  scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
}

/** Flattens `{trace:{resourceSpans}}` (v2) or `{batches}` (v1) into spans. */
export function decodeTrace(json: unknown): TraceSpan[] {
  const j = json as { trace?: { resourceSpans?: ResourceSpans[] }; batches?: ResourceSpans[]; resourceSpans?: ResourceSpans[] };
  const batches = j.trace?.resourceSpans ?? j.batches ?? j.resourceSpans ?? [];
  const out: TraceSpan[] = [];
  for (const rs of batches) {
    const resource = attrs(rs.resource?.attributes);
    const service = resource['service.name'] ?? 'unknown';
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const code = s.status?.code;
        out.push({
          spanId: idToHex(s.spanId),
          parentId: idToHex(s.parentSpanId),
          name: s.name ?? '',
          service,
          kind: String(s.kind ?? 'SPAN_KIND_INTERNAL').replace(/^SPAN_KIND_/, '').toLowerCase(),
          startMs: nsToMs(s.startTimeUnixNano),
          endMs: nsToMs(s.endTimeUnixNano),
          error: code === 'STATUS_CODE_ERROR' || code === 2,
          statusMessage: s.status?.message ?? '',
          attributes: attrs(s.attributes),
          resource,
          events: (s.events ?? []).map((e) => ({ name: e.name ?? '', timeMs: nsToMs(e.timeUnixNano), attributes: attrs(e.attributes) })),
        });
      }
    }
  }
  return out;
}

/**
 * Orders spans as a tree (parents before children, siblings by start) with their depth, and
 * marks the critical path: from each root, repeatedly the child that ends last.
 * Spans whose parent is missing from the trace are treated as roots.
 */
export function traceRows(spans: readonly TraceSpan[]): TraceRow[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const s of spans) {
    if (s.parentId === '' || !ids.has(s.parentId) || s.parentId === s.spanId) roots.push(s);
    else {
      const list = children.get(s.parentId) ?? [];
      list.push(s);
      children.set(s.parentId, list);
    }
  }
  const byStart = (a: TraceSpan, b: TraceSpan): number => a.startMs - b.startMs;
  roots.sort(byStart);
  for (const l of children.values()) l.sort(byStart);

  const critical = new Set<string>();
  const lastRoot = roots.reduce<TraceSpan | undefined>((m, r) => (m === undefined || r.endMs > m.endMs ? r : m), undefined);
  for (let s = lastRoot; s !== undefined; ) {
    critical.add(s.spanId);
    const kids = children.get(s.spanId) ?? [];
    s = kids.reduce<TraceSpan | undefined>((m, k) => (m === undefined || k.endMs > m.endMs ? k : m), undefined);
  }

  const rows: TraceRow[] = [];
  const seen = new Set<string>();
  const visit = (s: TraceSpan, depth: number): void => {
    if (seen.has(s.spanId)) return; // a cycle in bad data must not hang the page
    seen.add(s.spanId);
    rows.push({ span: s, depth, critical: critical.has(s.spanId) });
    for (const c of children.get(s.spanId) ?? []) visit(c, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  // Spans only reachable through a cycle still show, at the top level.
  for (const s of [...spans].sort(byStart)) visit(s, 0);
  return rows;
}

/**
 * A search result's duration: Tempo sends `durationMs` as whole milliseconds and leaves it out
 * when it is 0, so a missing or 0 value means under a millisecond (not "0s").
 */
export function searchDurationSeconds(durationMs: number | undefined): number | '<1ms' {
  return durationMs === undefined || durationMs === 0 ? '<1ms' : durationMs / 1000;
}
