import { DEFAULT_ENGINE_OPTIONS, Engine, type QueryValue } from '../../src/query/index.js';
import type { MetricStore } from '../../src/store/index.js';
import type { Expected, ScriptTarget } from './promql-script.js';

/** Normalises an engine answer for script comparison. */
export function normalise(v: QueryValue, range: { start: number; end: number; step: number } | undefined): Expected {
  switch (v.resultType) {
    case 'scalar':
      return { kind: 'scalar', value: v.value };
    case 'string':
      return { kind: 'string', value: v.value };
    case 'vector':
      return { kind: 'series', series: v.samples.map((s) => ({ labels: s.labels, values: [s.value] })) };
    case 'matrix': {
      if (range === undefined) return { kind: 'series', series: v.series.map((s) => ({ labels: s.labels, values: Array.from(s.values) })) };
      const n = Math.floor((range.end - range.start) / range.step) + 1;
      return {
        kind: 'series',
        series: v.series.map((s) => {
          const values: Array<number | null> = new Array<number | null>(n).fill(null);
          s.timestamps.forEach((t, k) => {
            values[Math.round((t - range.start) / range.step)] = s.values[k]!;
          });
          return { labels: s.labels, values };
        }),
      };
    }
  }
}

/** Runs scripts against the engine over a metric store (memory or embedded). */
export function engineTarget(makeStore: () => MetricStore | Promise<MetricStore>, tenant = 'script'): ScriptTarget & { store(): Promise<MetricStore> } {
  let store: MetricStore | undefined;
  let engine = new Engine(DEFAULT_ENGINE_OPTIONS);
  const get = async (): Promise<MetricStore> => {
    if (store === undefined) {
      store = await makeStore();
      await store.open();
    }
    return store;
  };
  return {
    store: get,
    async clear() {
      if (store !== undefined) await store.close();
      store = undefined;
    },
    async load(batch) {
      await (await get()).append(tenant, batch);
    },
    async setCompatibility(mode) {
      engine = new Engine({ ...DEFAULT_ENGINE_OPTIONS, compatibility: mode });
    },
    async query(q, range, at) {
      const querier = (await get()).querier(tenant);
      const r = range === undefined ? await engine.instantQuery({ querier, query: q }, at) : await engine.rangeQuery({ querier, query: q }, range.start, range.end, range.step);
      return { result: normalise(r.value, range), warnings: r.warnings, infos: r.infos };
    },
  };
}
