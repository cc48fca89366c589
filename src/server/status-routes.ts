import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { APP_API_PREFIX } from '../http/index.js';
import type { ServerContext } from './module.js';

/** Most directory entries one size walk looks at (a data directory has a few hundred files). */
const MAX_ENTRIES = 100_000;

/** Bytes under a directory (0 when it does not exist); stops counting at MAX_ENTRIES entries. */
async function sizeOf(dir: string): Promise<{ bytes: number; complete: boolean }> {
  let bytes = 0;
  let seen = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      continue; // gone or not there (yet): nothing to count
    }
    for (const e of entries) {
      if (++seen > MAX_ENTRIES) return { bytes, complete: false };
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) bytes += (await stat(p).catch(() => ({ size: 0 }))).size;
    }
  }
  return { bytes, complete: true };
}

/** A URL without credentials (user info and query strings can hold them). */
export function redactUrl(url: string): string {
  if (url === '') return '';
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

/**
 * What the UI shows about storage: `status/storage` (any reader: bytes on disk and retention
 * per signal, for the overview) and `status/datasources` (admins: where each signal is
 * stored, remote backends' URLs without credentials, whether a token is set; never a secret).
 */
export function registerStatusRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const c = ctx.config;
  app.get(`${APP_API_PREFIX}/status/storage`, async () => {
    const embedded = async (name: string): Promise<{ bytes: number; complete: boolean }> => sizeOf(path.join(ctx.dataDir, name));
    const metricsSize = c.metrics.backend === 'embedded' ? await embedded('metrics') : undefined;
    const logsSize = c.logs.backend === 'embedded' ? await embedded('logs') : undefined;
    const tracesSize = c.traces.backend === 'embedded' ? await embedded('traces') : undefined;
    const stateFile = c.state.url === '' ? path.join(ctx.dataDir, 'state.sqlite') : c.state.url.startsWith('sqlite:') ? path.resolve(c.state.url.slice('sqlite:'.length)) : undefined;
    const stateBytes = stateFile === undefined ? undefined : (await stat(stateFile).catch(() => ({ size: 0 }))).size;
    return {
      status: 'success',
      data: {
        dataDir: ctx.dataDir,
        metrics: { backend: c.metrics.backend, bytes: metricsSize?.bytes ?? null, complete: metricsSize?.complete ?? true, retentionMs: c.metrics.retention, retentionBytes: c.metrics.retention_size },
        logs: { backend: c.logs.backend, bytes: logsSize?.bytes ?? null, complete: logsSize?.complete ?? true, retentionMs: c.logs.retention, retentionBytes: c.logs.retention_bytes },
        traces: { backend: c.traces.backend, bytes: tracesSize?.bytes ?? null, complete: tracesSize?.complete ?? true, retentionMs: c.traces.retention, retentionBytes: c.traces.max_bytes },
        events: { retentionMs: c.events.retention },
        state: { backend: stateFile === undefined ? 'postgres' : 'sqlite', bytes: stateBytes ?? null },
      },
    };
  });

  /** A signal's store as an admin may see it: its directory, or the remote URLs without credentials. */
  const store = (name: string, r: { backend: string; remote_query_url: string; remote_bearer_token: string; remote_tenant_header: boolean; remote_timeout: number }, writeUrl: string): Record<string, unknown> =>
    r.backend === 'remote'
      ? { backend: r.backend, writeUrl: redactUrl(writeUrl), queryUrl: redactUrl(r.remote_query_url), bearerToken: r.remote_bearer_token !== '', tenantHeader: r.remote_tenant_header, timeoutMs: r.remote_timeout }
      : { backend: r.backend, dir: path.join(ctx.dataDir, name) };
  app.get(`${APP_API_PREFIX}/status/datasources`, { config: { scope: 'admin' } }, async () => ({
    status: 'success',
    data: {
      metrics: {
        ...store('metrics', c.metrics, c.metrics.remote_write_url),
        selfScrapeIntervalMs: c.metrics.self_scrape_interval,
        scrapeJobs: c.metrics.scrape_configs.length,
      },
      logs: store('logs', c.logs, c.logs.remote_push_url),
      traces: {
        ...store('traces', c.traces, c.traces.remote_otlp_url),
        spanMetrics: c.traces.span_metrics,
        spanMetricsIntervalMs: c.traces.span_metrics_interval,
      },
      state: c.state.url.startsWith('postgres') ? { backend: 'postgres', url: redactUrl(c.state.url), poolSize: c.state.pool_size } : { backend: 'sqlite', path: c.state.url === '' ? path.join(ctx.dataDir, 'state.sqlite') : path.resolve(c.state.url.slice('sqlite:'.length)) },
    },
  }));
}
