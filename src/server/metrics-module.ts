import path from 'node:path';
import { registerRemoteWriteRoute } from '../api/ingest/index.js';
import { DeltaAccumulator, ScrapeManager, compileScrapeConfigs, translateOtlpMetrics } from '../pipeline/index.js';
import type { OtlpSink } from '../receive/otlp/index.js';
import { EmbeddedMetricStore, PartialWriteError, RemoteMetricStore, type EmbeddedMetricStoreOptions, type MetricStore } from '../store/index.js';
import type { Config } from './config/index.js';
import { DEFAULT_TENANT, IchigenError, isIchigenError } from '../model/index.js';
import { ingestCounter, type Counter } from '../self/index.js';
import type { ServerContext, ServerModule } from './module.js';

/** The metrics pillar: the metric store, the ingest routes writing into it, and scraping. */
export interface MetricsModule extends ServerModule {
  /** The store every reader (PromQL API, rules, UI) uses. */
  readonly store: MetricStore;
  /** Scrape targets and their health (after start). */
  readonly scrape: () => ScrapeManager | undefined;
  /** OTLP metrics, translated to Prometheus series (set as `otlp.metrics` in modules.ts). */
  readonly otlpSink: OtlpSink<'metrics'>;
}

export function createMetricsModule(ctx: ServerContext): MetricsModule {
  const c = ctx.config.metrics;
  const log = ctx.log.child({ module: 'metrics' });
  const raw: MetricStore = c.backend === 'remote' ? remoteStore(ctx) : new EmbeddedMetricStore({ ...embeddedMetricOptions(ctx.config, ctx.dataDir), log, registry: ctx.registry });
  const store = countingAppends(raw, ingestCounter(ctx.registry));
  // Compiled now so a bad scrape config stops the start with a message naming the job.
  const jobs = compileScrapeConfigs(c.scrape_configs, { intervalMs: c.scrape_interval, timeoutMs: c.scrape_timeout });
  let manager: ScrapeManager | undefined;
  const delta = new DeltaAccumulator();
  const otlpSink: OtlpSink<'metrics'> = async (tenant, request) => {
    const t = translateOtlpMetrics(request, tenant, delta);
    let rejected = t.rejected;
    let message = t.messages[0];
    if (t.series.length > 0 || t.metadata.length > 0) {
      try {
        await store.append(tenant, { series: t.series, metadata: t.metadata });
      } catch (e) {
        // Some samples refused (out of order, limits): an OTLP partial success, not a failure.
        if (!isIchigenError(e) || e.code !== 'INVALID_BODY') throw e;
        const total = t.series.reduce((n, s) => n + s.timestamps.length, 0);
        // A backend's 400 (remote store) says nothing about what it kept: count all as refused.
        rejected += total - (e instanceof PartialWriteError ? e.written.samples : 0);
        message = e.message;
      }
    }
    return message === undefined ? { rejected } : { rejected, message };
  };
  return {
    otlpSink,
    name: 'metrics',
    store,
    scrape: () => manager,
    routes: async (app) => {
      await app.register(async (scope) => {
        registerRemoteWriteRoute(scope, { store, maxUncompressedBytes: c.max_write_bytes, maxSeriesPerRequest: c.max_series_per_request });
      });
    },
    start: async () => {
      await store.open();
      const self =
        c.self_scrape_interval > 0
          ? [
              {
                jobName: 'ichigen',
                address: ctx.config.server.listen,
                labels: [
                  { name: 'instance', value: ctx.config.server.listen },
                  { name: 'job', value: 'ichigen' },
                ],
                intervalMs: c.self_scrape_interval,
                fetch: async () => ({ body: await ctx.registry.metrics(), contentType: ctx.registry.contentType }),
              },
            ]
          : [];
      manager = new ScrapeManager(jobs, { tenant: DEFAULT_TENANT, sink: store, onError: (job, what, err) => log.warn({ job, what, err: (err as Error).message }, 'scrape problem') }, self);
      manager.start();
    },
    stop: async () => {
      await manager?.stop();
      await store.close();
    },
  };
}

/** The embedded metric store's options from the configuration (the server and `ichigen metrics compact`). */
export function embeddedMetricOptions(config: Config, dataDir: string): EmbeddedMetricStoreOptions {
  const c = config.metrics;
  return {
    dir: path.join(dataDir, 'metrics'),
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
  };
}

function remoteStore(ctx: ServerContext): RemoteMetricStore {
  const c = ctx.config.metrics;
  if (c.remote_write_url === '' || c.remote_query_url === '') {
    throw new IchigenError('INVALID_PARAMETER', 'metrics.backend is remote: set metrics.remote_write_url and metrics.remote_query_url');
  }
  return new RemoteMetricStore({
    writeUrl: c.remote_write_url,
    queryUrl: c.remote_query_url,
    ...(c.remote_bearer_token ? { authorization: `Bearer ${c.remote_bearer_token}` } : {}),
    sendTenantHeader: c.remote_tenant_header,
    timeoutMs: c.remote_timeout,
  });
}

/** The store, counting the samples each write made durable (all writers: remote write, OTLP, scrapes, rules, span metrics). */
function countingAppends(store: MetricStore, counter: Counter<'signal'>): MetricStore {
  return {
    // Not an async function: its frame would hold `batch` (every decoded series of the
    // request) until the fsync, long enough for V8 to promote it all to the old generation.
    append: (tenant, batch) =>
      store.append(tenant, batch).then(
        (r) => {
          counter.inc({ signal: 'samples' }, r.samples);
          return r;
        },
        (e: unknown) => {
          if (e instanceof PartialWriteError) counter.inc({ signal: 'samples' }, e.written.samples);
          throw e;
        },
      ),
    querier: (tenant) => store.querier(tenant),
    metadata: (tenant, metric, limit) => store.metadata(tenant, metric, limit),
    open: () => store.open(),
    close: () => store.close(),
  };
}
