export { Wal, crc32 } from './wal/index.js';
export type { Lsn, ReplayStats, WalOptions } from './wal/index.js';
export type {
  AppendResult,
  LabelQuery,
  MetricBatch,
  MetricQuerier,
  MetricStore,
  SelectHints,
  SeriesAppend,
  SeriesSamples,
} from './metrics/index.js';
