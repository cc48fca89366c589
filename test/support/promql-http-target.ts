import Fastify, { type FastifyInstance } from 'fastify';
import { registerPrometheusApi } from '../../src/api/prometheus/index.js';
import { installErrorHandling, installFormBodies } from '../../src/http/index.js';
import { labelsFromRecord } from '../../src/model/index.js';
import { DEFAULT_ENGINE_OPTIONS, Engine, type EngineOptions } from '../../src/query/index.js';
import type { MetricStore } from '../../src/store/index.js';
import type { Expected, ScriptTarget } from './promql-script.js';

/** A bare app with the Prometheus API over a store (no auth: the API under test only). */
export async function prometheusTestApp(store: MetricStore, options: Partial<EngineOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandling(app);
  installFormBodies(app);
  app.decorateRequest('tenant', 'default');
  registerPrometheusApi(app, {
    store,
    engine: new Engine({ ...DEFAULT_ENGINE_OPTIONS, ...options }),
    version: '0.0.0-test',
    startTime: new Date(),
    flags: {},
    storageRetention: '15d',
  });
  await app.ready();
  return app;
}

interface ApiAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown };
  warnings?: string[];
  infos?: string[];
}

function parseValue(v: string): number {
  return v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
}

/** Runs scripts through the HTTP API (form POST, as Grafana sends), parsing Prometheus JSON. */
export function httpTarget(makeStore: () => MetricStore): ScriptTarget {
  let store: MetricStore | undefined;
  let app: FastifyInstance | undefined;
  let mode: EngineOptions['compatibility'] = 'prometheus3';
  const get = async (): Promise<FastifyInstance> => {
    if (store === undefined) {
      store = makeStore();
      await store.open();
    }
    if (app === undefined) app = await prometheusTestApp(store, { compatibility: mode });
    return app;
  };
  return {
    async clear() {
      await app?.close();
      await store?.close();
      app = undefined;
      store = undefined;
    },
    async load(batch) {
      await get();
      await store!.append('default', batch);
    },
    async setCompatibility(m) {
      mode = m;
      await app?.close();
      app = undefined;
    },
    async query(q, range, at) {
      const a = await get();
      const form = new URLSearchParams({ query: q });
      if (range === undefined) form.set('time', String(at / 1000));
      else {
        form.set('start', String(range.start / 1000));
        form.set('end', String(range.end / 1000));
        form.set('step', String(range.step / 1000));
      }
      const res = await a.inject({ method: 'POST', url: range === undefined ? '/api/v1/query' : '/api/v1/query_range', payload: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const body = res.json<ApiAnswer>();
      if (body.status !== 'success') throw new Error(body.error ?? 'error');
      const d = body.data!;
      let result: Expected;
      if (d.resultType === 'scalar') result = { kind: 'scalar', value: parseValue((d.result as [number, string])[1]) };
      else if (d.resultType === 'string') result = { kind: 'string', value: (d.result as [number, string])[1] };
      else if (d.resultType === 'vector') {
        const r = d.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
        result = { kind: 'series', series: r.map((s) => ({ labels: labelsFromRecord(s.metric), values: [parseValue(s.value[1])] })) };
      } else {
        const r = d.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
        result = {
          kind: 'series',
          series: r.map((s) => {
            if (range === undefined) return { labels: labelsFromRecord(s.metric), values: s.values.map((p) => parseValue(p[1])) };
            const n = Math.floor((range.end - range.start) / range.step) + 1;
            const values = new Array<number | null>(n).fill(null);
            for (const [t, v] of s.values) values[Math.round((t * 1000 - range.start) / range.step)] = parseValue(v);
            return { labels: labelsFromRecord(s.metric), values };
          }),
        };
      }
      return { result, warnings: body.warnings ?? [], infos: body.infos ?? [] };
    },
  };
}
