import { IchigenError } from '../../model/index.js';
import type { KeyValue } from '../../receive/otlp/index.js';
import { buildTrace, fieldValue, fromAnyValue, matches, parseTraceql, type EvalSpan, type EvalTrace, type FieldExpr, type Val } from '../../query/index.js';
import type { NsRange, TraceStore } from '../../store/index.js';
import { valText, valTypeName } from './attribute-json.js';
import { param, rangeParam, type Query } from './params.js';

const ATTR_SCOPES = ['span', 'resource', 'event', 'link', 'instrumentation'] as const;
type AttrScope = (typeof ATTR_SCOPES)[number];
/** The intrinsics Tempo lists under the `intrinsic` scope. */
const INTRINSIC_TAGS = [
  'duration', 'event:name', 'event:timeSinceStart', 'instrumentation:name', 'instrumentation:version', 'kind', 'name', 'rootName', 'rootServiceName',
  'span:duration', 'span:kind', 'span:name', 'span:status', 'span:statusMessage', 'status', 'statusMessage', 'trace:duration', 'trace:rootName',
  'trace:rootService', 'traceDuration',
];

function scopeLists(e: EvalSpan): Record<AttrScope, ReadonlyArray<readonly KeyValue[]>> {
  const sp = e.s.span;
  return {
    span: [sp.attributes],
    resource: [e.s.resource.attributes],
    event: sp.events.map((x) => x.attributes),
    link: sp.links.map((x) => x.attributes),
    instrumentation: [e.s.scope.attributes],
  };
}

/** The first spanset filter of `q` as a span predicate; an incomplete or invalid filter is ignored (as Tempo does). */
function spanFilter(q: Query): FieldExpr | undefined {
  const text = param(q, 'q');
  if (text === undefined || text.trim() === '{}') return undefined;
  try {
    const parsed = parseTraceql(text);
    const first = parsed.stages[0];
    if (first?.kind === 'spanset' && first.expr.kind === 'filter') return first.expr.expr;
  } catch {
    return undefined;
  }
  return undefined;
}

async function eachSpan(store: TraceStore, tenant: string, range: NsRange, maxTraces: number, fn: (e: EvalSpan, t: EvalTrace) => void, filter?: FieldExpr): Promise<void> {
  const traces = await store.traces(tenant, { range, maxTraces });
  for (const [id, spans] of traces) {
    const t = buildTrace(id, spans);
    for (const e of t.spans) if (filter === undefined || matches(filter, e, t)) fn(e, t);
  }
}

function parseScope(q: Query): AttrScope | 'intrinsic' | 'all' {
  const s = param(q, 'scope') ?? 'all';
  if (s === 'all' || s === 'intrinsic' || (ATTR_SCOPES as readonly string[]).includes(s)) return s as AttrScope;
  throw new IchigenError('INVALID_PARAMETER', `invalid scope: ${s}`);
}

/** /api/search/tags (v1: one list) and /api/v2/search/tags (per scope). */
export async function tagNames(store: TraceStore, tenant: string, q: Query, v2: boolean, maxTraces: number): Promise<Record<string, unknown>> {
  const scope = parseScope(q);
  const filter = v2 ? spanFilter(q) : undefined;
  const names: Record<AttrScope, Set<string>> = { span: new Set(), resource: new Set(), event: new Set(), link: new Set(), instrumentation: new Set() };
  const wanted = scope === 'all' ? ATTR_SCOPES : scope === 'intrinsic' ? [] : [scope];
  if (wanted.length > 0) {
    await eachSpan(store, tenant, rangeParam(q), maxTraces, (e) => {
      const lists = scopeLists(e);
      for (const s of wanted) for (const l of lists[s]) for (const kv of l) names[s].add(kv.key);
    }, filter);
  }
  if (!v2) {
    const all = new Set<string>();
    for (const s of wanted) for (const n of names[s]) all.add(n);
    return { tagNames: [...all].sort() };
  }
  const scopes: Array<{ name: string; tags: string[] }> = [];
  for (const s of wanted) if (names[s].size > 0) scopes.push({ name: s, tags: [...names[s]].sort() });
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

function addVal(out: Map<string, Val>, v: Val | undefined): void {
  if (v === undefined) return;
  if (v.t === 'array') {
    for (const x of v.v) addVal(out, x);
    return;
  }
  out.set(`${v.t}:${valText(v)}`, v);
}

/** /api/search/tag/<tag>/values (v1: strings of an unscoped name) and the typed v2. */
export async function tagValues(store: TraceStore, tenant: string, tag: string, q: Query, v2: boolean, maxTraces: number): Promise<Record<string, unknown>> {
  const values = new Map<string, Val>();
  const filter = v2 ? spanFilter(q) : undefined;
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
  await eachSpan(store, tenant, rangeParam(q), maxTraces, (e, t) => {
    if (intrinsic !== undefined) {
      if ((tag === 'rootName' || tag === 'trace:rootName') && !t.root) return addVal(values, { t: 'string', v: '' });
      const v = fieldValue(intrinsic, e, t);
      if (tag.startsWith('event:')) for (const ev of e.s.span.events) addVal(values, { t: 'string', v: ev.name });
      else addVal(values, v);
      return;
    }
    const lists = scopeLists(e);
    const scopes = scope === 'any' ? ATTR_SCOPES : [scope];
    for (const s of scopes) for (const l of lists[s]) for (const kv of l) if (kv.key === name) addVal(values, fromAnyValue(kv.value));
  }, filter);
  const sorted = [...values.values()].sort((a, b) => (valText(a) < valText(b) ? -1 : 1));
  if (!v2) return { tagValues: [...new Set(sorted.map(valText))] };
  return { tagValues: sorted.map((v) => ({ type: valTypeName(v), value: valText(v) })), metrics: {} };
}
