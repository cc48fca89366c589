export { RELABEL_ACTIONS, compileRelabelConfig, expand, relabel, relabelConfigSchema } from './relabel/index.js';
export type { RelabelAction, RelabelConfigInput, RelabelRule } from './relabel/index.js';
export { ScrapeLoop, ScrapeManager, buildTarget, compileScrapeConfigs, scrapeConfigSchema } from './scrape/index.js';
export type { ActiveTarget, DroppedTarget, InternalTarget, ScrapeConfigInput, ScrapeDefaults, ScrapeJob, ScrapeLoopOptions, ScrapeManagerOptions, ScrapeSink, Target, TargetHealth } from './scrape/index.js';
export { DeltaAccumulator, formatFloat, prometheusLabelName, prometheusMetricName, translateOtlpMetrics, unitSuffix } from './otlp-metrics/index.js';
export type { TranslatedMetrics, TranslatedSeries } from './otlp-metrics/index.js';
export { DEFAULT_OTLP_INDEX_LABELS, DEFAULT_SERVICE_NAME_LABELS, translateOtlpLogs } from './otlp-logs/index.js';
export type { OtlpLogsOptions } from './otlp-logs/index.js';
export { DETECTED_LEVEL, LEVEL_FIELDS, detectLevel, withDetectedLevel } from './log-level/index.js';
