import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IchigenError, getLabel } from '../../model/index.js';
import { LogQLEngine } from '../../query/logql/index.js';
import type { LogStore } from '../../store/logs/index.js';
import type { LokiContext } from './loki-context.js';
import { parseDirection, parseLimit, parseStep, parseTime, selectorOf } from './params.js';
import { resultData } from './result-json.js';

const HOUR_NS = 3_600_000_000_000n;

type Params = Record<string, string | string[] | undefined>;

/** Query string and form body merged (Grafana may POST forms). */
function paramsOf(request: FastifyRequest): Params {
  const q = (request.query ?? {}) as Params;
  const b = typeof request.body === 'object' && request.body !== null && !Buffer.isBuffer(request.body) ? (request.body as Params) : {};
  return { ...q, ...b };
}

function one(p: Params, name: string): string | undefined {
  const v = p[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function many(p: Params, name: string): string[] {
  const v = p[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Loki's default range step: (end-start)/250, at least 1 s. */
function defaultStepMs(startNs: bigint, endNs: bigint): number {
  return Math.max(1000, Math.floor(Number((endNs - startNs) / 1_000_000n) / 250 / 1000) * 1000);
}

/**
 * With a remote Loki as the store, the request (query string and form merged, as GET) goes
 * to the backend and its answer back unchanged; otherwise the local handler answers.
 */
export function forwardedToLoki(store: () => LogStore, local: (request: FastifyRequest) => Promise<unknown>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const s = store();
    if (s.forward === undefined) return local(request);
    const q = (request.query ?? {}) as Record<string, string | string[] | undefined>;
    const b = typeof request.body === 'object' && request.body !== null && !Buffer.isBuffer(request.body) ? (request.body as Record<string, string | string[] | undefined>) : {};
    const a = await s.forward(request.tenant, request.url.split('?')[0]!, { ...q, ...b });
    return reply.code(a.status).type(a.contentType).send(a.body);
  };
}

export function registerQueryRoutes(app: FastifyInstance, store: () => LogStore, ctx: LokiContext): void {
  let engine: LogQLEngine | undefined;
  let engineStore: LogStore | undefined;
  const eng = (): LogQLEngine => {
    const s = store();
    if (!engine || engineStore !== s) {
      engine = new LogQLEngine(s, { maxSeries: ctx.config.logs.max_query_series, maxSteps: 11_000, maxEntries: ctx.config.logs.max_query_entries });
      engineStore = s;
    }
    return engine;
  };
  const both = (url: string, local: (request: FastifyRequest) => Promise<unknown>): void => {
    const handler = forwardedToLoki(store, local);
    app.get(url, { config: { scope: 'read' } }, handler);
    app.post(url, { config: { scope: 'read' } }, handler);
  };

  both('/loki/api/v1/query', async (request) => {
    const p = paramsOf(request);
    const query = one(p, 'query');
    if (!query) throw new IchigenError('INVALID_PARAMETER', 'query parameter is required');
    const t0 = performance.now();
    const { result, stats } = await eng().instantQuery({ tenant: request.tenant, query, timeNs: parseTime(one(p, 'time'), nowNs(), 'time'), limit: parseLimit(one(p, 'limit'), 100), direction: parseDirection(one(p, 'direction')) });
    return { status: 'success', data: resultData(result, stats, (performance.now() - t0) / 1000) };
  });

  both('/loki/api/v1/query_range', async (request) => {
    const p = paramsOf(request);
    const query = one(p, 'query');
    if (!query) throw new IchigenError('INVALID_PARAMETER', 'query parameter is required');
    const endNs = parseTime(one(p, 'end'), nowNs(), 'end');
    const startNs = parseTime(one(p, 'start'), endNs - HOUR_NS, 'start');
    if (endNs < startNs) throw new IchigenError('INVALID_PARAMETER', 'end timestamp must not be before or equal to start time');
    const stepMs = parseStep(one(p, 'step'), 'step') ?? defaultStepMs(startNs, endNs);
    const t0 = performance.now();
    const { result, stats } = await eng().rangeQuery({ tenant: request.tenant, query, startNs, endNs, stepMs, limit: parseLimit(one(p, 'limit'), 100), direction: parseDirection(one(p, 'direction')) });
    return { status: 'success', data: resultData(result, stats, (performance.now() - t0) / 1000) };
  });

  both('/loki/api/v1/labels', async (request) => {
    const p = paramsOf(request);
    const q = one(p, 'query');
    const streams = store().allStreams(request.tenant, q ? selectorOf(q) : [{ name: '__name__', type: '!=', value: 'x' }]);
    const names = new Set<string>();
    for (const s of streams) for (const l of s.labels) names.add(l.name);
    return { status: 'success', data: [...names].sort() };
  });

  both('/loki/api/v1/label/:name/values', async (request) => {
    const p = paramsOf(request);
    const name = (request.params as { name: string }).name;
    const q = one(p, 'query');
    const streams = store().allStreams(request.tenant, q ? selectorOf(q) : [{ name: '__name__', type: '!=', value: 'x' }]);
    const values = new Set<string>();
    for (const s of streams) {
      const v = getLabel(s.labels, name);
      if (v !== '') values.add(v);
    }
    if (values.size === 0) return { status: 'success' };
    return { status: 'success', data: [...values].sort() };
  });

  both('/loki/api/v1/series', async (request) => {
    const p = paramsOf(request);
    const matches = [...many(p, 'match[]'), ...many(p, 'match')];
    const endNs = parseTime(one(p, 'end'), nowNs(), 'end');
    const startNs = parseTime(one(p, 'start'), endNs - HOUR_NS, 'start');
    const seen = new Map<number, Record<string, string>>();
    const selectors = matches.length > 0 ? matches : ['{__name__!="x"}'];
    for (const m of selectors) {
      const matchers = matches.length > 0 ? selectorOf(m) : [];
      for (const s of await store().series(request.tenant, matchers, startNs, endNs)) seen.set(s.id, Object.fromEntries(s.labels.map((l) => [l.name, l.value])));
    }
    return { status: 'success', data: [...seen.values()] };
  });

  both('/loki/api/v1/index/stats', async (request) => {
    const p = paramsOf(request);
    const q = one(p, 'query');
    if (!q) throw new IchigenError('INVALID_PARAMETER', 'query parameter is required');
    const endNs = parseTime(one(p, 'end'), nowNs(), 'end');
    const startNs = parseTime(one(p, 'start'), endNs - HOUR_NS, 'start');
    return store().stats(request.tenant, selectorOf(q), startNs, endNs);
  });

  const volume = async (request: FastifyRequest, ranged: boolean): Promise<unknown> => {
    const p = paramsOf(request);
    const q = one(p, 'query');
    if (!q) throw new IchigenError('INVALID_PARAMETER', 'query parameter is required');
    const endNs = parseTime(one(p, 'end'), nowNs(), 'end');
    const startNs = parseTime(one(p, 'start'), endNs - HOUR_NS, 'start');
    const matchers = selectorOf(q);
    const limit = parseLimit(one(p, 'limit'), 100);
    const targets = (one(p, 'targetLabels') ?? '').split(',').filter((x) => x !== '');
    const aggregateBy = one(p, 'aggregateBy') ?? 'series';
    const names = targets.length > 0 ? targets : aggregateBy === 'labels' ? [] : matchers.map((m) => m.name);
    const stepMs = ranged ? (parseStep(one(p, 'step'), 'step') ?? defaultStepMs(startNs, endNs)) : undefined;
    const rows = await store().volume(request.tenant, matchers, startNs, endNs, stepMs === undefined ? undefined : BigInt(stepMs) * 1_000_000n);
    const groups = new Map<string, { metric: Record<string, string>; buckets: Map<bigint, number>; total: number }>();
    for (const r of rows) {
      const metric: Record<string, string> = {};
      const labelNames = aggregateBy === 'labels' && targets.length === 0 ? r.stream.labels.map((l) => l.name) : names;
      for (const n of labelNames) {
        const v = getLabel(r.stream.labels, n);
        if (v !== '') metric[n] = v;
      }
      const key = JSON.stringify(metric);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { metric, buckets: new Map(), total: 0 }));
      g.buckets.set(r.bucketNs, (g.buckets.get(r.bucketNs) ?? 0) + r.bytes);
      g.total += r.bytes;
    }
    const sorted = [...groups.values()].sort((a, b) => b.total - a.total).slice(0, limit);
    const t = Number(endNs / 1_000_000n) / 1000;
    if (!ranged) return { status: 'success', data: { resultType: 'vector', result: sorted.map((g) => ({ metric: g.metric, value: [t, String(g.total)] })) } };
    return {
      status: 'success',
      data: { resultType: 'matrix', result: sorted.map((g) => ({ metric: g.metric, values: [...g.buckets].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([b, v]) => [Number(b / 1_000_000n) / 1000, String(v)]) })) },
    };
  };
  both('/loki/api/v1/index/volume', (r) => volume(r, false));
  both('/loki/api/v1/index/volume_range', (r) => volume(r, true));

  app.get('/loki/api/v1/status/buildinfo', { config: { scope: 'read' } }, async () => ({ version: '3.4.3', revision: 'ichigen', branch: 'main', buildUser: 'ichigen', buildDate: '', goVersion: '' }));
}
