// PromQL over Ichigen's own metrics (self-scraped as job="ichigen") for the overview's
// ingest health. Rates over five minutes, as a Prometheus dashboard would show them.

/** Routes on the main port that take telemetry in (remote write, Loki push, OTLP/HTTP, Zipkin). */
export const INGEST_ROUTES = ['/api/v1/write', '/loki/api/v1/push', '/api/prom/push', '/v1/metrics', '/v1/logs', '/v1/traces', '/otlp/v1/logs', '/api/v2/spans'] as const;

const routeRe = INGEST_ROUTES.map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&')).join('|');

export const INGEST_QUERIES = {
  /** Items per second the stores accepted, by signal (samples, log_lines, spans). */
  accepted: 'sum by (signal) (rate(ichigen_ingested_total[5m]))',
  /** Ingest requests per second answered with an error (4xx or 5xx: bad body, auth, limits). */
  rejected: 'sum(rate(ichigen_ingest_rejected_requests_total[5m]))',
  /** All ingest requests per second. */
  requests: `sum(rate(ichigen_http_requests_total{route=~"${routeRe}"}[5m]))`,
} as const;
