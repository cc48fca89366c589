import type { DuckDBValue } from '@duckdb/node-api';
import { getAttribute, type OtlpResource, type OtlpScope, type OtlpSpan, type OtlpTraces } from '../../receive/otlp/index.js';
import { attributeText, parseAttributeText } from './attr-tokens.js';
import type { SpanCatalog } from './span-catalog.js';
import type { HeadSpan } from './span-head.js';
import { decodeSpanPayload, encodeSpanPayload } from './span-codec.js';
import type { StoredSpan } from './stored-span.js';

const MAX_I64 = (1n << 63n) - 1n;
export const toI64 = (v: bigint): bigint => (v > MAX_I64 ? MAX_I64 : v < 0n ? 0n : v);
const EMPTY_RESOURCE: OtlpResource = { attributes: [], droppedAttributesCount: 0 };
const EMPTY_SCOPE: OtlpScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };

export function serviceOf(s: StoredSpan): string {
  const v = getAttribute(s.resource.attributes, 'service.name');
  return v?.type === 'string' ? v.value : '';
}

/** Span names repeat: one string per distinct name in the head, not one per span (bounded). */
const names = new Map<string, string>();
function intern(name: string): string {
  const known = names.get(name);
  if (known !== undefined) return known;
  if (names.size >= 10_000) names.clear();
  names.set(name, name);
  return name;
}

/** A span as the head keeps it (registers its resource and scope in the catalogs). */
export function toHeadSpan(s: StoredSpan, resources: SpanCatalog<OtlpResource>, scopes: SpanCatalog<OtlpScope>): HeadSpan {
  return headSpan(s.span, serviceOf(s), resources.id(s.resource, s.resourceSchemaUrl), scopes.id(s.scope, s.scopeSchemaUrl));
}

/** The spans of a request as the head keeps them: service and catalog ids found once per resource and scope, not per span. */
export function toHeadSpans(t: OtlpTraces, resources: SpanCatalog<OtlpResource>, scopes: SpanCatalog<OtlpScope>): HeadSpan[] {
  const out: HeadSpan[] = [];
  for (const rs of t.resourceSpans) {
    if (rs.scopeSpans.length === 0) continue;
    const sv = getAttribute(rs.resource.attributes, 'service.name');
    const service = sv?.type === 'string' ? sv.value : '';
    const resourceId = resources.id(rs.resource, rs.schemaUrl);
    for (const ss of rs.scopeSpans) {
      if (ss.spans.length === 0) continue;
      const scopeId = scopes.id(ss.scope, ss.schemaUrl);
      for (const sp of ss.spans) out.push(headSpan(sp, service, resourceId, scopeId));
    }
  }
  return out;
}

function headSpan(sp: OtlpSpan, service: string, resourceId: bigint, scopeId: bigint): HeadSpan {
  return {
    traceId: sp.traceId,
    spanId: sp.spanId,
    parentSpanId: sp.parentSpanId,
    startNs: sp.startTimeUnixNano,
    endNs: sp.endTimeUnixNano,
    service,
    name: intern(sp.name),
    kind: sp.kind,
    status: sp.status.code,
    resourceId,
    scopeId,
    attrs: attributeText(sp.attributes),
    payload: encodeSpanPayload({
      droppedAttributesCount: sp.droppedAttributesCount,
      events: sp.events,
      droppedEventsCount: sp.droppedEventsCount,
      links: sp.links,
      droppedLinksCount: sp.droppedLinksCount,
      statusMessage: sp.status.message,
      traceState: sp.traceState,
      flags: sp.flags,
    }),
  };
}

const hex = (v: bigint, digits: number): string => v.toString(16).padStart(digits, '0');

/** Rebuilds a span from a row read with READ_COLUMNS. */
export function spanFromRow(r: readonly DuckDBValue[], resources: SpanCatalog<OtlpResource>, scopes: SpanCatalog<OtlpScope>): StoredSpan {
  const parent = r[2] as bigint;
  const p = decodeSpanPayload((r[10] as { bytes: Uint8Array }).bytes);
  const attributes = p.attributes ?? parseAttributeText(r[11] as string);
  const res = resources.get(r[8] as bigint);
  const sc = scopes.get(r[9] as bigint);
  return {
    resource: res?.value ?? EMPTY_RESOURCE,
    resourceSchemaUrl: res?.schemaUrl ?? '',
    scope: sc?.value ?? EMPTY_SCOPE,
    scopeSchemaUrl: sc?.schemaUrl ?? '',
    span: {
      traceId: hex(r[0] as bigint, 32),
      spanId: hex(r[1] as bigint, 16),
      parentSpanId: parent === 0n ? '' : hex(parent, 16),
      traceState: p.traceState,
      flags: p.flags,
      name: r[5] as string,
      kind: Number(r[6]),
      startTimeUnixNano: r[3] as bigint,
      endTimeUnixNano: r[4] as bigint,
      attributes,
      droppedAttributesCount: p.droppedAttributesCount,
      events: p.events,
      droppedEventsCount: p.droppedEventsCount,
      links: p.links,
      droppedLinksCount: p.droppedLinksCount,
      status: { code: Number(r[7]), message: p.statusMessage },
    },
  };
}

/** Rebuilds a span the head holds. */
export function spanFromHead(h: HeadSpan, resources: SpanCatalog<OtlpResource>, scopes: SpanCatalog<OtlpScope>): StoredSpan {
  const p = decodeSpanPayload(h.payload);
  const res = resources.get(h.resourceId);
  const sc = scopes.get(h.scopeId);
  return {
    resource: res?.value ?? EMPTY_RESOURCE,
    resourceSchemaUrl: res?.schemaUrl ?? '',
    scope: sc?.value ?? EMPTY_SCOPE,
    scopeSchemaUrl: sc?.schemaUrl ?? '',
    span: {
      traceId: h.traceId,
      spanId: h.spanId,
      parentSpanId: h.parentSpanId,
      traceState: p.traceState,
      flags: p.flags,
      name: h.name,
      kind: h.kind,
      startTimeUnixNano: h.startNs,
      endTimeUnixNano: h.endNs,
      attributes: parseAttributeText(h.attrs),
      droppedAttributesCount: p.droppedAttributesCount,
      events: p.events,
      droppedEventsCount: p.droppedEventsCount,
      links: p.links,
      droppedLinksCount: p.droppedLinksCount,
      status: { code: h.status, message: p.statusMessage },
    },
  };
}

/** Drops repeats (a span re-sent, or read from both memory and DuckDB during a flush); sorts by start. */
export function dedupeSpans(spans: StoredSpan[]): StoredSpan[] {
  const seen = new Set<string>();
  const out: StoredSpan[] = [];
  for (const s of spans) {
    const k = `${s.span.spanId}/${s.span.startTimeUnixNano}/${s.span.kind}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out.sort((a, b) => (a.span.startTimeUnixNano < b.span.startTimeUnixNano ? -1 : a.span.startTimeUnixNano > b.span.startTimeUnixNano ? 1 : 0));
}
