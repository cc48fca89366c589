import { IchigenError, compareLabels } from '../../model/index.js';
import type { Expr } from './ast.js';
import { documentedType } from './ast.js';
import type { EvalContext } from './eval-context.js';
import { Evaluator, mergeSameLabels } from './evaluator.js';
import { QueryLimits } from './limits.js';
import { parseExpr } from './parser.js';
import type { EngineOptions, InstantSample, PromqlEngine, QueryRequest, QueryResult, QueryValue, RangeSeries } from './result.js';
import { typeOf } from './typecheck.js';
import { makeSteps, stepTime, type EvalValue, type StepSeries, type Steps } from './values.js';

/** Prometheus' limit on points per series in a range query. */
export const MAX_POINTS_PER_SERIES = 11_000;

/**
 * The PromQL engine over the metric store contract. It reads only through MetricQuerier
 * and evaluates every node over all steps at once (see values.ts).
 */
export class Engine implements PromqlEngine {
  constructor(readonly options: EngineOptions) {}

  async instantQuery(req: QueryRequest, time: number): Promise<QueryResult> {
    const expr = parseExpr(req.query, this.options.compatibility);
    return this.run(req, expr, makeSteps(time, time, 0), false);
  }

  async rangeQuery(req: QueryRequest, start: number, end: number, step: number): Promise<QueryResult> {
    if (end < start) throw new IchigenError('INVALID_PARAMETER', 'invalid parameter "end": end timestamp must not be before start time');
    if (!(step > 0)) throw new IchigenError('INVALID_PARAMETER', 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
    if ((end - start) / step > MAX_POINTS_PER_SERIES) {
      throw new IchigenError('BAD_REQUEST', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    }
    const expr = parseExpr(req.query, this.options.compatibility);
    const t = typeOf(expr);
    if (t !== 'scalar' && t !== 'vector') {
      // Reported like a parse error: Prometheus finds it while preparing the query.
      throw new IchigenError('PARSE_ERROR', `invalid expression type "${documentedType(t)}" for range query, must be Scalar or instant Vector`);
    }
    return this.run(req, expr, makeSteps(start, end, step), true);
  }

  private async run(req: QueryRequest, expr: Expr, steps: Steps, isRange: boolean): Promise<QueryResult> {
    const timeout = Math.min(this.options.timeout, req.timeout !== undefined && req.timeout > 0 ? req.timeout : Infinity);
    const ctx: EvalContext = {
      querier: req.querier,
      query: req.query,
      options: this.options,
      limits: new QueryLimits(this.options.maxSamples, Date.now() + timeout),
      queryStart: steps.start,
      queryEnd: steps.end,
      queryStep: steps.step,
      warnings: new Set(),
      infos: new Set(),
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new IchigenError('TIMEOUT', 'query timed out in expression evaluation')), timeout);
      timer.unref();
    });
    try {
      const v = await Promise.race([new Evaluator(ctx, steps).eval(expr), deadline]);
      const value = isRange ? toMatrix(v, steps) : toInstant(v, steps);
      const limited = applyLimit(value, req.limit ?? 0, ctx.warnings);
      return { value: limited, warnings: [...ctx.warnings], infos: [...ctx.infos] };
    } finally {
      clearTimeout(timer);
    }
  }
}

function toInstant(v: EvalValue, steps: Steps): QueryValue {
  const time = steps.start;
  switch (v.kind) {
    case 'scalar':
      return { resultType: 'scalar', time, value: v.values[0]! };
    case 'string':
      return { resultType: 'string', time, value: v.value };
    case 'vector': {
      const samples: InstantSample[] = [];
      for (const s of v.series) if (s.present[0]) samples.push({ labels: s.labels, value: s.values[0]! });
      return { resultType: 'vector', time, samples };
    }
    case 'matrix':
      return { resultType: 'matrix', series: [...v.series].sort((a, b) => compareLabels(a.labels, b.labels)) };
  }
}

function seriesPoints(s: StepSeries, steps: Steps): RangeSeries {
  let n = 0;
  for (let i = 0; i < steps.n; i++) n += s.present[i]!;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < steps.n; i++) {
    if (!s.present[i]) continue;
    timestamps[k] = stepTime(steps, i);
    values[k++] = s.values[i]!;
  }
  return { labels: s.labels, timestamps, values };
}

function toMatrix(v: EvalValue, steps: Steps): QueryValue {
  if (v.kind === 'scalar') {
    const timestamps = new Float64Array(steps.n);
    for (let i = 0; i < steps.n; i++) timestamps[i] = stepTime(steps, i);
    return { resultType: 'matrix', series: [{ labels: [], timestamps, values: v.values }] };
  }
  if (v.kind !== 'vector') throw new IchigenError('EXECUTION', `invalid expression type for range query: ${v.kind}`);
  const series = mergeSameLabels(v.series.filter((s) => s.present.some((p) => p === 1))).map((s) => seriesPoints(s, steps));
  series.sort((a, b) => compareLabels(a.labels, b.labels));
  return { resultType: 'matrix', series };
}

function applyLimit(v: QueryValue, limit: number, warnings: Set<string>): QueryValue {
  if (limit <= 0) return v;
  if (v.resultType === 'vector' && v.samples.length > limit) {
    warnings.add('results truncated due to limit');
    return { ...v, samples: v.samples.slice(0, limit) };
  }
  if (v.resultType === 'matrix' && v.series.length > limit) {
    warnings.add('results truncated due to limit');
    return { ...v, series: v.series.slice(0, limit) };
  }
  return v;
}
