import { compareLabelNames, labelsKey, type Label, type Labels } from '../../model/index.js';
import type { LogEntry, PushBatch, PushStream } from '../../receive/loki-push/index.js';
import type { KeyValue, OtlpLogRecord, OtlpLogs, OtlpScope } from '../../receive/otlp/index.js';
import { withDetectedLevel } from '../log-level/index.js';
import { attributeLabels } from './attribute-labels.js';
import { otlpValueString } from './value-string.js';

/** Loki's `default_resource_attributes_as_index_labels`. */
export const DEFAULT_OTLP_INDEX_LABELS: readonly string[] = [
  'cloud.availability_zone',
  'cloud.region',
  'container.name',
  'deployment.environment',
  'k8s.cluster.name',
  'k8s.container.name',
  'k8s.cronjob.name',
  'k8s.daemonset.name',
  'k8s.deployment.name',
  'k8s.job.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.replicaset.name',
  'k8s.statefulset.name',
  'service.instance.id',
  'service.name',
  'service.namespace',
];

/** Loki's `discover_service_name` default: labels that stand in for a missing service name. */
export const DEFAULT_SERVICE_NAME_LABELS: readonly string[] = [
  'service',
  'app',
  'application',
  'app_name',
  'name',
  'app_kubernetes_io_name',
  'container',
  'container_name',
  'k8s_container_name',
  'component',
  'workload',
  'job',
  'k8s_job_name',
];

export const SERVICE_NAME_LABEL = 'service_name';
export const UNKNOWN_SERVICE = 'unknown_service';

export interface OtlpLogsOptions {
  /** Resource attributes (OTLP names) that become stream labels; the rest become structured metadata. */
  readonly indexLabels: readonly string[];
  /** When a resource has no service.name: the first of these stream labels names the service, else `unknown_service`. Empty: no service_name is made up. */
  readonly serviceNameLabels: readonly string[];
  /** Add `detected_level` structured metadata from the severity (Loki's `discover_log_levels`). */
  readonly detectLevel: boolean;
  /** Time of entries that carry neither a time nor an observed time. */
  readonly nowNs: () => bigint;
}

function flatten(attrs: readonly KeyValue[]): Label[] {
  return attrs.flatMap((kv) => attributeLabels(kv.key, kv.value));
}

/** Stream labels and the resource's remaining attributes (as metadata) of one ResourceLogs. */
function resourceLabels(attrs: readonly KeyValue[], options: OtlpLogsOptions): { stream: Labels; metadata: Label[] } {
  const index = new Set(options.indexLabels);
  const stream = new Map<string, string>();
  const metadata: Label[] = [];
  const service = attrs.find((a) => a.key === 'service.name');
  let hasService = service !== undefined && otlpValueString(service.value) !== '';
  const discover = options.serviceNameLabels;
  for (const kv of attrs) {
    const labels = attributeLabels(kv.key, kv.value);
    if (!index.has(kv.key)) {
      metadata.push(...labels);
      continue;
    }
    for (const l of labels) {
      stream.set(l.name, l.value);
      if (!hasService && discover.includes(l.name)) {
        stream.set(SERVICE_NAME_LABEL, l.value);
        hasService = true;
      }
    }
  }
  if (!hasService && discover.length > 0) stream.set(SERVICE_NAME_LABEL, UNKNOWN_SERVICE);
  return { stream: toLabels(stream), metadata };
}

function scopeMetadata(scope: OtlpScope): Label[] {
  const out = flatten(scope.attributes);
  if (scope.name !== '') out.push({ name: 'scope_name', value: scope.name });
  if (scope.version !== '') out.push({ name: 'scope_version', value: scope.version });
  if (scope.droppedAttributesCount !== 0) out.push({ name: 'scope_dropped_attributes_count', value: String(scope.droppedAttributesCount) });
  return out;
}

/** Every field of the record but the body and the time, as Loki keeps them. */
function recordMetadata(r: OtlpLogRecord): Label[] {
  const out = flatten(r.attributes);
  // With no time the observed time is the entry's time; storing it again would repeat it.
  if (r.timeUnixNano !== 0n && r.observedTimeUnixNano !== 0n) out.push({ name: 'observed_timestamp', value: String(r.observedTimeUnixNano) });
  if (r.severityNumber !== 0) out.push({ name: 'severity_number', value: String(r.severityNumber) });
  if (r.severityText !== '') out.push({ name: 'severity_text', value: r.severityText });
  if (r.droppedAttributesCount !== 0) out.push({ name: 'dropped_attributes_count', value: String(r.droppedAttributesCount) });
  if (r.flags !== 0) out.push({ name: 'flags', value: String(r.flags) });
  if (r.traceId !== '') out.push({ name: 'trace_id', value: r.traceId });
  if (r.spanId !== '') out.push({ name: 'span_id', value: r.spanId });
  return out;
}

/** Sorted, one value per name (the last one given wins, as when Loki turns metadata into labels), no empty values. */
function toLabels(pairs: Iterable<[string, string]> | Label[]): Labels {
  const m = new Map<string, string>();
  for (const p of pairs) {
    const [name, value] = Array.isArray(p) ? p : [p.name, p.value];
    m.set(name, value);
  }
  const out: Label[] = [];
  for (const [name, value] of m) if (value !== '' && name !== '') out.push({ name, value });
  return out.sort(compareLabelNames);
}

/**
 * An OTLP logs request as Loki push streams, mapped as Loki 3 maps OTLP by default: chosen
 * resource attributes are the stream labels (dots to underscores, `service_name` always
 * present); the other resource attributes, the scope (attributes, name, version) and the
 * record's attributes, severity, flags and trace/span ids are structured metadata; the body
 * is the line (non-string bodies as JSON text); the time is the record's time, else its
 * observed time, else now.
 */
export function translateOtlpLogs(request: OtlpLogs, options: OtlpLogsOptions): PushBatch {
  const streams = new Map<string, PushStream>();
  for (const rl of request.resourceLogs) {
    const { stream, metadata: resourceMeta } = resourceLabels(rl.resource.attributes, options);
    const key = labelsKey(stream);
    let target = streams.get(key);
    if (!target) streams.set(key, (target = { labels: stream, entries: [] }));
    for (const sl of rl.scopeLogs) {
      const scopeMeta = scopeMetadata(sl.scope);
      for (const r of sl.logRecords) {
        let metadata = toLabels([...recordMetadata(r), ...resourceMeta, ...scopeMeta]);
        const line = otlpValueString(r.body);
        if (options.detectLevel) metadata = withDetectedLevel(stream, metadata, line);
        const tsNs = r.timeUnixNano !== 0n ? r.timeUnixNano : r.observedTimeUnixNano !== 0n ? r.observedTimeUnixNano : options.nowNs();
        const entry: LogEntry = { tsNs, line, metadata };
        target.entries.push(entry);
      }
    }
  }
  return { streams: [...streams.values()].filter((s) => s.entries.length > 0) };
}
