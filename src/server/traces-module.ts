import path from 'node:path';
import { registerTempoApi } from '../api/tempo/index.js';
import type { OtlpSinks } from '../receive/otlp/index.js';
import { packageVersion } from '../self/index.js';
import { DuckDbTraceStore } from '../store/index.js';
import type { ServerContext, ServerModule } from './module.js';

/** Traces: the embedded trace store, its OTLP sink and the Tempo-compatible query API. */
export function tracesModule(ctx: ServerContext, otlp: OtlpSinks): ServerModule {
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
  otlp.traces = (tenant, request) => store.append(tenant, request);
  return {
    name: 'traces',
    routes: async (app) => {
      await app.register(async (scope) => registerTempoApi(scope, { store, version: packageVersion(), maxTraces: c.max_search_traces }));
    },
    start: () => store.open(),
    stop: () => store.close(),
  };
}
