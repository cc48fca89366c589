import { IchigenError } from '../../model/index.js';
import {
  buildTrace,
  candidatePredicate,
  fieldValue,
  matches,
  parseTraceql,
  prepareQuery,
  runPipeline,
  type EvalSpan,
  type EvalTrace,
  type FieldExpr,
  type SpansetExpr,
  type TraceqlQuery,
  type Val,
} from '../../query/index.js';
import { TRUE, type StoredSpan, type TraceStore } from '../../store/index.js';
import { valToAnyValue } from './attribute-json.js';
import { scanTraces } from './candidates.js';
import { durationParamNs, intParam, param, rangeParam, type Query } from './params.js';

export interface SearchLimits {
  /** How long one search may read before it answers with what it found. */
  readonly timeoutMs: number;
}

const NO_ROOT = '<root span not yet received>';

/** Every attribute/intrinsic a query mentions in filters and select(): what Tempo returns per span. */
function referencedFields(q: TraceqlQuery): FieldExpr[] {
  const out: FieldExpr[] = [];
  const walkField = (f: FieldExpr): void => {
    if (f.kind === 'attribute' || f.kind === 'intrinsic') out.push(f);
    else if (f.kind === 'binary') {
      walkField(f.left);
      walkField(f.right);
    } else if (f.kind === 'not' || f.kind === 'neg') walkField(f.expr);
  };
  const walkSet = (e: SpansetExpr): void => {
    if (e.kind === 'filter') walkField(e.expr);
    else {
      walkSet(e.left);
      walkSet(e.right);
    }
  };
  for (const s of q.stages) {
    if (s.kind === 'spanset') walkSet(s.expr);
    else if (s.kind === 'select' || s.kind === 'by') s.fields.forEach(walkField);
  }
  return out;
}

const mentionsName = (f: FieldExpr): boolean =>
  (f.kind === 'intrinsic' && f.name === 'name') || (f.kind === 'binary' && (mentionsName(f.left) || mentionsName(f.right))) || ((f.kind === 'not' || f.kind === 'neg') && mentionsName(f.expr));

/**
 * Tempo returns a span's name only when it fetched it for that span: the span was selected by
 * a filter that tests `name`, or by()/select() asks for it.
 */
function nameSources(q: TraceqlQuery): { always: boolean; filters: FieldExpr[] } {
  const filters: FieldExpr[] = [];
  let always = false;
  const walk = (e: SpansetExpr): void => {
    if (e.kind === 'filter') {
      if (mentionsName(e.expr)) filters.push(e.expr);
    } else {
      walk(e.left);
      walk(e.right);
    }
  };
  for (const s of q.stages) {
    if (s.kind === 'spanset') walk(s.expr);
    else if ((s.kind === 'by' || s.kind === 'select') && s.fields.some(mentionsName)) always = true;
  }
  return { always, filters };
}

const SPAN_LEVEL_INTRINSICS = new Set(['status', 'statusMessage', 'kind']);

function spanJson(e: EvalSpan, trace: EvalTrace, withName: boolean, fields: readonly FieldExpr[]): Record<string, unknown> {
  const sp = e.s.span;
  const out: Record<string, unknown> = { spanID: sp.spanId };
  if (withName && sp.name !== '') out.name = sp.name;
  out.startTimeUnixNano = sp.startTimeUnixNano.toString();
  out.durationNanos = String(e.durationNs);
  const attrs: Array<Record<string, unknown>> = [];
  const seen = new Set<string>();
  for (const f of fields) {
    if (f.kind === 'intrinsic' && !SPAN_LEVEL_INTRINSICS.has(f.name)) continue;
    if (f.kind === 'attribute' && (f.scope === 'event' || f.scope === 'link')) continue;
    if (f.kind !== 'attribute' && f.kind !== 'intrinsic') continue;
    const key = f.name;
    if (seen.has(key)) continue;
    const v = fieldValue(f, e, trace);
    if (v === undefined) continue;
    if (f.kind === 'intrinsic' && f.name === 'statusMessage' && v.t === 'string' && v.v === '') continue;
    seen.add(key);
    attrs.push({ key, value: valToAnyValue(v) });
  }
  if (attrs.length > 0) out.attributes = attrs;
  return out;
}

function traceMeta(t: EvalTrace, withStats: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { traceID: t.traceId.replace(/^0+/, '') || '0' };
  if (t.root) {
    out.rootServiceName = t.root.service;
    out.rootTraceName = t.root.s.span.name;
  } else out.rootServiceName = NO_ROOT;
  out.startTimeUnixNano = t.startNs.toString();
  const ms = Number((t.endNs - t.startNs) / 1_000_000n);
  if (ms > 0) out.durationMs = ms;
  if (withStats) {
    const stats: Record<string, { spanCount: number; errorCount?: number }> = {};
    for (const s of t.spans) {
      const st = (stats[s.service] ??= { spanCount: 0 });
      st.spanCount++;
      if (s.s.span.status.code === 2) st.errorCount = (st.errorCount ?? 0) + 1;
    }
    out.serviceStats = stats;
  }
  return out;
}

function overlaps(t: EvalTrace, startNs: bigint, endNs: bigint): boolean {
  return t.startNs <= endNs && t.endNs >= startNs;
}

