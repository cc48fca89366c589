import type { AnyValue, KeyValue } from './any-value.js';
import type { OtlpSignal } from './decode.js';
import type { OtlpResource, OtlpScope } from './resource.js';
import { otlpTypes } from './schema.js';
import { SPAN_KINDS, STATUS_CODES, type OtlpResourceSpans, type OtlpSpan, type OtlpTraces } from './traces.js';

/**
 * Encoders for what Ichigen sends: OTLP export responses, and traces as OTLP protobuf or
 * JSON (Tempo's trace-by-id API returns them; the remote trace store exports them).
 */

const RESPONSE_TYPES = { traces: otlpTypes.traceResponse, metrics: otlpTypes.metricsResponse, logs: otlpTypes.logsResponse } as const;
const REJECTED_FIELD = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' } as const;

export interface PartialSuccess {
  readonly rejected: number;
  readonly message?: string | undefined;
}

/** The response object; partial_success is present only when something was rejected or said. */
function responseObject(signal: OtlpSignal, partial: PartialSuccess | undefined): Record<string, unknown> {
  if (partial === undefined || (partial.rejected === 0 && (partial.message ?? '') === '')) return {};
  return { partialSuccess: { [REJECTED_FIELD[signal]]: String(partial.rejected), errorMessage: partial.message ?? '' } };
}

export function encodeExportResponse(signal: OtlpSignal, encoding: 'protobuf' | 'json', partial?: PartialSuccess): Buffer {
  const o = responseObject(signal, partial);
  if (encoding === 'json') return Buffer.from(JSON.stringify(o));
  return Buffer.from(RESPONSE_TYPES[signal].encode(o).finish());
}

// ---- traces ------------------------------------------------------------------------------

function anyValueProto(v: AnyValue): Record<string, unknown> {
  switch (v.type) {
    case 'string':
      return { stringValue: v.value };
    case 'bool':
      return { boolValue: v.value };
    case 'int':
      return { intValue: v.value.toString() };
    case 'double':
      return { doubleValue: v.value };
    case 'bytes':
      return { bytesValue: v.value };
    case 'array':
      return { arrayValue: { values: v.value.map(anyValueProto) } };
    case 'kvlist':
      return { kvlistValue: { values: keyValuesProto(v.value) } };
    case 'empty':
      return {};
  }
}

function keyValuesProto(kvs: readonly KeyValue[]): Array<Record<string, unknown>> {
  return kvs.map((kv) => ({ key: kv.key, value: anyValueProto(kv.value) }));
}

const hexBytes = (h: string): Buffer | undefined => (h === '' ? undefined : Buffer.from(h, 'hex'));

function resourceProto(r: OtlpResource): Record<string, unknown> {
  return { attributes: keyValuesProto(r.attributes), droppedAttributesCount: r.droppedAttributesCount };
}

function scopeProto(s: OtlpScope): Record<string, unknown> {
  return { name: s.name, version: s.version, attributes: keyValuesProto(s.attributes), droppedAttributesCount: s.droppedAttributesCount };
}

