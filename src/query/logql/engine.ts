import { IchigenError } from '../../model/index.js';
import type { LogStore } from '../../store/logs/index.js';
import type { Expr, LogExpr, MetricExpr } from './ast.js';
import { sortedLabels } from './labels-builder.js';
import { parseLogQL } from './parse.js';
import { compilePipeline } from './pipeline.js';
import { applyShardRewrites } from './shard-rewrite.js';
import { evalRange, type EvalContext } from './range-eval.js';
import { keyOf, type QueryResult, type QueryStats, type ResultStream, type Sample, type StepValue } from './value.js';
import { aggregate, arith, labelReplace, vectorScalar, vectorVector } from './vector-ops.js';

export type Direction = 'forward' | 'backward';

const DEFAULT_MAX_ENTRIES = 20_000_000;

export interface RangeQuery {
  readonly tenant: string;
  readonly query: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly stepMs: number;
  readonly limit: number;
  readonly direction: Direction;
}

export interface InstantQuery {
  readonly tenant: string;
  readonly query: string;
  readonly timeNs: bigint;
  readonly limit: number;
  readonly direction: Direction;
}

export interface EngineLimits {
  readonly maxSeries: number;
  readonly maxSteps: number;
  /** Entries one query may hold at once: lines of a log query without limit, samples of range functions that keep each one (default 20M). */
  readonly maxEntries?: number;
}

/** LogQL evaluation over a LogStore: log queries and metric queries. */
export class LogQLEngine {
  constructor(
    private readonly store: LogStore,
    private readonly limits: EngineLimits,
  ) {}

  parse(query: string): Expr {
    return parseLogQL(query);
  }

