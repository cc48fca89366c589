import { registerPrometheusApi } from '../api/prometheus/index.js';
import { Engine } from '../query/index.js';
import { formatDuration } from '../model/index.js';
import { packageVersion } from '../self/index.js';
import type { MetricStore } from '../store/index.js';
import type { ServerContext, ServerModule } from './module.js';


/**
 * The Prometheus HTTP API over the server's metric store, queried by Ichigen's PromQL
 * engine. Without a store only the status and formatting endpoints answer.
 */
export function prometheusApiModule(ctx: ServerContext, store: MetricStore | undefined): ServerModule {
  const startTime = new Date();
  const c = ctx.config.promql;
  const flags: Record<string, string> = {
    'query.lookback-delta': formatDuration(c.lookback_delta),
    'query.max-samples': String(c.max_samples),
    'query.timeout': formatDuration(c.timeout),
    'web.listen-address': ctx.config.server.listen,
    'storage.tsdb.path': ctx.dataDir,
  };
  const engine = new Engine({
    compatibility: c.compatibility,
    lookbackDelta: c.lookback_delta,
    maxSamples: c.max_samples,
    timeout: c.timeout,
    defaultEvalInterval: c.default_evaluation_interval,
  });
  return {
    name: 'prometheus-api',
    routes: (app) => {
      registerPrometheusApi(app, { store, engine, version: packageVersion(), startTime, flags, storageRetention: ctx.config.metrics.retention === 0 ? '0s' : formatDuration(ctx.config.metrics.retention) });
    },
  };
}
