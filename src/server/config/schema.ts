import { z } from 'zod';
import { DEFAULT_OTLP_INDEX_LABELS, DEFAULT_SERVICE_NAME_LABELS } from '../../pipeline/index.js';
import { bool, bytes, duration, int, oneOf, secret, section, str, stringList, structured } from './fields.js';

/** The default main port: unused by Prometheus, Alertmanager, Loki, Tempo, Grafana and OTLP. */
export const DEFAULT_PORT = 8910;

const server = section({
  listen: str(`0.0.0.0:${DEFAULT_PORT}`, 'Address of the main HTTP port (UI and every API). Also `--listen`.'),
  public_url: str('', 'External URL of this server, used in links sent out (notifications, acknowledge links). Empty: derived from the request.'),
  max_request_bytes: bytes('32MiB', 'Largest request body accepted, after decompression.'),
  request_timeout: duration('2m', 'Time limit for reading a request and producing its answer.'),
  shutdown_timeout: duration('30s', 'How long a graceful shutdown waits for in-flight requests.'),
  trust_proxy: bool(false, 'Trust X-Forwarded-* headers (set when behind a load balancer).'),
});

const storage = section({
  data_dir: str('data', 'Directory holding the embedded databases (DuckDB telemetry, SQLite state) and write-ahead logs. Also `--data-dir`.'),
});

const state = section({
  url: str('', 'State database: empty for SQLite in the data directory, `sqlite:PATH`, or `postgres://user:pass@host/db` (needed to run several replicas).'),
  pool_size: int(10, 'PostgreSQL connection pool size.', { min: 1, max: 200 }),
});

const auth = section({
  admin_password: secret('Password for the `admin` user created on first start; empty: a random one is printed once to the console.'),
  session_ttl: duration('7d', 'How long a browser session lasts without activity.'),
  cookie_secure: bool(false, 'Mark the session cookie Secure (turn on when users reach Ichigen over HTTPS).'),
  login_max_failures: int(5, 'Failed logins allowed per client address and per username within `login_window` before 429.', { min: 1 }),
  login_window: duration('5m', 'Window for counting failed logins.'),
});

const promql = section({
  compatibility: oneOf(['prometheus3', 'prometheus2'], 'prometheus3', 'PromQL semantics: `prometheus3` (left-open range selectors and lookback) or `prometheus2` (closed ranges, `holt_winters`), for teams migrating from Prometheus 2.'),
  lookback_delta: duration('5m', 'How far back an instant vector selector looks for the latest sample (Prometheus `--query.lookback-delta`).'),
  max_samples: int(50_000_000, 'Most samples one query may hold in memory at once; more fails with 422 (Prometheus `--query.max-samples`).', { min: 1 }),
  timeout: duration('2m', 'Longest a query may run; longer fails with 503 `timeout` (Prometheus `--query.timeout`). A request `timeout` parameter can only shorten it.'),
  default_evaluation_interval: duration('1m', 'Step of subqueries written without one (`x[1h:]`), as Prometheus\' global `evaluation_interval`.'),
});

const events = section({
  retention: duration('30d', 'How long events (alerts, AWS and external events, schedule ticks) are kept for search.'),
  sns_cert_url_prefixes: stringList([], 'URL prefixes trusted for SNS signing certificates and subscription URLs besides `https://sns.<region>.amazonaws.com/` (e.g. a test server).'),
  sns_ca_file: str('', 'PEM file of CA certificates an SNS signing certificate must be issued by; empty: trust the certificate fetched over HTTPS from the SNS host.'),
});

