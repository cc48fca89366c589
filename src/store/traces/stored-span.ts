import { decodeOtlpRequest, encodeTracesProto, type OtlpResource, type OtlpScope, type OtlpSpan, type OtlpTraces } from '../../receive/otlp/index.js';

/** One span with the resource and scope it came with: the unit the trace store keeps. */
export interface StoredSpan {
  readonly resource: OtlpResource;
  readonly resourceSchemaUrl: string;
  readonly scope: OtlpScope;
  readonly scopeSchemaUrl: string;
  readonly span: OtlpSpan;
}

/** Flattens a request into stored spans (resource and scope objects are shared, not copied). */
export function flattenTraces(t: OtlpTraces): StoredSpan[] {
  const out: StoredSpan[] = [];
  for (const rs of t.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) out.push({ resource: rs.resource, resourceSchemaUrl: rs.schemaUrl, scope: ss.scope, scopeSchemaUrl: ss.schemaUrl, span });
    }
  }
  return out;
}

/**
 * Groups spans back into OTLP ResourceSpans/ScopeSpans (spans that shared a resource and
 * scope object share them again), in the order given.
 */
export function groupSpans(spans: readonly StoredSpan[]): OtlpTraces {
  const byResource = new Map<OtlpResource, { schemaUrl: string; scopes: Map<OtlpScope, { schemaUrl: string; spans: OtlpSpan[] }> }>();
  const resourceKeys = new Map<string, OtlpResource>();
  const scopeKeys = new Map<string, OtlpScope>();
  for (const s of spans) {
    // Spans read back from storage carry equal but distinct objects: unify by content.
    const rk = resourceKey(s.resource) + '\u0000' + s.resourceSchemaUrl;
    const resource = resourceKeys.get(rk) ?? s.resource;
    resourceKeys.set(rk, resource);
    let r = byResource.get(resource);
    if (!r) byResource.set(resource, (r = { schemaUrl: s.resourceSchemaUrl, scopes: new Map() }));
    const sk = rk + '\u0001' + scopeKey(s.scope) + '\u0000' + s.scopeSchemaUrl;
    const scope = scopeKeys.get(sk) ?? s.scope;
    scopeKeys.set(sk, scope);
    let sc = r.scopes.get(scope);
    if (!sc) r.scopes.set(scope, (sc = { schemaUrl: s.scopeSchemaUrl, spans: [] }));
    sc.spans.push(s.span);
  }
  return {
    resourceSpans: [...byResource.entries()].map(([resource, r]) => ({
      resource,
      schemaUrl: r.schemaUrl,
      scopeSpans: [...r.scopes.entries()].map(([scope, sc]) => ({ scope, schemaUrl: sc.schemaUrl, spans: sc.spans })),
    })),
  };
}

const keyCache = new WeakMap<object, string>();
function cachedKey(o: object, make: () => string): string {
  let k = keyCache.get(o);
  if (k === undefined) keyCache.set(o, (k = make()));
  return k;
}
const jsonWithBigints = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : Buffer.isBuffer(x) ? x.toString('base64') : x));
function resourceKey(r: OtlpResource): string {
  return cachedKey(r, () => jsonWithBigints(r));
}
function scopeKey(s: OtlpScope): string {
  return cachedKey(s, () => jsonWithBigints(s));
}

/** One span as a self-contained OTLP TracesData protobuf (what the columnar store keeps per row). */
export function encodeStoredSpan(s: StoredSpan): Buffer {
  return encodeTracesProto({
    resourceSpans: [{ resource: s.resource, schemaUrl: s.resourceSchemaUrl, scopeSpans: [{ scope: s.scope, schemaUrl: s.scopeSchemaUrl, spans: [s.span] }] }],
  });
}

export function decodeStoredSpan(buf: Uint8Array): StoredSpan {
  const t = decodeOtlpRequest('traces', Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), 'protobuf');
  const rs = t.resourceSpans[0]!;
  const ss = rs.scopeSpans[0]!;
  return { resource: rs.resource, resourceSchemaUrl: rs.schemaUrl, scope: ss.scope, scopeSchemaUrl: ss.schemaUrl, span: ss.spans[0]! };
}
