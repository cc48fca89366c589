export type {
  AppendResult,
  LabelQuery,
  MetricBatch,
  MetricQuerier,
  MetricStore,
  SelectHints,
  SeriesAppend,
  SeriesSamples,
} from './metric-store.js';