  async rangeQuery(q: RangeQuery): Promise<{ result: QueryResult; stats: QueryStats }> {
    const stats: QueryStats = { entriesScanned: 0, bytesScanned: 0, streamsScanned: 0 };
    const expr = parseLogQL(q.query);
    if (expr.kind === 'log') return { result: await this.logQuery(expr, q.tenant, q.startNs, q.endNs, q.limit, q.direction, stats), stats };
    if (q.stepMs <= 0) throw new IchigenError('INVALID_PARAMETER', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    // Loki aligns the start down to a multiple of the step (in unix time).
    const startMs = Number(q.startNs / 1_000_000n);
    const endMs = Number(q.endNs / 1_000_000n);
    const alignedStart = startMs - (((startMs % q.stepMs) + q.stepMs) % q.stepMs);
    const steps: number[] = [];
    for (let t = alignedStart; t <= endMs; t += q.stepMs) {
      steps.push(t);
      if (steps.length > this.limits.maxSteps) throw new IchigenError('INVALID_PARAMETER', `exceeded maximum resolution of ${this.limits.maxSteps} points per timeseries. Try decreasing the query resolution (?step=XX)`);
    }
    const values = await this.evalMetric(applyShardRewrites(expr), this.ctx(q.tenant, steps, stats), false);
    const series = new Map<string, { labels: Sample['labels']; points: Array<[number, number]> }>();
    for (const t of steps) {
      const v = values.get(t)!;
      const samples: Sample[] = v.kind === 'scalar' ? [{ labels: [], key: '', value: v.value }] : v.samples;
      for (const s of samples) {
        let ser = series.get(s.key);
        if (!ser) series.set(s.key, (ser = { labels: s.labels, points: [] }));
        ser.points.push([t, s.value]);
      }
    }
    return { result: { type: 'matrix', series: [...series.values()] }, stats };
  }

  async instantQuery(q: InstantQuery): Promise<{ result: QueryResult; stats: QueryStats }> {
    const stats: QueryStats = { entriesScanned: 0, bytesScanned: 0, streamsScanned: 0 };
    const expr = parseLogQL(q.query);
    if (expr.kind === 'log') throw new IchigenError('BAD_REQUEST', 'log queries are not supported as an instant query type, please change your query to a range query type');
    const t = Number(q.timeNs / 1_000_000n);
    const v = (await this.evalMetric(applyShardRewrites(expr), this.ctx(q.tenant, [t], stats), false)).get(t)!;
    if (v.kind === 'scalar') return { result: { type: 'scalar', timeMs: t, value: v.value }, stats };
    return { result: { type: 'vector', timeMs: t, samples: v.samples }, stats };
  }

  private ctx(tenant: string, steps: number[], stats: QueryStats): EvalContext {
    return { store: this.store, tenant, steps, stats, maxSeries: this.limits.maxSeries, maxEntries: this.limits.maxEntries ?? DEFAULT_MAX_ENTRIES };
  }

  /**
   * Runs a log query: pipeline every entry, keep `limit` entries in the query direction.
   * Rows are cut back to the limit as they come (a stable sort keeps the order a full sort
   * would give), so memory stays near the limit however many entries the range holds.
   */
  async logQuery(e: LogExpr, tenant: string, startNs: bigint, endNs: bigint, limit: number, direction: Direction, stats: QueryStats): Promise<QueryResult> {
    const pipeline = compilePipeline(e);
    let rows: Array<{ ts: bigint; sid: number; line: string; key: string; labels: Sample['labels'] }> = [];
    const fwd = direction === 'forward';
    // Equal times: by stream, then as read (a stream's entries come in arrival order). How the
    // store's runs interleave streams depends on when flushes happened; this order does not.
    const order = (a: { ts: bigint; sid: number }, b: { ts: bigint; sid: number }): number => (a.ts === b.ts ? a.sid - b.sid : (a.ts < b.ts) === fwd ? -1 : 1);
    const maxEntries = this.limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
    const cutAt = limit > 0 ? Math.max(2 * limit, 10_000) : maxEntries;
    const streamsSeen = new Set<number>();
    for await (const s of this.store.scan({ tenant, matchers: e.matchers, startNs, endNs, mustContain: pipeline.mustContain })) {
      streamsSeen.add(s.stream.id);
      for (const entry of s.entries) {
        stats.entriesScanned++;
        stats.bytesScanned += entry.line.length;
        const r = pipeline.run(entry.line, entry.tsNs, s.stream.labels, entry.metadata);
        if (!r) continue;
        const labels = sortedLabels(r.lb.all());
        rows.push({ ts: entry.tsNs, sid: s.stream.id, line: r.line, key: keyOf(labels), labels });
        if (rows.length > cutAt) {
          if (limit === 0) throw new IchigenError('TOO_MANY_SAMPLES', `the query would return more than ${maxEntries} entries; set a limit, or narrow the selector or the time range`);
          rows.sort(order);
          rows = rows.slice(0, limit);
        }
      }
    }
    stats.streamsScanned += streamsSeen.size;
    rows.sort(order);
    const kept = limit > 0 ? rows.slice(0, limit) : rows;
    const streams = new Map<string, ResultStream>();
    for (const r of kept) {
      let s = streams.get(r.key);
      if (!s) streams.set(r.key, (s = { labels: r.labels, entries: [] }));
      s.entries.push([r.ts, r.line]);
    }
    return { type: 'streams', streams: [...streams.values()] };
  }

  private async evalMetric(e: MetricExpr, ctx: EvalContext, allowErrors: boolean): Promise<Map<number, StepValue>> {
    const out = new Map<number, StepValue>();
    switch (e.kind) {
      case 'literal':
        for (const t of ctx.steps) out.set(t, { kind: 'scalar', value: e.value });
        return out;
      case 'vector':
        for (const t of ctx.steps) out.set(t, { kind: 'vector', samples: [{ labels: [], key: '', value: e.value }] });
        return out;
      case 'range': {
        const r = await evalRange(e, ctx, allowErrors);
        for (const t of ctx.steps) out.set(t, { kind: 'vector', samples: r.get(t) ?? [] });
        return out;
      }
      case 'vectorAgg': {
        const keepErrors = allowErrors || (e.grouping !== undefined && !e.grouping.without && e.grouping.labels.includes('__error__'));
        const inner = await this.evalMetric(withSumGrouping(e), ctx, keepErrors);
        for (const t of ctx.steps) {
          const v = inner.get(t)!;
          out.set(t, { kind: 'vector', samples: aggregate(e.op, e.param, e.grouping, v.kind === 'vector' ? v.samples : []) });
        }
        return out;
      }
      case 'labelReplace': {
        const inner = await this.evalMetric(e.expr, ctx, allowErrors);
        for (const t of ctx.steps) {
          const v = inner.get(t)!;
          out.set(t, { kind: 'vector', samples: labelReplace(v.kind === 'vector' ? v.samples : [], e.dst, e.replacement, e.src, e.regex) });
        }
        return out;
      }
      case 'binary': {
        const [l, r] = await Promise.all([this.evalMetric(e.left, ctx, allowErrors), this.evalMetric(e.right, ctx, allowErrors)]);
        for (const t of ctx.steps) {
          const a = l.get(t)!;
          const b = r.get(t)!;
          if (a.kind === 'scalar' && b.kind === 'scalar') {
            if (['==', '!=', '>', '>=', '<', '<='].includes(e.op) && !e.bool) throw new IchigenError('PARSE_ERROR', 'comparisons between scalars must use BOOL modifier');
            out.set(t, { kind: 'scalar', value: arith(e.op, a.value, b.value) });
          } else if (a.kind === 'scalar') out.set(t, { kind: 'vector', samples: vectorScalar(e.op, (b as { samples: Sample[] }).samples, a.value, true, e.bool) });
          else if (b.kind === 'scalar') out.set(t, { kind: 'vector', samples: vectorScalar(e.op, a.samples, b.value, false, e.bool) });
          else out.set(t, { kind: 'vector', samples: vectorVector(e.op, a.samples, b.samples, e.matching, e.bool) });
        }
        return out;
      }
    }
  }
}

/** Range functions whose values add up across the series a `sum` merges. */
const SUMMABLE = new Set(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'sum_over_time']);

/**
 * The operand of a vector aggregation. Under `sum [by|without (…)]`, a summable range function
 * without its own grouping takes the sum's grouping as it extracts samples (as Loki does):
 * the same numbers, but one series per group instead of one per label set, which after
 * `| json` can be one per line and hit the series limit.
 */
function withSumGrouping(e: Extract<MetricExpr, { kind: 'vectorAgg' }>): MetricExpr {
  const r = e.expr;
  if (e.op !== 'sum' || r.kind !== 'range' || r.grouping !== undefined || !SUMMABLE.has(r.op)) return r;
  return { ...r, grouping: e.grouping ?? { without: false, labels: [] } };
}
