import { encodeTracesProto, tracesToJsonObject } from '../../receive/otlp/index.js';
import { groupSpans, type NsRange, type StoredSpan } from '../../store/index.js';

/** Tempo's TraceByIDResponse { Trace trace = 1; … status = 3 } around an OTLP trace. */
export function encodeTraceByIdResponse(spans: readonly StoredSpan[]): Buffer {
  const body = spans.length === 0 ? Buffer.alloc(0) : encodeTracesProto(groupSpans(sortSpans(spans)));
  // field 1, wire type 2 (length-delimited), then the Trace message (same fields as TracesData)
  const len = varint(body.length);
  return Buffer.concat([Buffer.from([0x0a]), len, body]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

export function sortSpans(spans: readonly StoredSpan[]): StoredSpan[] {
  return [...spans].sort((a, b) => (a.span.startTimeUnixNano < b.span.startTimeUnixNano ? -1 : a.span.startTimeUnixNano > b.span.startTimeUnixNano ? 1 : 0));
}

/** The trace as Tempo's JSON (protobuf JSON: base64 ids, enum names, defaults left out). */
export function traceJson(spans: readonly StoredSpan[]): Record<string, unknown> {
  return tracesToJsonObject(groupSpans(sortSpans(spans)), { ids: 'base64', enums: 'name', omitDefaults: true });
}

export function traceProto(spans: readonly StoredSpan[]): Buffer {
  return encodeTracesProto(groupSpans(sortSpans(spans)));
}

export type { NsRange };
