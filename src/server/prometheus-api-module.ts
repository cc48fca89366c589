import { registerPrometheusApi, type QueryForwarder, type TargetsView } from '../api/prometheus/index.js';
import type { ScrapeManager } from '../pipeline/index.js';
import { Engine } from '../query/index.js';
import { formatDuration } from '../model/index.js';
import { packageVersion } from '../self/index.js';
import { RemoteMetricStore, type MetricStore } from '../store/index.js';
import { IchigenError } from '../model/index.js';
import type { ServerContext, ServerModule } from './module.js';


/**
 * The Prometheus HTTP API over the server's metric store, queried by Ichigen's PromQL
 * engine. Without a store only the status and formatting endpoints answer.
 */
export function prometheusApiModule(ctx: ServerContext, store: MetricStore | undefined, scrape: () => ScrapeManager | undefined = () => undefined): ServerModule {
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
  const forward = store instanceof RemoteMetricStore ? forwarderFor(store) : undefined;
  const targets = (tenant: string): TargetsView | undefined => {
    const m = scrape();
    return m && m.tenant === tenant ? { active: m.activeTargets(), dropped: m.droppedTargets(), pools: m.scrapePools() } : undefined;
  };
  return {
    name: 'prometheus-api',
    routes: (app) => {
      registerPrometheusApi(app, { store, engine, ...(forward ? { forward } : {}), targets, version: packageVersion(), startTime, flags, storageRetention: ctx.config.metrics.retention === 0 ? '0s' : formatDuration(ctx.config.metrics.retention) });
    },
  };
}

/** Queries against a remote backend run on the backend's own engine, answered unchanged. */
function forwarderFor(store: RemoteMetricStore): QueryForwarder {
  const o = store.options;
  return async (tenant, path, params) => {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Ichigen' };
    if (o.authorization) headers.authorization = o.authorization;
    if (o.sendTenantHeader) headers['x-scope-orgid'] = tenant;
    let res: Response;
    try {
      res = await fetch(`${o.queryUrl.replace(/\/$/, '')}${path}`, { method: 'POST', headers, body: params.toString(), signal: AbortSignal.timeout(o.timeoutMs) });
    } catch (e) {
      throw new IchigenError('UNAVAILABLE', `metric backend unreachable (${new URL(o.queryUrl).host}): ${(e as Error).message}`, { retryAfterSeconds: 5 });
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/json', body: await res.text() };
  };
}
