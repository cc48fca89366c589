export { REDACT_PATHS, createLogger, loggerOptions } from './logger.js';
export type { Logger, LoggerSettings } from './logger.js';
export { Counter, Gauge, Histogram, Registry, createMetricsRegistry } from './metrics-registry.js';
export { ingestCounter, ingestRejectedCounter, type IngestSignal } from './ingest-counter.js';
export { packageVersion } from './package-version.js';
