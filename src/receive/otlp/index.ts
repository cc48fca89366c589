export { anyValueToPlain, anyValueToString, getAttribute } from './any-value.js';
export type { AnyValue, KeyValue } from './any-value.js';
export { decodeOtlpRequest } from './decode.js';
export type { OtlpEncoding, OtlpRequestBySignal, OtlpSignal } from './decode.js';
export { encodeExportResponse, encodeTracesProto, tracesToJsonObject } from './encode.js';
export type { PartialSuccess, TracesJsonOptions } from './encode.js';
export { countLogRecords } from './logs.js';
export type { OtlpLogRecord, OtlpLogs, OtlpResourceLogs, OtlpScopeLogs } from './logs.js';
export { FLAG_NO_RECORDED_VALUE, countDataPoints } from './metrics.js';
export type {
  AggregationTemporality,
  OtlpExemplar,
  OtlpExponentialBuckets,
  OtlpExponentialHistogramDataPoint,
  OtlpHistogramDataPoint,
  OtlpMetric,
  OtlpMetricData,
  OtlpMetrics,
  OtlpNumberDataPoint,
  OtlpResourceMetrics,
  OtlpScopeMetrics,
  OtlpSummaryDataPoint,
} from './metrics.js';
export type { OtlpResource, OtlpScope } from './resource.js';
export { otlpTypes } from './schema.js';
export type { OtlpRawBody, OtlpSink, OtlpSinkResult, OtlpSinks } from './sinks.js';
export { SPAN_KINDS, STATUS_CODES, countSpans, readTraces } from './traces.js';
export type { OtlpResourceSpans, OtlpScopeSpans, OtlpSpan, OtlpSpanEvent, OtlpSpanLink, OtlpTraces } from './traces.js';
