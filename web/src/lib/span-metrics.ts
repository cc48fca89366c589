import { escapeLogqlString } from './logql-complete.js';

// PromQL over the metrics Ichigen writes from spans (named as Tempo's metrics generator names
// them): traces_spanmetrics_calls_total / _latency, traces_service_graph_request_*.

/** Spans that handled a request: what a service's rate, errors and duration are about. */
export const SERVER_KINDS = 'span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"';

/** A PromQL string literal body. */
const q = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** A range for `[…]`: the window in whole seconds, at least a minute (a few metric writes). */
export function windowOf(seconds: number): string {
  return `${Math.max(60, Math.round(seconds))}s`;
}

/** Rate, error rate and 95th-percentile duration per service (server and consumer spans). */
export function redQueries(window: string, top?: number): { rate: string; errors: string; p95: string } {
  const rate = `sum by (service) (rate(traces_spanmetrics_calls_total{${SERVER_KINDS}}[${window}]))`;
  return {
    rate: top === undefined ? rate : `topk(${top}, ${rate})`,
    errors: `sum by (service) (rate(traces_spanmetrics_calls_total{${SERVER_KINDS}, status_code="STATUS_CODE_ERROR"}[${window}]))`,
    p95: `histogram_quantile(0.95, sum by (service, le) (rate(traces_spanmetrics_latency_bucket{${SERVER_KINDS}}[${window}])))`,
  };
}

/** The service graph's edges: which exist in the window, their request and failure rates, server-side p95. */
export function serviceGraphQueries(window: string): { edges: string; rate: string; failed: string; p95: string } {
  return {
    edges: `sum by (client, server) (last_over_time(traces_service_graph_request_total[${window}]))`,
    rate: `sum by (client, server) (rate(traces_service_graph_request_total[${window}]))`,
    failed: `sum by (client, server) (rate(traces_service_graph_request_failed_total[${window}]))`,
    p95: `histogram_quantile(0.95, sum by (client, server, le) (rate(traces_service_graph_request_server_seconds_bucket[${window}])))`,
  };
}

/** Metrics of one span's operation: its call rate by status, and its latency percentiles. */
export function spanMetricQueries(service: string, spanName: string): { calls: string; latency: string } {
  const sel = `service="${q(service)}", span_name="${q(spanName)}"`;
  return {
    calls: `sum by (status_code) (rate(traces_spanmetrics_calls_total{${sel}}[5m]))`,
    latency: `histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{${sel}}[5m])))`,
  };
}

/** Label names that usually carry the service on log streams, most specific first. */
export const SERVICE_LABELS = ['service_name', 'service', 'app', 'application', 'job', 'container'] as const;

/**
 * The LogQL queries for a span's logs: the stream label that names the service (when one of
 * the usual ones has it as a value), else every stream with any value of the first indexed
 * label; then the trace id as structured metadata (`trace_id`, where OTLP logs keep it, as
 * Loki 3 does) and as a line filter (loggers that write it into the line). The caller uses the
 * first that finds lines.
 */
export function spanLogsQueries(service: string, traceId: string, labelValues: ReadonlyMap<string, readonly string[]>, anyLabel: string | undefined): { metadata: string; text: string } | undefined {
  let selector: string | undefined;
  for (const l of SERVICE_LABELS) {
    if (labelValues.get(l)?.includes(service)) {
      selector = `{${l}="${escapeLogqlString(service)}"}`;
      break;
    }
  }
  selector ??= anyLabel === undefined ? undefined : `{${anyLabel}=~".+"}`;
  if (selector === undefined) return undefined;
  const id = escapeLogqlString(traceId);
  return { metadata: `${selector} | trace_id="${id}"`, text: `${selector} |= "${id}"` };
}
