import { IchigenError, type Exemplar, type LabelMatcher, type Labels, type MetricMetadata } from '../../model/index.js';

/**
 * The metric store contract. The PromQL engine, the Prometheus API, rules and the UI read
 * only through `MetricQuerier`; receivers write only through `append`. Implementations:
 * in-memory (reference, for engine tests), embedded (DuckDB + write-ahead log) and remote
 * (any Prometheus remote-write + query API backend). One conformance suite runs against
 * each implementation.
 *
 * Times are milliseconds since the epoch. Sample values travel in Float64Array so that
 * staleness markers (a NaN payload) survive; see model/sample.ts.
 */

/** One series' samples inside the selected time range, in ascending time order. */
export interface SeriesSamples {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** What the engine will do with the selection, so a store may prune or pre-aggregate. */
export interface SelectHints {
  /** Query evaluation start and end (ms), before lookback/range extension. */
  readonly start: number;
  readonly end: number;
  readonly step?: number;
  /** Range of the enclosing matrix selector (ms), when there is one. */
  readonly range?: number;
  /** The function applied to the selection (`rate`, `series` for metadata-only…). */
  readonly func?: string;
  readonly grouping?: readonly string[];
  readonly by?: boolean;
  /**
   * The caller is done with a batch's sample arrays when it asks for the next batch
   * (selectBatches): the store may decode every batch into the same memory.
   */
  readonly reuse?: boolean;
}

export interface LabelQuery {
  /** Series selectors (each a list of matchers, ANDed); several selectors are ORed. Empty: all series. */
  readonly selectors: ReadonlyArray<readonly LabelMatcher[]>;
  readonly start: number;
  readonly end: number;
  /** 0 or undefined: no limit. */
  readonly limit?: number;
}

export interface MetricQuerier {
  /**
   * Every series matching all matchers that has samples in [mint, maxt] (both inclusive),
   * with those samples. Series come one at a time so memory stays per series.
   */
  select(matchers: readonly LabelMatcher[], mint: number, maxt: number, hints?: SelectHints): AsyncIterable<SeriesSamples>;
  /**
   * Optional: the same series as `select`, in the same order, a batch at a time. Readers of
   * thousands of series (the PromQL engine) use it to avoid one promise per series.
   */
  selectBatches?(matchers: readonly LabelMatcher[], mint: number, maxt: number, hints?: SelectHints): AsyncIterable<SeriesSamples[]>;
  /** Label sets of matching series active in the range (the `/api/v1/series` answer), sorted. */
  series(query: LabelQuery): Promise<Labels[]>;
  /** Label names present on matching series, sorted. */
  labelNames(query: LabelQuery): Promise<string[]>;
  /** Values of one label on matching series, sorted. */
  labelValues(name: string, query: LabelQuery): Promise<string[]>;
  /** Exemplars of matching series in [start, end]. */
  exemplars(matchers: readonly LabelMatcher[], start: number, end: number): Promise<Array<{ labels: Labels; exemplars: Exemplar[] }>>;
}

/** One series' new samples in a write. */
export interface SeriesAppend {
  readonly labels: Labels;
  readonly timestamps: ArrayLike<number>;
  readonly values: Float64Array;
  readonly exemplars?: readonly Exemplar[];
}

export interface MetricBatch {
  readonly series: readonly SeriesAppend[];
  readonly metadata?: readonly MetricMetadata[];
}

export interface AppendResult {
  readonly samples: number;
  readonly exemplars: number;
  readonly metadata: number;
}

/**
 * Some series or samples of a write were refused (400: the sender must not retry them)
 * while the rest was written: `written` says how much, for remote write 2.0's
 * `X-Prometheus-Remote-Write-*-Written` headers and OTLP's partial success.
 */
export class PartialWriteError extends IchigenError {
  constructor(
    message: string,
    readonly written: AppendResult,
  ) {
    super('INVALID_BODY', message);
  }
}

export interface MetricStore {
  /**
   * Writes a batch; resolves once it is durable. Rejects with a coded IchigenError
   * (PartialWriteError when only part was refused; 429/5xx otherwise).
   */
  append(tenant: string, batch: MetricBatch): Promise<AppendResult>;
  querier(tenant: string): MetricQuerier;
  /** Metadata per metric name (the `/api/v1/metadata` answer). */
  metadata(tenant: string, metric?: string, limit?: number): Promise<Record<string, MetricMetadata[]>>;
  open(): Promise<void>;
  close(): Promise<void>;
}