/** GET /api/search: TraceQL (`q`) or the legacy tag search (`tags`, `minDuration`, `maxDuration`). */
export async function search(store: TraceStore, tenant: string, q: Query, limits: SearchLimits): Promise<Record<string, unknown>> {
  const text = param(q, 'q');
  const tags = param(q, 'tags');
  const limit = intParam(q, 'limit', 20);
  const spss = intParam(q, 'spss', 3);
  if (limit <= 0) throw new IchigenError('INVALID_PARAMETER', 'invalid limit: must be a positive number');
  if (spss <= 0) throw new IchigenError('INVALID_PARAMETER', 'invalid spss: must be a positive number');
  if (text !== undefined && tags !== undefined) throw new IchigenError('INVALID_PARAMETER', "invalid request: can't specify tags and q in the same query");
  const minDur = durationParamNs(q, 'minDuration');
  const maxDur = durationParamNs(q, 'maxDuration');
  if (minDur !== undefined && maxDur !== undefined && maxDur < minDur) throw new IchigenError('INVALID_PARAMETER', 'invalid maxDuration: must be greater than minDuration');
  const range = rangeParam(q);
  const query = text === undefined ? undefined : parseTraceql(text);
  if (query !== undefined) {
    if (query.metrics !== undefined) throw new IchigenError('INVALID_PARAMETER', 'invalid TraceQL query: metrics queries go to /api/metrics/query_range');
    prepareQuery(query);
  }
  const legacy = query === undefined ? parseLegacyTags(tags ?? '') : undefined;
  const fields = query ? referencedFields(query) : [];
  const names = query ? nameSources(query) : { always: false, filters: [] };
  const results: Array<{ start: bigint; json: Record<string, unknown> }> = [];
  // Newest candidates first, until `limit` traces match (Tempo stops at the limit too).
  const scan = await scanTraces(store, tenant, { range, where: query ? candidatePredicate(query) : TRUE, deadlineMs: Date.now() + limits.timeoutMs }, (id, spans) => {
    const t = buildTrace(id, spans);
    if (!overlaps(t, range.startNs, range.endNs)) return false;
    if (legacy !== undefined) {
      const dur = Number(t.endNs - t.startNs);
      if (minDur !== undefined && dur < minDur) return false;
      if (maxDur !== undefined && dur > maxDur) return false;
      if (!legacyMatch(legacy, t)) return false;
      results.push({ start: t.startNs, json: traceMeta(t, false) });
      return results.length >= limit;
    }
    const sets = runPipeline(query!, t);
    if (sets.length === 0) return false;
    const json = traceMeta(t, true);
    const setsJson = sets.map((s) => {
      const sorted = [...s.spans].sort((a, b) => (a.s.span.startTimeUnixNano < b.s.span.startTimeUnixNano ? -1 : 1));
      return {
        spans: sorted.slice(0, spss).map((e) => spanJson(e, t, names.always || names.filters.some((f) => matches(f, e, t)), fields)),
        matched: s.spans.length,
        ...(s.attributes.length > 0 ? { attributes: s.attributes.map((a) => ({ key: a.key, value: valToAnyValue(a.value) })) } : {}),
      };
    });
    json.spanSet = setsJson[0];
    json.spanSets = setsJson;
    results.push({ start: t.startNs, json });
    return results.length >= limit;
  });
  const inspected = scan.inspected;
  results.sort((a, b) => (a.start > b.start ? -1 : a.start < b.start ? 1 : 0));
  return {
    traces: results.slice(0, limit).map((r) => r.json),
    metrics: { inspectedTraces: inspected, inspectedBytes: '0', completedJobs: 1, totalJobs: 1 },
  };
}

interface LegacyTag {
  readonly key: string;
  readonly value: string;
}

/** logfmt: k=v pairs, values optionally double-quoted. */
export function parseLegacyTags(s: string): LegacyTag[] {
  const out: LegacyTag[] = [];
  const re = /\s*([^\s=]+)=("((?:[^"\\]|\\.)*)"|\S*)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s)) !== null) {
    out.push({ key: m[1]!, value: m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]! });
    consumed = re.lastIndex;
  }
  if (s.slice(consumed).trim() !== '') throw new IchigenError('INVALID_PARAMETER', `invalid tags: "${s.slice(0, 80)}" (expected key=value pairs)`);
  return out;
}

function stringAttr(list: StoredSpan['span']['attributes'], key: string, want: string): boolean {
  for (const kv of list) if (kv.key === key && kv.value.type === 'string' && kv.value.value.includes(want)) return true;
  return false;
}

/** Legacy tag search: every tag must hold on some span of the trace (its own or its resource's attributes), compared as text. */
function legacyMatch(tags: readonly LegacyTag[], t: EvalTrace): boolean {
  if (tags.length === 0) return true;
  return tags.every((tag) =>
    t.spans.some((e) => {
      const sp = e.s.span;
      switch (tag.key) {
        case 'name':
          return sp.name === tag.value;
        case 'status.code':
          return ['unset', 'ok', 'error'][sp.status.code] === tag.value;
        case 'root.service.name':
          return t.root?.service === tag.value;
        case 'root.name':
          return t.root?.s.span.name === tag.value;
        default:
          return stringAttr(sp.attributes, tag.key, tag.value) || stringAttr(e.s.resource.attributes, tag.key, tag.value);
      }
    }),
  );
}

export type { Val };
