import { IchigenError } from '../../model/index.js';
import type { KeyValue } from '../../receive/otlp/index.js';
import { buildTrace, fieldValue, fromAnyValue, matches, parseTraceql, type EvalSpan, type EvalTrace, type FieldExpr, type Val } from '../../query/index.js';
import { TRUE, type StoredSpan, type TraceStore } from '../../store/index.js';
import { valText, valTypeName } from './attribute-json.js';
import { scanTraces } from './candidates.js';
import { param, rangeParam, type Query } from './params.js';
import { distinctInBlockOrder, tagFilter, type TagFilter } from './tag-filter.js';

const ATTR_SCOPES = ['span', 'resource', 'event', 'link', 'instrumentation'] as const;
type AttrScope = (typeof ATTR_SCOPES)[number];
/** The intrinsics Tempo lists under the `intrinsic` scope. */
const INTRINSIC_TAGS = [
  'duration', 'event:name', 'event:timeSinceStart', 'instrumentation:name', 'instrumentation:version', 'kind', 'name', 'rootName', 'rootServiceName',
  'span:duration', 'span:kind', 'span:name', 'span:status', 'span:statusMessage', 'status', 'statusMessage', 'trace:duration', 'trace:rootName',
  'trace:rootService', 'traceDuration',
];

/**
 * Attributes Tempo keeps in dedicated columns rather than the generic key/value lists (when
 * their value has the column's type). Filtered tag searches treat them apart (see below).
 */
const WELL_KNOWN: Record<'resource' | 'span', Record<string, 'string' | 'int'>> = {
  resource: Object.fromEntries(
    ['service.name', 'cluster', 'namespace', 'pod', 'container', 'k8s.cluster.name', 'k8s.namespace.name', 'k8s.pod.name', 'k8s.container.name'].map((k) => [k, 'string' as const]),
  ),
  span: { 'http.method': 'string', 'http.url': 'string', 'http.status_code': 'int' },
};

function isWellKnown(scope: AttrScope, kv: KeyValue): boolean {
  if (scope !== 'resource' && scope !== 'span') return false;
  const t = WELL_KNOWN[scope][kv.key];
  return t !== undefined && kv.value.type === t;
}

/** One row of a scope in storage order, and the span(s) that decide whether it passes a filter. */
interface ScopeRow {
  readonly lists: ReadonlyArray<readonly KeyValue[]>;
  readonly spans: readonly EvalSpan[];
}

/** A trace's rows of one scope: resources and instrumentation scopes once each, spans, events, links. */
function rowsOf(t: EvalTrace, scope: AttrScope): ScopeRow[] {
  if (scope === 'span') return t.spans.map((e) => ({ lists: [e.s.span.attributes], spans: [e] }));
  if (scope === 'event') return t.spans.flatMap((e) => e.s.span.events.map((ev) => ({ lists: [ev.attributes], spans: [e] })));
  if (scope === 'link') return t.spans.flatMap((e) => e.s.span.links.map((l) => ({ lists: [l.attributes], spans: [e] })));
  const groups = new Map<string, { lists: Array<readonly KeyValue[]>; spans: EvalSpan[] }>();
  for (const e of t.spans) {
    const attrs = scope === 'resource' ? e.s.resource.attributes : e.s.scope.attributes;
    const k = JSON.stringify(attrs, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) + (scope === 'instrumentation' ? `\u0000${e.s.scope.name}\u0000${e.s.scope.version}` : '');
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { lists: [attrs], spans: [] }));
    g.spans.push(e);
  }
  return [...groups.values()];
}

/** The newest traces of the window (at most maxTraces: tag answers come from recent data, as Tempo's do). */
async function tracesInRange(store: TraceStore, tenant: string, q: Query, maxTraces: number): Promise<EvalTrace[]> {
  const traces: Array<[string, StoredSpan[]]> = [];
  const range = rangeParam(q);
  await scanTraces(store, tenant, { range, where: TRUE, deadlineMs: Date.now() + 30_000, maxTraces }, (id, spans) => {
    const t = buildTrace(id, spans);
    if (t.startNs <= range.endNs && t.endNs >= range.startNs) traces.push([id, spans]);
  });
  // Block order: Tempo's blocks keep traces sorted by id.
  return traces.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([id, spans]) => buildTrace(id, spans));
}

