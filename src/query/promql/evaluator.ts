import { IchigenError, METRIC_NAME, labelsKey, type Labels } from '../../model/index.js';
import type { Expr } from './ast.js';
import { evalAggregate } from './aggregate.js';
import { evalBinary } from './binary.js';
import type { EvalContext } from './eval-context.js';
import { FUNCTION_IMPLS } from './functions/index.js';
import { evalMatrixArg } from './matrix.js';
import { evalVectorSelector } from './selectors.js';
import { countPresent, type EvalValue, type ScalarValue, type StepSeries, type Steps, type VectorValue } from './values.js';

/** Evaluates expressions over one set of steps (the query's, or a subquery's). */
export class Evaluator {
  constructor(
    readonly ctx: EvalContext,
    readonly steps: Steps,
  ) {}

  async eval(e: Expr): Promise<EvalValue> {
    this.ctx.limits.checkDeadline();
    switch (e.type) {
      case 'number':
        return { kind: 'scalar', values: new Float64Array(this.steps.n).fill(e.value) };
      case 'string':
        return { kind: 'string', value: e.value };
      case 'paren':
        return this.eval(e.expr);
      case 'unary': {
        const v = await this.eval(e.expr);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', values: v.values.map((x) => -x) };
        if (v.kind !== 'vector') throw new IchigenError('EXECUTION', 'unary expression only allowed on expressions of type scalar or instant vector');
        for (const s of v.series) {
          s.labels = dropName(s.labels);
          for (let i = 0; i < s.values.length; i++) s.values[i] = -s.values[i]!;
        }
        checkUnique(v.series);
        return v;
      }
      case 'vectorSelector':
        return { kind: 'vector', series: await evalVectorSelector(this.ctx, e, this.steps, false) };
      case 'matrixSelector':
      case 'subquery': {
        const m = await evalMatrixArg(this, e, undefined);
        return { kind: 'matrix', series: await m.windows() };
      }
      case 'call': {
        const impl = FUNCTION_IMPLS.get(e.func);
        if (impl === undefined) throw new IchigenError('EXECUTION', `function "${e.func}" is not supported`);
        return impl(this, e);
      }
      case 'aggregate':
        return evalAggregate(this, e);
      case 'binary':
        return evalBinary(this, e);
    }
  }

  async evalVector(e: Expr): Promise<VectorValue> {
    const v = await this.eval(e);
    if (v.kind !== 'vector') throw new IchigenError('EXECUTION', `expected an instant vector, got ${v.kind}`);
    return v;
  }

  async evalScalar(e: Expr): Promise<ScalarValue> {
    const v = await this.eval(e);
    if (v.kind !== 'scalar') throw new IchigenError('EXECUTION', `expected a scalar, got ${v.kind}`);
    return v;
  }

  async evalString(e: Expr): Promise<string> {
    const v = await this.eval(e);
    if (v.kind !== 'string') throw new IchigenError('EXECUTION', `expected a string, got ${v.kind}`);
    return v.value;
  }

  /** Releases a consumed input from the sample accounting. */
  release(series: readonly StepSeries[]): void {
    this.ctx.limits.release(countPresent(series));
  }
}

export function dropName(labels: Labels): Labels {
  return labels.some((l) => l.name === METRIC_NAME) ? labels.filter((l) => l.name !== METRIC_NAME) : labels;
}

/**
 * Prometheus refuses a result vector holding one label set twice at one step (typically
 * after a function dropped the metric name of two metrics).
 */
export function checkUnique(series: StepSeries[]): void {
  if (series.length < 2) return;
  const seen = new Map<string, StepSeries>();
  for (const s of series) {
    const key = labelsKey(s.labels);
    const other = seen.get(key);
    if (other !== undefined) {
      for (let i = 0; i < s.present.length; i++) {
        if (s.present[i] && other.present[i]) throw new IchigenError('EXECUTION', 'vector cannot contain metrics with the same labelset');
      }
    } else seen.set(key, s);
  }
}

/** Merges series with equal label sets that never overlap in time (after checkUnique). */
export function mergeSameLabels(series: StepSeries[]): StepSeries[] {
  if (series.length < 2) return series;
  const byKey = new Map<string, StepSeries>();
  const out: StepSeries[] = [];
  for (const s of series) {
    const key = labelsKey(s.labels);
    const first = byKey.get(key);
    if (first === undefined) {
      byKey.set(key, s);
      out.push(s);
      continue;
    }
    for (let i = 0; i < s.present.length; i++) {
      if (s.present[i]) {
        first.values[i] = s.values[i]!;
        first.present[i] = 1;
      }
    }
  }
  return out;
}
