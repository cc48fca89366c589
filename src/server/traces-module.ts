import path from 'node:path';
import { registerZipkinRoute } from '../api/ingest/index.js';
import { registerTempoApi } from '../api/tempo/index.js';
import type { OtlpSink, OtlpSinks } from '../receive/otlp/index.js';
import { packageVersion } from '../self/index.js';
import { DuckDbTraceStore, SpanMetricsGenerator, type MetricStore } from '../store/index.js';
import type { ServerContext, ServerModule } from './module.js';

/** Traces: the embedded trace store, its OTLP sink and the Tempo-compatible query API. */
export function tracesModule(ctx: ServerContext, otlp: OtlpSinks, metricStore: MetricStore | undefined): ServerModule {
  const c = ctx.config.traces;
  const store = new DuckDbTraceStore({
    dir: path.join(ctx.dataDir, 'traces'),
    log: ctx.log,
    retentionMs: c.retention,
    maxBytes: c.max_bytes,
    flushIntervalMs: c.flush_interval,
    maxHeadSpans: 200_000,
    duckdbMemoryLimit: c.duckdb_memory_limit,
    duckdbThreads: c.duckdb_threads,
  });
  const generator =
    c.span_metrics && metricStore !== undefined
      ? new SpanMetricsGenerator({ store: metricStore, log: ctx.log.child({ module: 'span-metrics' }), intervalMs: c.span_metrics_interval, dimensions: c.span_metrics_dimensions })
      : undefined;
  const sink: OtlpSink<'traces'> = async (tenant, request) => {
    const result = await store.append(tenant, request);
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