const rowMatches = (f: TagFilter | undefined, r: ScopeRow, t: EvalTrace): boolean => f === undefined || r.spans.some((e) => matches(f.expr, e, t));

function parseScope(q: Query): AttrScope | 'intrinsic' | 'all' {
  const s = param(q, 'scope') ?? 'all';
  if (s === 'all' || s === 'intrinsic' || (ATTR_SCOPES as readonly string[]).includes(s)) return s as AttrScope;
  throw new IchigenError('INVALID_PARAMETER', `invalid scope: ${s}`);
}

/**
 * Key names of one scope. Unfiltered: every key. Filtered: the dedicated-column keys that hold
 * a value anywhere (Tempo does not filter those), plus the generic keys as its block iteration
 * reports them (see distinctInBlockOrder).
 */
function scopeKeys(traces: readonly EvalTrace[], scope: AttrScope, filter: TagFilter | undefined): string[] {
  const names = new Set<string>();
  if (filter === undefined) {
    for (const t of traces) for (const r of rowsOf(t, scope)) for (const l of r.lists) for (const kv of l) names.add(kv.key);
    return [...names];
  }
  const rows: Array<{ items: string[]; matches: boolean }> = [];
  for (const t of traces) {
    for (const r of rowsOf(t, scope)) {
      const items: string[] = [];
      for (const l of r.lists) {
        for (const kv of l) {
          if (isWellKnown(scope, kv)) names.add(kv.key);
          else if (!items.includes(kv.key)) items.push(kv.key);
        }
      }
      rows.push({ items, matches: rowMatches(filter, r, t) });
    }
  }
  for (const k of distinctInBlockOrder(rows, (k) => k)) names.add(k);
  return [...names];
}

/** /api/search/tags (v1: one list) and /api/v2/search/tags (per scope). */
export async function tagNames(store: TraceStore, tenant: string, q: Query, v2: boolean, maxTraces: number): Promise<Record<string, unknown>> {
  const scope = parseScope(q);
  const filter = v2 ? tagFilter(param(q, 'q')) : undefined;
  const wanted = scope === 'all' ? ATTR_SCOPES : scope === 'intrinsic' ? [] : [scope];
  const traces = wanted.length > 0 ? await tracesInRange(store, tenant, q, maxTraces) : [];
  const perScope = new Map<AttrScope, string[]>();
  for (const s of wanted) perScope.set(s, scopeKeys(traces, s, filter).sort());
  if (!v2) return { tagNames: [...new Set([...perScope.values()].flat())].sort() };
  const scopes: Array<{ name: string; tags: string[] }> = [];
  for (const [name, tags] of perScope) if (tags.length > 0) scopes.push({ name, tags });
  if (scope === 'all' || scope === 'intrinsic') scopes.push({ name: 'intrinsic', tags: INTRINSIC_TAGS });
  return { scopes, metrics: {} };
}

const INTRINSIC_VALUE_FIELDS: Record<string, FieldExpr> = Object.fromEntries(
  ['name', 'status', 'statusMessage', 'kind', 'rootName', 'rootServiceName', 'event:name', 'instrumentation:name', 'instrumentation:version', 'span:name', 'span:status', 'span:kind', 'span:statusMessage', 'trace:rootName', 'trace:rootService'].map((t) => {
    const q = parseTraceql(`{ ${t} != nil }`).stages[0]!;
    const f = q.kind === 'spanset' && q.expr.kind === 'filter' && q.expr.expr.kind === 'binary' ? q.expr.expr.left : undefined;
    return [t, f!];
  }),
);

/** Without a filter Tempo reads status and kind straight from their columns: OTLP's enum numbers. */
const RAW_ENUM_TAGS = new Set(['status', 'span:status', 'kind', 'span:kind']);

