import type { Logger } from '../../self/index.js';

/** The configuration the Loki API reads (the `logs` section). */
export interface LokiContext {
  readonly log: Logger;
  readonly config: {
    readonly logs: {
      readonly retention: number;
      readonly retention_bytes: number;
      readonly max_line_size: number;
      readonly reject_old_samples_max_age: number;
      readonly creation_grace_period: number;
      readonly ingestion_rate: number;
      readonly ingestion_burst: number;
      readonly max_streams_per_tenant: number;
      readonly max_query_entries: number;
      readonly max_query_series: number;
      readonly flush_interval: number;
      readonly duckdb_memory_limit: string;
      readonly duckdb_threads: number;
      readonly otlp_index_labels: readonly string[];
      readonly otlp_service_name_labels: readonly string[];
      readonly discover_log_levels: 'otlp' | 'all' | 'off';
      readonly syslog_tcp_listen: string;
      readonly syslog_udp_listen: string;
      readonly syslog_tenant: string;
      readonly backend: 'embedded' | 'remote';
      readonly remote_push_url: string;
      readonly remote_query_url: string;
      readonly remote_bearer_token: string;
      readonly remote_tenant_header: boolean;
      readonly remote_timeout: number;
    };
  };
}