const traces = section({
  retention: duration('14d', 'How long spans are kept (by their end time). 0 keeps them forever.'),
  max_bytes: bytes('0', 'Largest size of the trace database; past it the oldest spans are deleted. 0: no limit.'),
  flush_interval: duration('5s', 'How often spans move from the write-ahead log and memory into DuckDB.'),
  duckdb_memory_limit: str('512MB', 'DuckDB `memory_limit` for the trace store.'),
  duckdb_threads: int(2, 'DuckDB `threads` for the trace store.', { min: 1, max: 64 }),
  max_search_traces: int(20000, 'Most traces one TraceQL metrics query reads before it fails with a clear error, and one tag name/value search reads (the newest in its window). Searches are not bounded by it: they read newest first until `limit` traces match.', { min: 100 }),
  search_timeout: duration('30s', 'Longest a trace search reads before it answers with the traces found so far; a TraceQL metrics query fails past it.'),
  span_metrics: bool(true, 'Write metrics from spans into the metric store: `traces_spanmetrics_*` (RED per service, span name, kind, status) and `traces_service_graph_*` (edges between services).'),
  span_metrics_interval: duration('15s', 'How often the metrics from spans are written (like a scrape interval).'),
  span_metrics_dimensions: stringList([], 'Extra span or resource attributes that become labels of `traces_spanmetrics_*` (dots turn into underscores).'),
  backend: oneOf(['embedded', 'remote'], 'embedded', 'Where spans are stored: `embedded` (DuckDB under the data directory) or `remote` (exported over OTLP to Tempo, Jaeger or any OTLP backend, read back through a Tempo HTTP API).'),
  remote_otlp_url: str('', 'With `backend: remote`: the OTLP/HTTP traces endpoint spans are exported to (protobuf), e.g. `http://tempo:4318/v1/traces`.'),
  remote_query_url: str('', 'With `backend: remote`: base URL of the Tempo HTTP API (before `/api`), e.g. `http://tempo:3200`; trace by id, search, tags and TraceQL metrics are read there.'),
  remote_bearer_token: secret('With `backend: remote`: bearer token sent to the backend (both URLs).'),
  remote_tenant_header: bool(false, 'With `backend: remote`: send the tenant as `X-Scope-OrgID` (Tempo multi-tenancy).'),
  remote_timeout: duration('30s', 'With `backend: remote`: time limit of each backend call.'),
});

const otlp = section({
  http_listen: str('0.0.0.0:4318', 'Address of the dedicated OTLP/HTTP listener (`/v1/traces`, `/v1/metrics`, `/v1/logs`; the main port serves them too). Empty disables it.'),
  grpc_listen: str('0.0.0.0:4317', 'Address of the OTLP/gRPC listener. Empty disables it.'),
});

const rules = section({
  files: stringList([], 'Prometheus rule files (paths, directories, or `*` patterns in the file name); reloaded when they change and on `POST /-/reload`.'),
  logql_files: stringList([], "Loki ruler rule files (same YAML, LogQL metric queries in `expr`), evaluated over the log store; listed and reloaded like `files`."),
  evaluation_interval: duration('1m', 'Default interval of rule groups that set none (Prometheus `global.evaluation_interval`).'),
  query_offset: duration('0s', "How far back rule queries look, for groups that set no `query_offset` (Prometheus `global.rule_query_offset`): each evaluation at t queries at t − offset and writes its results there, so late samples (remote write, slow scrapes) are in."),
  external_labels: structured(
    z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a label name'), z.string()).default({}),
    'map of label: value',
    '{}',
    "Labels added to every alert rules send (unless the alert has the label) and offered to templates as `$externalLabels` (Prometheus `global.external_labels`).",
  ),
  resend_delay: duration('1m', 'How often a still-firing alert is sent again to the alert intake (Prometheus `--rules.alert.resend-delay`).'),
  outage_tolerance: duration('1h', 'How far back pending/firing state is restored from ALERTS_FOR_STATE after a restart.'),
  external_url: str('', 'Base of the generatorURL in alerts from rules; empty: server.public_url.'),
  api_max_groups: int(1000, 'Most rule groups one tenant may keep through the ruler API (both languages).', { min: 0 }),
  api_max_rules_per_group: int(200, 'Most rules in one group posted to the ruler API.', { min: 1 }),
});

const incidents = section({
  resolve_timeout: duration('5m', 'An alert sent without endsAt resolves when not refreshed for this long (Alertmanager `resolve_timeout`).'),
  max_alerts_per_request: int(10000, 'Most alerts accepted in one Alertmanager API request or webhook.', { min: 1 }),
  sweep_interval: duration('5s', 'How often expired alerts, group silences and heartbeats are checked.'),
  escalation_interval: duration('1s', 'How often due escalation steps and notifications are picked up.'),
  link_secret: secret('Key that signs acknowledge/resolve links in notifications; empty: generated once and kept in the state database.'),
  link_ttl: duration('24h', 'How long acknowledge/resolve links in notifications stay valid.'),
  notify_max_attempts: int(5, 'Attempts per notification before it is given up (each is in the delivery log).', { min: 1, max: 20 }),
  notify_retry_base: duration('10s', 'First retry delay of a failed notification; doubles per attempt.'),
  notify_timeout: duration('15s', 'Time limit of one delivery attempt (HTTP request or SMTP session).'),
});

