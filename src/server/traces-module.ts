import path from 'node:path';
import { registerZipkinRoute } from '../api/ingest/index.js';
import { registerTempoApi } from '../api/tempo/index.js';
import type { OtlpSink, OtlpSinks } from '../receive/otlp/index.js';
import { ingestCounter, packageVersion } from '../self/index.js';
import { IchigenError } from '../model/index.js';
import { DuckDbTraceStore, RemoteTraceStore, SpanMetricsGenerator, type MetricStore } from '../store/index.js';
import type { ServerContext, ServerModule } from './module.js';

/** Traces: the trace store (embedded DuckDB, or remote: OTLP out, Tempo API back), its OTLP and Zipkin sinks, span metrics and the Tempo-compatible query API. */
export function tracesModule(ctx: ServerContext, otlp: OtlpSinks, metricStore: MetricStore | undefined): ServerModule {
  const c = ctx.config.traces;
  const store = c.backend === 'remote' ? remoteStore(ctx) : embeddedStore(ctx);
  const generator =
    c.span_metrics && metricStore !== undefined
      ? new SpanMetricsGenerator({ store: metricStore, log: ctx.log.child({ module: 'span-metrics' }), intervalMs: c.span_metrics_interval, dimensions: c.span_metrics_dimensions })
      : undefined;
  const spans = ingestCounter(ctx.registry);
  const sink: OtlpSink<'traces'> = async (tenant, request, raw) => {
    const result = await store.append(tenant, request, raw);
    let n = 0;
    for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
    spans.inc({ signal: 'spans' }, Math.max(0, n - result.rejected));
    generator?.record(tenant, request);
    return result;
  };
  otlp.traces = sink;
  return {
    name: 'traces',
    routes: async (app) => {
      await app.register(async (scope) => registerZipkinRoute(scope, sink));
      await app.register(async (scope) => registerTempoApi(scope, { store, version: packageVersion(), maxTraces: c.max_search_traces, searchTimeoutMs: c.search_timeout }));
    },
    start: async () => {
      await store.open();
      generator?.start();
    },
    stop: async () => {
      await generator?.stop();
      await store.close();
    },
  };
}

function embeddedStore(ctx: ServerContext): DuckDbTraceStore {
  const c = ctx.config.traces;
  return new DuckDbTraceStore({
    dir: path.join(ctx.dataDir, 'traces'),
    log: ctx.log,
    retentionMs: c.retention,
    maxBytes: c.max_bytes,
    flushIntervalMs: c.flush_interval,
    maxHeadSpans: 200_000,
    duckdbMemoryLimit: c.duckdb_memory_limit,
    duckdbThreads: c.duckdb_threads,
  });
}

function remoteStore(ctx: ServerContext): RemoteTraceStore {
  const c = ctx.config.traces;
  if (c.remote_otlp_url === '' || c.remote_query_url === '') {
    throw new IchigenError('INVALID_PARAMETER', 'traces.backend is remote: set traces.remote_otlp_url and traces.remote_query_url');
  }
  return new RemoteTraceStore({
    otlpUrl: c.remote_otlp_url,
    queryUrl: c.remote_query_url,
    ...(c.remote_bearer_token ? { authorization: `Bearer ${c.remote_bearer_token}` } : {}),
    sendTenantHeader: c.remote_tenant_header,
    timeoutMs: c.remote_timeout,
  });
}
