export { DeltaAccumulator } from './delta-accumulator.js';
export { translateOtlpMetrics } from './otlp-to-prometheus.js';
export type { TranslatedMetrics, TranslatedSeries } from './otlp-to-prometheus.js';
export { formatFloat, prometheusLabelName, prometheusMetricName, unitSuffix } from './prometheus-names.js';