const metrics = section({
  retention: duration('15d', 'How long metric samples are kept; `0` keeps everything.'),
  retention_size: bytes('0', 'Largest size of stored metric chunks; the oldest are dropped beyond it. `0`: no size limit.'),
  out_of_order_window: duration('10m', "Samples up to this much older than a series' newest sample are accepted; older ones are refused with 400."),
  flush_interval: duration('10m', 'How often the in-memory head is written to DuckDB as compressed chunks (the write-ahead log covers the time between).'),
  max_head_samples: int(10_000_000, 'Flush early once the head holds this many samples; writes get 429 at twice as many.', { min: 1000 }),
  duckdb_memory_limit: str('512MB', 'DuckDB memory_limit for the metric database.'),
  duckdb_threads: int(2, 'DuckDB threads for the metric database.', { min: 1, max: 64 }),
  max_write_bytes: bytes('64MiB', 'Largest remote-write request after snappy decompression (413 beyond).'),
  max_series_per_request: int(100_000, 'Most series in one write request (400 beyond).', { min: 1 }),
  max_labels_per_series: int(64, 'Most labels on one series (400 beyond).', { min: 1, max: 65535 }),
  max_label_name_length: int(1024, 'Longest label name (400 beyond).', { min: 1, max: 65535 }),
  max_label_value_length: int(4096, 'Longest label value (400 beyond).', { min: 1 }),
  max_active_series: int(5_000_000, 'Most series that received samples in the last hour, over all tenants (429 beyond). `0`: unlimited.', { min: 0 }),
  max_active_series_per_tenant: int(2_000_000, 'Most active series per tenant (429 beyond). `0`: unlimited.', { min: 0 }),
  scrape_configs: structured(z.array(z.unknown()).default([]), 'list of Prometheus scrape_config', '[]', "Targets to scrape, in Prometheus' own `scrape_configs` syntax (see the Metrics in section for the supported fields). Samples go to the default tenant."),
  scrape_interval: duration('1m', 'Default `scrape_interval` of scrape configs (Prometheus `global.scrape_interval`).'),
  scrape_timeout: duration('10s', 'Default `scrape_timeout` of scrape configs (Prometheus `global.scrape_timeout`).'),
  backend: oneOf(['embedded', 'remote'], 'embedded', 'Where metrics are stored: `embedded` (DuckDB under the data directory) or `remote` (any Prometheus remote-write + query API backend: Mimir, VictoriaMetrics, Thanos, Amazon Managed Prometheus).'),
  remote_write_url: str('', 'With `backend: remote`: the remote write URL (e.g. `http://vm:8428/api/v1/write`, Mimir `…/api/v1/push`).'),
  remote_query_url: str('', 'With `backend: remote`: base URL of the Prometheus query API (before `/api/v1`), e.g. `http://vm:8428` or Mimir `…/prometheus`.'),
  remote_bearer_token: secret('With `backend: remote`: bearer token sent to the backend.'),
  remote_tenant_header: bool(false, 'With `backend: remote`: send the tenant as `X-Scope-OrgID` (Mimir, Cortex).'),
  remote_timeout: duration('30s', 'With `backend: remote`: time limit of each backend call.'),
  self_scrape_interval: duration('15s', "How often Ichigen stores its own /metrics (job `ichigen`), read straight from its registry; `0` turns it off."),
});

