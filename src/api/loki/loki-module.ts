import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../../auth/index.js';
import { ingestCounter, type Registry } from '../../self/index.js';
import { IchigenError } from '../../model/index.js';
import { DuckDbLogStore, RemoteLogStore, type LogLimits, type LogStore } from '../../store/logs/index.js';
import type { LokiContext } from './loki-context.js';
import { registerDetectedRoutes } from './detected-routes.js';
import { SyslogListener } from '../syslog/index.js';
import { registerJsonRecordsRoute } from './json-records-route.js';
import { installLokiErrors } from './loki-errors.js';
import { registerPushRoute } from './push-route.js';
import { registerQueryRoutes } from './query-routes.js';
import { otlpLogsSink } from './otlp-logs-sink.js';
import { registerTailRoute } from './tail-route.js';

/** What the composition root hands the logs module (a subset of ServerContext). */
export interface LogsModuleContext extends LokiContext {
  readonly dataDir: string;
  readonly auth: { readonly authenticator: Authenticator };
  /** Where the count of accepted lines goes (`ichigen_ingested_total{signal="log_lines"}`). */
  readonly registry?: Registry;
}

/** The remote (Loki) store of `logs.backend: remote`, its URLs checked at start-up. */
function remoteLogStore(c: LogsModuleContext['config']['logs']): RemoteLogStore {
  if (c.remote_push_url === '' || c.remote_query_url === '') throw new IchigenError('INVALID_PARAMETER', 'logs.backend is remote: set logs.remote_push_url and logs.remote_query_url');
  return new RemoteLogStore({
    pushUrl: c.remote_push_url,
    queryUrl: c.remote_query_url,
    ...(c.remote_bearer_token ? { authorization: `Bearer ${c.remote_bearer_token}` } : {}),
    sendTenantHeader: c.remote_tenant_header,
    timeoutMs: c.remote_timeout,
  });
}

/**
 * The logs pillar: the log store (embedded DuckDB, or a remote Loki), Loki push and the Loki
 * query API. OTLP logs reach the store through `otlpSink`.
 */
export function createLogsModule(ctx: LogsModuleContext) {
  const remote = ctx.config.logs.backend === 'remote' ? remoteLogStore(ctx.config.logs) : undefined;
  let store: DuckDbLogStore | RemoteLogStore | undefined;
  let counted: LogStore | undefined;
  const lines = ctx.registry ? ingestCounter(ctx.registry) : undefined;
  const get = (): LogStore => {
    if (!store) throw new IchigenError('UNAVAILABLE', 'the log store is not open yet');
    counted ??= lines ? countingPushes(store, (n) => lines.inc({ signal: 'log_lines' }, n)) : store;
    return counted;
  };
  const cfg = ctx.config.logs;
  const limits: LogLimits = {
    maxLineBytes: cfg.max_line_size,
    rejectOlderThanMs: cfg.reject_old_samples_max_age,
    creationGraceMs: cfg.creation_grace_period,
    ingestionRateBytes: cfg.ingestion_rate,
    ingestionBurstBytes: cfg.ingestion_burst,
    maxStreamsPerTenant: cfg.max_streams_per_tenant,
    maxEntriesPerQuery: cfg.max_query_entries,
  };
  const syslog =
    cfg.syslog_tcp_listen !== '' || cfg.syslog_udp_listen !== ''
      ? new SyslogListener({
          tcpListen: cfg.syslog_tcp_listen,
          udpListen: cfg.syslog_udp_listen,
          tenant: cfg.syslog_tenant,
          // The header (priority, time, host, app, structured data) on top of the line.
          maxMessageBytes: cfg.max_line_size + 8192,
          detectLevel: cfg.discover_log_levels !== 'off',
          store: get,
          log: ctx.log.child({ module: 'syslog' }),
        })
      : undefined;
  return {
    name: 'logs',
    store: get,
    /** The syslog listener when one is configured (its ports, counts). */
    syslog,
    /** OTLP logs into this store (set as `otlp.logs` by the composition root). */
    otlpSink: otlpLogsSink(get, {
      indexLabels: cfg.otlp_index_labels,
      serviceNameLabels: cfg.otlp_service_name_labels,
      detectLevel: cfg.discover_log_levels !== 'off',
    }),
    async routes(app: FastifyInstance): Promise<void> {
      await app.register(async (scope) => {
        installLokiErrors(scope);
        registerPushRoute(scope, get, { detectLevels: cfg.discover_log_levels === 'all' });
        registerQueryRoutes(scope, get, ctx);
        registerDetectedRoutes(scope, get);
        registerTailRoute(scope, get, ctx.auth.authenticator);
      });
      // Ichigen's own JSON-records push: Ichigen's JSON errors, raw JSON bodies.
      await app.register(async (scope) => registerJsonRecordsRoute(scope, get, { detectLevels: cfg.discover_log_levels === 'all' }));
    },
    async start(): Promise<void> {
      store = remote ?? await DuckDbLogStore.open({
        dir: path.join(ctx.dataDir, 'logs'),
        limits,
        log: ctx.log,
        flushIntervalMs: cfg.flush_interval,
        flushEntries: 500_000,
        retentionMs: cfg.retention,
        retentionBytes: cfg.retention_bytes,
        duckdbMemoryLimit: cfg.duckdb_memory_limit,
        duckdbThreads: cfg.duckdb_threads,
      });
      await syslog?.start();
    },
    async stop(): Promise<void> {
      await syslog?.stop();
      if (store instanceof DuckDbLogStore) await store.close();
      store = undefined;
      counted = undefined;
    },
  };
}

/** The store with `push` counting the lines it accepted (Loki push and OTLP logs both go through it). */
function countingPushes(store: LogStore, count: (n: number) => void): LogStore {
  const push: LogStore['push'] = async (tenant, batch) => {
    const outcome = await store.push(tenant, batch);
    count(outcome.accepted);
    return outcome;
  };
  // Every other method is the store's own, bound to it.
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'push') return push;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
