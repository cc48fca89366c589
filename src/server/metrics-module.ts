import path from 'node:path';
import { registerRemoteWriteRoute } from '../api/ingest/index.js';
import { EmbeddedMetricStore, type MetricStore } from '../store/index.js';
import type { ServerContext, ServerModule } from './module.js';

/** The metrics pillar: the metric store, and the ingest routes writing into it. */
export interface MetricsModule extends ServerModule {
  /** The store every reader (PromQL API, rules, UI) uses. */
  readonly store: MetricStore;
}

export function createMetricsModule(ctx: ServerContext): MetricsModule {
  const c = ctx.config.metrics;
  const store = new EmbeddedMetricStore({
    dir: path.join(ctx.dataDir, 'metrics'),
    retentionMs: c.retention,
    retentionBytes: c.retention_size,
    outOfOrderWindowMs: c.out_of_order_window,
    flushIntervalMs: c.flush_interval,
    maxHeadSamples: c.max_head_samples,
    duckdbMemoryLimit: c.duckdb_memory_limit,
    duckdbThreads: c.duckdb_threads,
    limits: {
      maxLabelsPerSeries: c.max_labels_per_series,
      maxLabelNameLength: c.max_label_name_length,
      maxLabelValueLength: c.max_label_value_length,
      activeSeriesWindowMs: 60 * 60 * 1000,
      maxActiveSeries: c.max_active_series,
      maxActiveSeriesPerTenant: c.max_active_series_per_tenant,
    },
    log: ctx.log.child({ module: 'metrics' }),
    registry: ctx.registry,
  });
  return {
    name: 'metrics',
    store,
    routes: async (app) => {
      await app.register(async (scope) => {
        registerRemoteWriteRoute(scope, { store, maxUncompressedBytes: c.max_write_bytes, maxSeriesPerRequest: c.max_series_per_request });
      });
    },
    start: () => store.open(),
    stop: () => store.close(),
  };
}