const logs = section({
  retention: duration('30d', 'Log retention by age (whole UTC days are dropped); 0 keeps everything.'),
  retention_bytes: bytes('0', 'Log retention by size of line data; the oldest days go first. 0: no cap.'),
  max_line_size: bytes('256KiB', 'Longest log line accepted (Loki: max_line_size).'),
  reject_old_samples_max_age: duration('7d', 'Entries older than this are refused (Loki: reject_old_samples_max_age).'),
  creation_grace_period: duration('10m', 'How far in the future an entry may be (Loki: creation_grace_period).'),
  ingestion_rate: bytes('64MiB', 'Ingestion rate per tenant in bytes per second (429 above it).'),
  ingestion_burst: bytes('128MiB', 'Burst on top of the ingestion rate.'),
  max_streams_per_tenant: int(100000, 'Streams per tenant (429 above it).', { min: 0 }),
  max_query_entries: int(20000000, 'Entries one LogQL query may read before it fails.', { min: 1000 }),
  max_query_series: int(50000, 'Series one LogQL metric query may produce before it fails.', { min: 1 }),
  flush_interval: duration('10s', 'How often acknowledged log entries move from the write-ahead log to DuckDB.'),
  duckdb_memory_limit: str('512MB', 'DuckDB memory_limit for the log store.'),
  duckdb_threads: int(2, 'DuckDB threads for the log store.', { min: 1, max: 64 }),
  otlp_index_labels: stringList(DEFAULT_OTLP_INDEX_LABELS, "OTLP resource attributes that become stream labels (dots and other characters turn into `_`: `service.name` is `service_name`); every other attribute is kept as structured metadata. The default is Loki's `default_resource_attributes_as_index_labels`."),
  otlp_service_name_labels: stringList(DEFAULT_SERVICE_NAME_LABELS, "For OTLP resources without `service.name`: the first of these stream labels gives `service_name`, else it is `unknown_service` (Loki's `discover_service_name`). `[]` adds no `service_name`."),
  discover_log_levels: oneOf(['otlp', 'all', 'off'], 'otlp', "Add a `detected_level` structured metadata field at ingest, as Loki's `discover_log_levels` does (Grafana's Logs Drilldown groups by it): `otlp` for OTLP and syslog messages (from their severity), `all` also for Loki and JSON-record pushes (from a level label, metadata or the line), `off` never."),
  syslog_tcp_listen: str('', 'Address of a syslog listener over TCP (RFC 5424 or RFC 3164; octet-counted or newline-framed), e.g. `0.0.0.0:1514`. Syslog has no authentication: bind it where only trusted senders reach it. Empty disables it.'),
  syslog_udp_listen: str('', 'Address of a syslog listener over UDP (one message per datagram), e.g. `0.0.0.0:1514`. Same caveat as TCP. Empty disables it.'),
  syslog_tenant: str('default', 'Tenant that syslog messages are stored under (syslog carries no tenant).'),
  backend: oneOf(['embedded', 'remote'], 'embedded', 'Where log lines are stored: `embedded` (DuckDB under the data directory) or `remote` (a Loki: pushed to its push API, the Loki query API passed to it).'),
  remote_push_url: str('', 'With `backend: remote`: Loki\'s push URL, e.g. `http://loki:3100/loki/api/v1/push`.'),
  remote_query_url: str('', 'With `backend: remote`: base URL of the Loki HTTP API (before `/loki`), e.g. `http://loki:3100`; every Loki query endpoint is passed there.'),
  remote_bearer_token: secret('With `backend: remote`: bearer token sent to the backend (both URLs).'),
  remote_tenant_header: bool(false, 'With `backend: remote`: send the tenant as `X-Scope-OrgID` (Loki multi-tenancy).'),
  remote_timeout: duration('30s', 'With `backend: remote`: time limit of each backend call.'),
});

const automation = section({
  step_timeout: duration('10m', 'Time limit of a runbook step that sets no `timeout` of its own.'),
  aws_region: str('', 'AWS region for SSM actions that name none; empty: the SDK default chain (AWS_REGION, profile).'),
  aws_endpoint: str('', 'Endpoint override for AWS SSM calls (a VPC endpoint); empty: the public regional endpoint. Credentials always come from the SDK standard chain.'),
  ssm_poll_interval: duration('2s', 'How often SSM Run Command invocations are polled for completion.'),
  run_lease: duration('30s', 'How long a replica\'s claim on a running run holds without renewal (renewed every third of it). When a replica dies, another one marks its runs interrupted after this.'),
});

const log = section({
  level: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], 'info', 'Log level.'),
});

/**
 * The whole configuration file. Sections for each pillar are added here as they land;
 * every key has a default, so no file is needed on a single machine.
 */
export const configSchema = z
  .object({
    server,
    storage,
    state,
    auth,
    promql,
    events,
    rules,
    automation,
    incidents,
    metrics,
    logs,
    log,
    otlp,
    traces,
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
