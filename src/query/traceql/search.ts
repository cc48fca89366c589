import { IchigenError } from '../../model/index.js';
import type { FieldExpr, PipelineStage, SpansetExpr, StaticValue, TraceqlQuery } from './ast.js';
import { evalSpanset } from './spanset.js';
import { markStorageConditions } from './fetch-conditions.js';
import { fieldValue, LOOSE_COMPARISONS, matches, precompileRegexes } from './field-eval.js';
import type { EvalSpan, EvalTrace } from './trace-model.js';
import { compareScalars, fromStatic, formatGoDuration, type Val } from './values.js';

/** One spanset of a search answer. */
export interface ResultSpanset {
  readonly spans: EvalSpan[];
  /** by() values and aggregates, in the order they were added (Tempo's spanset attributes). */
  readonly attributes: Array<{ key: string; value: Val }>;
}

function fieldText(f: FieldExpr): string {
  if (f.kind === 'attribute' || f.kind === 'intrinsic') return f.text;
  return '';
}

function aggregate(stage: Extract<PipelineStage, { kind: 'scalarFilter' }>, set: ResultSpanset, trace: EvalTrace): Val | undefined {
  if (stage.aggregate === 'count') return { t: 'int', v: BigInt(set.spans.length) };
  const vals: Val[] = [];
  for (const s of set.spans) {
    const v = fieldValue(stage.field!, s, trace);
    if (v !== undefined && (v.t === 'int' || v.t === 'float' || v.t === 'duration')) vals.push(v);
  }
  if (vals.length === 0) return undefined;
  const nums = vals.map((v) => (v.t === 'int' ? Number(v.v) : (v.v as number)));
  const type = vals[0]!.t;
  let x: number;
  switch (stage.aggregate) {
    case 'min':
      x = Math.min(...nums);
      break;
    case 'max':
      x = Math.max(...nums);
      break;
    case 'sum':
      x = nums.reduce((a, b) => a + b, 0);
      break;
    default:
      x = nums.reduce((a, b) => a + b, 0) / nums.length;
  }
  if (type === 'duration') return { t: 'duration', v: stage.aggregate === 'avg' ? Math.floor(x) : x };
  if (type === 'int' && stage.aggregate !== 'avg') return { t: 'int', v: BigInt(Math.round(x)) };
  return { t: 'float', v: x };
}

/** Displays aggregate values as Tempo does: durations as Go duration text. */
export function displayVal(v: Val): Val {
  return v.t === 'duration' ? { t: 'string', v: formatGoDuration(v.v) } : v;
}

function groupKey(v: Val | undefined): string {
  if (v === undefined) return '\u0000nil';
  return `${v.t}:${String(v.v)}`;
}

