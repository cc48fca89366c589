export { attributeLabels } from './attribute-labels.js';
export { DEFAULT_OTLP_INDEX_LABELS, DEFAULT_SERVICE_NAME_LABELS, SERVICE_NAME_LABEL, UNKNOWN_SERVICE, translateOtlpLogs } from './otlp-to-loki.js';
export type { OtlpLogsOptions } from './otlp-to-loki.js';
export { goJsonString, otlpValueString } from './value-string.js';
