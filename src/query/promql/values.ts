import type { Labels } from '../../model/index.js';

/**
 * The evaluator's values. Every expression is evaluated over all steps of the query at
 * once (an instant query is a range of one step): a vector is a list of series, each with
 * one value slot per step and a presence flag, so no object exists per sample.
 */
export interface Steps {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  /** Number of steps (>= 1). */
  readonly n: number;
}

export function makeSteps(start: number, end: number, step: number): Steps {
  return { start, end, step, n: step > 0 ? Math.floor((end - start) / step) + 1 : 1 };
}

export function stepTime(s: Steps, i: number): number {
  return s.start + i * s.step;
}

export interface StepSeries {
  labels: Labels;
  readonly values: Float64Array;
  /** 1 where the series has a value at that step. */
  readonly present: Uint8Array;
  /** Sample timestamps per step, kept only for timestamp() over a plain selector. */
  times?: Float64Array;
}

export function newSeries(labels: Labels, n: number): StepSeries {
  return { labels, values: new Float64Array(n), present: new Uint8Array(n) };
}

export interface VectorValue {
  readonly kind: 'vector';
  readonly series: StepSeries[];
}

export interface ScalarValue {
  readonly kind: 'scalar';
  readonly values: Float64Array;
}

export interface StringValue {
  readonly kind: 'string';
  readonly value: string;
}

/** Raw samples of series over a time range (a range selector or a subquery's points). */
export interface MatrixSeries {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

export interface MatrixValue {
  readonly kind: 'matrix';
  readonly series: MatrixSeries[];
}

export type EvalValue = VectorValue | ScalarValue | StringValue | MatrixValue;

export function countPresent(series: readonly StepSeries[]): number {
  let n = 0;
  for (const s of series) for (let i = 0; i < s.present.length; i++) n += s.present[i]!;
  return n;
}
