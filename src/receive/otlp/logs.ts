import type { AnyValue, KeyValue } from './any-value.js';
import { anyValue, field, id, int64, keyValues, list, obj, str, uint } from './fields.js';
import { readResource, readScope, type OtlpResource, type OtlpScope } from './resource.js';

/** The normalised form of an OTLP logs request, the same for protobuf and JSON. */
export interface OtlpLogs {
  readonly resourceLogs: readonly OtlpResourceLogs[];
}

export interface OtlpResourceLogs {
  readonly resource: OtlpResource;
  readonly scopeLogs: readonly OtlpScopeLogs[];
  readonly schemaUrl: string;
}

export interface OtlpScopeLogs {
  readonly scope: OtlpScope;
  readonly logRecords: readonly OtlpLogRecord[];
  readonly schemaUrl: string;
}

export interface OtlpLogRecord {
  /** Unix ns; 0n when the sender left it unset (use observedTimeUnixNano then). */
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
  /** 0..24 (OTLP SeverityNumber). */
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: AnyValue;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
  readonly flags: number;
  /** Hex, '' when absent. */
  readonly traceId: string;
  readonly spanId: string;
  readonly eventName: string;
}

const SEVERITY_NAMES = [
  'SEVERITY_NUMBER_UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((s) => ['', '2', '3', '4'].map((n) => `SEVERITY_NUMBER_${s}${n}`)),
];

function severity(v: unknown, path: string): number {
  if (typeof v === 'string') {
    const i = SEVERITY_NAMES.indexOf(v);
    if (i >= 0) return i;
  }
  return uint(v, path);
}

/** Converts a decoded protobuf message or a parsed OTLP/JSON object. */
export function readLogs(root: unknown): OtlpLogs {
  const o = obj(root, 'request') ?? {};
  return {
    resourceLogs: list(field(o, 'resourceLogs', 'resource_logs'), 'resourceLogs').map((rv, i) => {
      const p = `resourceLogs[${i}]`;
      const r = obj(rv, p) ?? {};
      return {
        resource: readResource(r.resource, `${p}.resource`),
        schemaUrl: str(field(r, 'schemaUrl', 'schema_url'), `${p}.schemaUrl`),
        scopeLogs: list(field(r, 'scopeLogs', 'scope_logs'), `${p}.scopeLogs`).map((sv, j) => {
          const q = `${p}.scopeLogs[${j}]`;
          const s = obj(sv, q) ?? {};
          return {
            scope: readScope(s.scope, `${q}.scope`),
            schemaUrl: str(field(s, 'schemaUrl', 'schema_url'), `${q}.schemaUrl`),
            logRecords: list(field(s, 'logRecords', 'log_records'), `${q}.logRecords`).map((lv, k) => {
              const lp = `${q}.logRecords[${k}]`;
              const l = obj(lv, lp) ?? {};
              return {
                timeUnixNano: int64(field(l, 'timeUnixNano', 'time_unix_nano'), `${lp}.timeUnixNano`, true),
                observedTimeUnixNano: int64(field(l, 'observedTimeUnixNano', 'observed_time_unix_nano'), `${lp}.observedTimeUnixNano`, true),
                severityNumber: severity(field(l, 'severityNumber', 'severity_number'), `${lp}.severityNumber`),
                severityText: str(field(l, 'severityText', 'severity_text'), `${lp}.severityText`),
                body: anyValue(l.body, `${lp}.body`),
                attributes: keyValues(l.attributes, `${lp}.attributes`),
                droppedAttributesCount: uint(field(l, 'droppedAttributesCount', 'dropped_attributes_count'), lp),
                flags: uint(l.flags, `${lp}.flags`),
                traceId: id(field(l, 'traceId', 'trace_id'), 16, `${lp}.traceId`),
                spanId: id(field(l, 'spanId', 'span_id'), 8, `${lp}.spanId`),
                eventName: str(field(l, 'eventName', 'event_name'), `${lp}.eventName`),
              };
            }),
          };
        }),
      };
    }),
  };
}

export function countLogRecords(l: OtlpLogs): number {
  let n = 0;
  for (const r of l.resourceLogs) for (const s of r.scopeLogs) n += s.logRecords.length;
  return n;
}
