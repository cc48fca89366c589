import type { KeyValue } from './any-value.js';
import { bad, enumValue, field, id, int64, keyValues, list, obj, str, uint } from './fields.js';
import { readResource, readScope, type OtlpResource, type OtlpScope } from './resource.js';

/**
 * The normalised form of an OTLP traces request (ExportTraceServiceRequest / TracesData),
 * the same whether it arrived as protobuf or JSON.
 * Ids are lowercase hex strings (32 digits trace, 16 span; '' when absent): hex is what
 * TraceQL, Tempo's search API and logs show, and strings compare and hash cheaply in JS.
 * Times are unix nanoseconds as bigint (a double loses nanoseconds after 2^53).
 */
export interface OtlpTraces {
  readonly resourceSpans: readonly OtlpResourceSpans[];
}

export interface OtlpResourceSpans {
  readonly resource: OtlpResource;
  readonly scopeSpans: readonly OtlpScopeSpans[];
  readonly schemaUrl: string;
}

export interface OtlpScopeSpans {
  readonly scope: OtlpScope;
  readonly spans: readonly OtlpSpan[];
  readonly schemaUrl: string;
}

/** SpanKind numbers as in OTLP. */
export const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'] as const;
/** Status codes as in OTLP. */
export const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly flags: number;
  readonly name: string;
  /** 0..5, see SPAN_KINDS. */
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
  readonly events: readonly OtlpSpanEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly OtlpSpanLink[];
  readonly droppedLinksCount: number;
  /** code 0..2, see STATUS_CODES. */
  readonly status: { readonly code: number; readonly message: string };
}

export interface OtlpSpanEvent {
  readonly timeUnixNano: bigint;
  readonly name: string;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
}

export interface OtlpSpanLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

function readEvent(v: unknown, path: string): OtlpSpanEvent {
  const o = obj(v, path) ?? {};
  return {
    timeUnixNano: int64(field(o, 'timeUnixNano', 'time_unix_nano'), `${path}.timeUnixNano`, true),
    name: str(o.name, `${path}.name`),
    attributes: keyValues(o.attributes, `${path}.attributes`),
    droppedAttributesCount: uint(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), path),
  };
}

function readLink(v: unknown, path: string): OtlpSpanLink {
  const o = obj(v, path) ?? {};
  const traceId = id(field(o, 'traceId', 'trace_id'), 16, `${path}.traceId`);
  const spanId = id(field(o, 'spanId', 'span_id'), 8, `${path}.spanId`);
  if (traceId === '' || spanId === '') throw bad(path, 'a link needs a traceId and a spanId');
  return {
    traceId,
    spanId,
    traceState: str(field(o, 'traceState', 'trace_state'), `${path}.traceState`),
    attributes: keyValues(o.attributes, `${path}.attributes`),
    droppedAttributesCount: uint(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), path),
    flags: uint(o.flags, `${path}.flags`),
  };
}

function readSpan(v: unknown, path: string): OtlpSpan {
  const o = obj(v, path) ?? {};
  const traceId = id(field(o, 'traceId', 'trace_id'), 16, `${path}.traceId`);
  const spanId = id(field(o, 'spanId', 'span_id'), 8, `${path}.spanId`);
  if (traceId === '' || /^0+$/.test(traceId)) throw bad(`${path}.traceId`, 'a span needs a non-zero trace id');
  if (spanId === '' || /^0+$/.test(spanId)) throw bad(`${path}.spanId`, 'a span needs a non-zero span id');
  const st = obj(o.status, `${path}.status`) ?? {};
  return {
    traceId,
    spanId,
    parentSpanId: id(field(o, 'parentSpanId', 'parent_span_id'), 8, `${path}.parentSpanId`),
    traceState: str(field(o, 'traceState', 'trace_state'), `${path}.traceState`),
    flags: uint(o.flags, `${path}.flags`),
    name: str(o.name, `${path}.name`),
    kind: enumValue(o.kind, SPAN_KINDS, `${path}.kind`),
    startTimeUnixNano: int64(field(o, 'startTimeUnixNano', 'start_time_unix_nano'), `${path}.startTimeUnixNano`, true),
    endTimeUnixNano: int64(field(o, 'endTimeUnixNano', 'end_time_unix_nano'), `${path}.endTimeUnixNano`, true),
    attributes: keyValues(o.attributes, `${path}.attributes`),
    droppedAttributesCount: uint(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), path),
    events: list(o.events, `${path}.events`).map((e, i) => readEvent(e, `${path}.events[${i}]`)),
    droppedEventsCount: uint(field(o, 'droppedEventsCount', 'dropped_events_count'), path),
    links: list(o.links, `${path}.links`).map((e, i) => readLink(e, `${path}.links[${i}]`)),
    droppedLinksCount: uint(field(o, 'droppedLinksCount', 'dropped_links_count'), path),
    status: { code: enumValue(st.code, STATUS_CODES, `${path}.status.code`), message: str(st.message, `${path}.status.message`) },
  };
}

/** Converts a decoded protobuf message or a parsed OTLP/JSON object. */
export function readTraces(root: unknown): OtlpTraces {
  const o = obj(root, 'request') ?? {};
  const rss = list(field(o, 'resourceSpans', 'resource_spans'), 'resourceSpans');
  return {
    resourceSpans: rss.map((rsv, i) => {
      const p = `resourceSpans[${i}]`;
      const rs = obj(rsv, p) ?? {};
      const sss = list(field(rs, 'scopeSpans', 'scope_spans') ?? rs.instrumentationLibrarySpans, `${p}.scopeSpans`);
      return {
        resource: readResource(rs.resource, `${p}.resource`),
        schemaUrl: str(field(rs, 'schemaUrl', 'schema_url'), `${p}.schemaUrl`),
        scopeSpans: sss.map((ssv, j) => {
          const q = `${p}.scopeSpans[${j}]`;
          const ss = obj(ssv, q) ?? {};
          return {
            scope: readScope(ss.scope ?? ss.instrumentationLibrary, `${q}.scope`),
            schemaUrl: str(field(ss, 'schemaUrl', 'schema_url'), `${q}.schemaUrl`),
            spans: list(ss.spans, `${q}.spans`).map((sv, k) => readSpan(sv, `${q}.spans[${k}]`)),
          };
        }),
      };
    }),
  };
}

export function countSpans(t: OtlpTraces): number {
  let n = 0;
  for (const rs of t.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}
