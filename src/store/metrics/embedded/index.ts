export { EmbeddedMetricStore } from './embedded-store.js';
export { DEFAULT_LIMITS } from './options.js';
export type { EmbeddedMetricStoreOptions, MetricLimits } from './options.js';
export { decodeChunk, encodeChunk } from './chunk.js';
export type { CompactionStats } from './compactor.js';
