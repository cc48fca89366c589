import type { DuckDBAppender, DuckDBValue } from '@duckdb/node-api';
import { getAttribute, type OtlpResource, type OtlpScope } from '../../receive/otlp/index.js';
import { attributeText, parseAttributeText } from './attr-tokens.js';
import type { SpanCatalog } from './span-catalog.js';
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

/** Appends one span as a row (column order: SPAN_COLUMNS); returns its attribute text. */
export function appendSpanRow(a: DuckDBAppender, tenant: string, s: StoredSpan, resources: SpanCatalog<OtlpResource>, scopes: SpanCatalog<OtlpScope>, flushNo: number): string {
  const sp = s.span;
  a.appendVarchar(tenant);
  a.appendUHugeInt(BigInt(`0x${sp.traceId}`));
  a.appendUBigInt(BigInt(`0x${sp.spanId}`));
  a.appendUBigInt(sp.parentSpanId === '' ? 0n : BigInt(`0x${sp.parentSpanId}`));
  a.appendBigInt(toI64(sp.startTimeUnixNano));
  a.appendBigInt(toI64(sp.endTimeUnixNano));
  a.appendVarchar(serviceOf(s));
  a.appendVarchar(sp.name);
  a.appendUTinyInt(sp.kind);
  a.appendUTinyInt(sp.status.code);
  a.appendUBigInt(resources.id(s.resource, s.resourceSchemaUrl));
  a.appendUBigInt(scopes.id(s.scope, s.scopeSchemaUrl));
  const attrs = attributeText(sp.attributes);
  a.appendVarchar(attrs);
  a.appendBlob(
    encodeSpanPayload({
      droppedAttributesCount: sp.droppedAttributesCount,
      events: sp.events,
      droppedEventsCount: sp.droppedEventsCount,
      links: sp.links,
      droppedLinksCount: sp.droppedLinksCount,
      statusMessage: sp.status.message,
      traceState: sp.traceState,
      flags: sp.flags,
    }),
  );
  a.appendUInteger(flushNo);
  a.endRow();
  return attrs;
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