function flatVals(v: Val | undefined): Val[] {
  if (v === undefined) return [];
  return v.t === 'array' ? [...v.v] : [v];
}

const valKey = (v: Val): string => `${v.t}:${valText(v)}`;

/** /api/search/tag/<tag>/values (v1: strings of an unscoped name) and the typed v2. */
export async function tagValues(store: TraceStore, tenant: string, tag: string, q: Query, v2: boolean, maxTraces: number): Promise<Record<string, unknown>> {
  const values = new Map<string, Val>();
  const add = (v: Val): void => void values.set(valKey(v), v);
  const intrinsic = v2 ? INTRINSIC_VALUE_FIELDS[tag] : undefined;
  let scope: AttrScope | 'any' = 'any';
  let name = tag;
  if (v2 && intrinsic === undefined) {
    const dot = tag.indexOf('.');
    const prefix = dot < 0 ? '' : tag.slice(0, dot);
    if (dot === 0) name = tag.slice(1);
    else if ((ATTR_SCOPES as readonly string[]).includes(prefix)) {
      scope = prefix as AttrScope;
      name = tag.slice(dot + 1);
    } else throw new IchigenError('INVALID_PARAMETER', `invalid tag "${tag}": use a scoped name such as span.${tag} or .${tag}`);
  }
  // An unscoped tag (v1, or `.x`) always searches unfiltered, as Tempo does.
  const filter = (v2 && scope !== 'any') || intrinsic !== undefined ? tagFilter(param(q, 'q')) : undefined;
  const traces = await tracesInRange(store, tenant, q, maxTraces);
  if (intrinsic !== undefined) {
    const raw = filter === undefined && RAW_ENUM_TAGS.has(tag);
    for (const t of traces) {
      for (const e of t.spans) {
        if (filter !== undefined && !matches(filter.expr, e, t)) continue;
        if (raw) add({ t: 'int', v: BigInt(tag.endsWith('status') ? e.s.span.status.code : e.s.span.kind) });
        else if ((tag === 'rootName' || tag === 'trace:rootName') && !t.root) add({ t: 'string', v: '' });
        else if (tag.startsWith('event:')) for (const ev of e.s.span.events) add({ t: 'string', v: ev.name });
        else flatVals(fieldValue(intrinsic, e, t)).forEach(add);
      }
    }
  } else if (scope === 'any' || filter === undefined) {
    const scopes = scope === 'any' ? ATTR_SCOPES : [scope];
    for (const t of traces) for (const s of scopes) for (const r of rowsOf(t, s)) for (const l of r.lists) for (const kv of l) if (kv.key === name) flatVals(fromAnyValue(kv.value)).forEach(add);
  } else {
    // Filtered, one scope: a dedicated column's values come from the matching rows exactly;
    // a generic attribute's go through Tempo's block iteration (see distinctInBlockOrder).
    const rows: Array<{ items: Val[]; matches: boolean }> = [];
    let dedicated = false;
    for (const t of traces) {
      for (const r of rowsOf(t, scope)) {
        const items: Val[] = [];
        for (const l of r.lists) {
          for (const kv of l) {
            if (kv.key !== name) continue;
            if (isWellKnown(scope, kv)) dedicated = true;
            items.push(...flatVals(fromAnyValue(kv.value)));
          }
        }
        rows.push({ items, matches: rowMatches(filter, r, t) });
      }
    }
    if (dedicated) {
      for (const r of rows) if (r.matches) r.items.forEach(add);
    } else distinctInBlockOrder(rows, valKey).forEach(add);
  }
  const sorted = [...values.values()].sort((a, b) => (valText(a) < valText(b) ? -1 : valText(a) > valText(b) ? 1 : 0));
  if (!v2) return { tagValues: [...new Set(sorted.map(valText))] };
  return { tagValues: sorted.map((v) => ({ type: valTypeName(v), value: valText(v) })), metrics: {} };
}