function spanProto(s: OtlpSpan): Record<string, unknown> {
  return {
    traceId: hexBytes(s.traceId),
    spanId: hexBytes(s.spanId),
    traceState: s.traceState,
    parentSpanId: hexBytes(s.parentSpanId),
    flags: s.flags,
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: s.startTimeUnixNano.toString(),
    endTimeUnixNano: s.endTimeUnixNano.toString(),
    attributes: keyValuesProto(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events.map((e) => ({
      timeUnixNano: e.timeUnixNano.toString(),
      name: e.name,
      attributes: keyValuesProto(e.attributes),
      droppedAttributesCount: e.droppedAttributesCount,
    })),
    droppedEventsCount: s.droppedEventsCount,
    links: s.links.map((l) => ({
      traceId: hexBytes(l.traceId),
      spanId: hexBytes(l.spanId),
      traceState: l.traceState,
      attributes: keyValuesProto(l.attributes),
      droppedAttributesCount: l.droppedAttributesCount,
      flags: l.flags,
    })),
    droppedLinksCount: s.droppedLinksCount,
    status: { code: s.status.code, message: s.status.message },
  };
}

function resourceSpansProto(rs: OtlpResourceSpans): Record<string, unknown> {
  return {
    resource: resourceProto(rs.resource),
    schemaUrl: rs.schemaUrl,
    scopeSpans: rs.scopeSpans.map((ss) => ({ scope: scopeProto(ss.scope), schemaUrl: ss.schemaUrl, spans: ss.spans.map(spanProto) })),
  };
}

/** Traces as an OTLP `TracesData` (== ExportTraceServiceRequest on the wire) protobuf. */
export function encodeTracesProto(t: OtlpTraces): Buffer {
  return Buffer.from(otlpTypes.tracesData.encode({ resourceSpans: t.resourceSpans.map(resourceSpansProto) }).finish());
}


export interface TracesJsonOptions {
  /** 'hex' for OTLP/JSON; 'base64' for generic protobuf JSON (what Tempo's API answers). */
  readonly ids: 'hex' | 'base64';
  /** 'number' for OTLP/JSON; 'name' for generic protobuf JSON. */
  readonly enums: 'number' | 'name';
  /** Leave out fields holding their default (protobuf JSON does; OTLP/JSON may). */
  readonly omitDefaults: boolean;
}

/** Traces as a JSON-ready object (`{resourceSpans:[…]}`) in OTLP/JSON or protobuf-JSON style. */
export function tracesToJsonObject(t: OtlpTraces, o: TracesJsonOptions): Record<string, unknown> {
  const idText = (h: string): string | undefined => (h === '' ? undefined : o.ids === 'hex' ? h : Buffer.from(h, 'hex').toString('base64'));
  const put = (target: Record<string, unknown>, k: string, v: unknown, isDefault: boolean): void => {
    if (v === undefined || (o.omitDefaults && isDefault)) return;
    target[k] = v;
  };
  const av = (v: AnyValue): Record<string, unknown> => {
    switch (v.type) {
      case 'string':
        return { stringValue: v.value };
      case 'bool':
        return { boolValue: v.value };
      case 'int':
        return { intValue: v.value.toString() };
      case 'double':
        return { doubleValue: Number.isFinite(v.value) ? v.value : String(v.value) };
      case 'bytes':
        return { bytesValue: v.value.toString('base64') };
      case 'array':
        return { arrayValue: { values: v.value.map(av) } };
      case 'kvlist':
        return { kvlistValue: { values: kvs(v.value) } };
      case 'empty':
        return {};
    }
  };
  const kvs = (list: readonly KeyValue[]): Array<Record<string, unknown>> => list.map((kv) => ({ key: kv.key, value: av(kv.value) }));
  const withAttrs = (target: Record<string, unknown>, attrs: readonly KeyValue[], dropped: number): void => {
    put(target, 'attributes', kvs(attrs), attrs.length === 0);
    put(target, 'droppedAttributesCount', dropped, dropped === 0);
  };
  const kind = (k: number): unknown => (o.enums === 'name' ? (SPAN_KINDS[k] ?? k) : k);
  const code = (c: number): unknown => (o.enums === 'name' ? (STATUS_CODES[c] ?? c) : c);
  return {
    resourceSpans: t.resourceSpans.map((rs) => {
      const out: Record<string, unknown> = {};
      const res: Record<string, unknown> = {};
      withAttrs(res, rs.resource.attributes, rs.resource.droppedAttributesCount);
      out.resource = res;
      out.scopeSpans = rs.scopeSpans.map((ss) => {
        const so: Record<string, unknown> = {};
        const scope: Record<string, unknown> = {};
        put(scope, 'name', ss.scope.name, ss.scope.name === '');
        put(scope, 'version', ss.scope.version, ss.scope.version === '');
        withAttrs(scope, ss.scope.attributes, ss.scope.droppedAttributesCount);
        so.scope = scope;
        so.spans = ss.spans.map((s) => {
          const sp: Record<string, unknown> = {};
          put(sp, 'traceId', idText(s.traceId), false);
          put(sp, 'spanId', idText(s.spanId), false);
          put(sp, 'traceState', s.traceState, s.traceState === '');
          put(sp, 'parentSpanId', idText(s.parentSpanId), false);
          put(sp, 'flags', s.flags, s.flags === 0);
          put(sp, 'name', s.name, s.name === '');
          put(sp, 'kind', kind(s.kind), s.kind === 0);
          put(sp, 'startTimeUnixNano', s.startTimeUnixNano.toString(), s.startTimeUnixNano === 0n);
          put(sp, 'endTimeUnixNano', s.endTimeUnixNano.toString(), s.endTimeUnixNano === 0n);
          withAttrs(sp, s.attributes, s.droppedAttributesCount);
          put(
            sp,
            'events',
            s.events.map((e) => {
              const eo: Record<string, unknown> = {};
              put(eo, 'timeUnixNano', e.timeUnixNano.toString(), e.timeUnixNano === 0n);
              put(eo, 'name', e.name, e.name === '');
              withAttrs(eo, e.attributes, e.droppedAttributesCount);
              return eo;
            }),
            s.events.length === 0,
          );
          put(sp, 'droppedEventsCount', s.droppedEventsCount, s.droppedEventsCount === 0);
          put(
            sp,
            'links',
            s.links.map((l) => {
              const lo: Record<string, unknown> = {};
              put(lo, 'traceId', idText(l.traceId), false);
              put(lo, 'spanId', idText(l.spanId), false);
              put(lo, 'traceState', l.traceState, l.traceState === '');
              withAttrs(lo, l.attributes, l.droppedAttributesCount);
              put(lo, 'flags', l.flags, l.flags === 0);
              return lo;
            }),
            s.links.length === 0,
          );
          put(sp, 'droppedLinksCount', s.droppedLinksCount, s.droppedLinksCount === 0);
          const st: Record<string, unknown> = {};
          put(st, 'message', s.status.message, s.status.message === '');
          put(st, 'code', code(s.status.code), s.status.code === 0);
          sp.status = st;
          return sp;
        });
        put(so, 'schemaUrl', ss.schemaUrl, ss.schemaUrl === '');
        return so;
      });
      put(out, 'schemaUrl', rs.schemaUrl, rs.schemaUrl === '');
      return out;
    }),
  };
}
