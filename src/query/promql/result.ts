import type { Labels } from '../../model/index.js';
import type { MetricQuerier } from '../../store/index.js';

/** The engine's settings (config section `promql`). */
export interface EngineOptions {
  /** prometheus3: left-open ranges and lookback; prometheus2: closed ones. */
  readonly compatibility: 'prometheus3' | 'prometheus2';
  readonly lookbackDelta: number;
  readonly maxSamples: number;
  readonly timeout: number;
  /** Step of subqueries written without one. */
  readonly defaultEvalInterval: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  compatibility: 'prometheus3',
  lookbackDelta: 300_000,
  maxSamples: 50_000_000,
  timeout: 120_000,
  defaultEvalInterval: 60_000,
};

export interface InstantSample {
  readonly labels: Labels;
  readonly value: number;
}

export interface RangeSeries {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** A query answer, typed; the API turns it into Prometheus JSON. Times in ms. */
export type QueryValue =
  | { readonly resultType: 'scalar'; readonly time: number; readonly value: number }
  | { readonly resultType: 'string'; readonly time: number; readonly value: string }
  | { readonly resultType: 'vector'; readonly time: number; readonly samples: readonly InstantSample[] }
  | { readonly resultType: 'matrix'; readonly series: readonly RangeSeries[] };

export interface QueryResult {
  readonly value: QueryValue;
  readonly warnings: readonly string[];
  readonly infos: readonly string[];
}

export interface QueryRequest {
  readonly querier: MetricQuerier;
  readonly query: string;
  /** Per-request timeout (ms); the configured timeout caps it. */
  readonly timeout?: number;
  /** 0: no limit. Caps series in the answer (Prometheus 3 `limit`). */
  readonly limit?: number;
}

export interface PromqlEngine {
  readonly options: EngineOptions;
  instantQuery(req: QueryRequest, time: number): Promise<QueryResult>;
  rangeQuery(req: QueryRequest, start: number, end: number, step: number): Promise<QueryResult>;
}