/** Runs the search pipeline on one trace; an empty list means the trace does not match. */
export function runPipeline(q: TraceqlQuery, trace: EvalTrace): ResultSpanset[] {
  let sets: ResultSpanset[] = [];
  for (const [i, stage] of q.stages.entries()) {
    if (i === 0) {
      if (stage.kind !== 'spanset') throw new IchigenError('PARSE_ERROR', 'invalid TraceQL query: it must start with a spanset filter');
      const spans = evalSpanset(stage.expr, trace);
      sets = spans.length > 0 ? [{ spans, attributes: [] }] : [];
      continue;
    }
    switch (stage.kind) {
      case 'spanset': {
        if (stage.expr.kind !== 'filter') throw new IchigenError('PARSE_ERROR', 'invalid TraceQL query: spanset operators after a pipe are not supported');
        const f = stage.expr.expr;
        sets = sets.map((s) => ({ spans: s.spans.filter((e) => matches(f, e, trace)), attributes: s.attributes })).filter((s) => s.spans.length > 0);
        break;
      }
      case 'by': {
        const out: ResultSpanset[] = [];
        for (const set of sets) {
          const groups = new Map<string, { value: Val | undefined; spans: EvalSpan[] }>();
          for (const s of set.spans) {
            const v = stage.fields.length === 1 ? fieldValue(stage.fields[0]!, s, trace) : undefined;
            const k = stage.fields.length === 1 ? groupKey(v) : stage.fields.map((f) => groupKey(fieldValue(f, s, trace))).join('\u0001');
            let g = groups.get(k);
            if (!g) groups.set(k, (g = { value: v, spans: [] }));
            g.spans.push(s);
          }
          for (const g of groups.values()) {
            const attrs = [...set.attributes];
            if (g.value !== undefined) attrs.push({ key: stage.text, value: g.value });
            out.push({ spans: g.spans, attributes: attrs });
          }
        }
        sets = out;
        break;
      }
      case 'scalarFilter': {
        const key = stage.aggregate === 'count' ? 'count()' : `${stage.aggregate}(${fieldText(stage.field!)})`;
        const want = fromStatic(stage.value);
        sets = sets.filter((set) => {
          const v = aggregate(stage, set, trace);
          if (v === undefined || want === undefined) return false;
          if (!compareScalars(v, staticAs(v, stage.value, want), stage.op, false)) return false;
          const i = set.attributes.findIndex((a) => a.key === key);
          if (i >= 0) set.attributes.splice(i, 1);
          set.attributes.push({ key, value: displayVal(v) });
          return true;
        });
        break;
      }
      case 'select':
        break;
      case 'coalesce': {
        if (sets.length > 1) {
          const seen = new Set<EvalSpan>();
          const spans: EvalSpan[] = [];
          for (const s of sets) {
            for (const e of s.spans) {
              if (seen.has(e)) continue;
              seen.add(e);
              spans.push(e);
            }
          }
          sets = [{ spans, attributes: [] }];
        } else sets = sets.map((s) => ({ spans: s.spans, attributes: [] }));
        break;
      }
    }
    if (sets.length === 0) break;
  }
  return sets;
}

/** A duration literal compared with a duration aggregate stays a duration; numbers convert. */
function staticAs(_v: Val, _s: StaticValue, want: Val): Val {
  return want;
}

const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '^']);

/** Fails early on bad regexes, and marks which comparisons convert numbers (see LOOSE_COMPARISONS). */
export function prepareQuery(q: TraceqlQuery): void {
  const filters: FieldExpr[] = [];
  const walk = (e: SpansetExpr): void => {
    if (e.kind === 'filter') filters.push(e.expr);
    else {
      walk(e.left);
      walk(e.right);
    }
  };
  for (const s of q.stages) if (s.kind === 'spanset') walk(s.expr);
  for (const f of filters) precompileRegexes(f);
  const counts = new Map<string, number>();
  let arithmetic = false;
  const count = (f: FieldExpr | undefined): void => {
    if (f === undefined) return;
    if (f.kind === 'attribute') counts.set(`${f.scope}.${f.name}`, (counts.get(`${f.scope}.${f.name}`) ?? 0) + 1);
    else if (f.kind === 'binary') {
      if (ARITHMETIC.has(f.op)) arithmetic = true;
      count(f.left);
      count(f.right);
    } else if (f.kind === 'not' || f.kind === 'neg') count(f.expr);
  };
  filters.forEach(count);
  for (const s of q.stages) {
    if (s.kind === 'by' || s.kind === 'select') s.fields.forEach(count);
    if (s.kind === 'scalarFilter') count(s.field);
  }
  count(q.metrics?.field);
  q.metrics?.by.forEach(count);
  const mark = (f: FieldExpr): void => {
    if (f.kind === 'binary') {
      const attr = f.left.kind === 'attribute' ? f.left : f.right.kind === 'attribute' ? f.right : undefined;
      if (arithmetic || (attr !== undefined && (counts.get(`${attr.scope}.${attr.name}`) ?? 0) > 1)) LOOSE_COMPARISONS.add(f);
      mark(f.left);
      mark(f.right);
    } else if (f.kind === 'not' || f.kind === 'neg') mark(f.expr);
  };
  filters.forEach(mark);
  markStorageConditions(q);
}
