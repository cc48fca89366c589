import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLabels, labelsFromRecord, labelsToRecord, type LabelMatcher } from '../src/model/index.js';
import { EmbeddedMetricStore, MemoryMetricStore, RemoteMetricStore, type MetricStore, type SeriesSamples } from '../src/store/index.js';
import { startPrometheus, startVictoriaMetrics, type Peer } from './support/peers.js';
import { waitFor } from './support/process.js';
import { testMetricStoreOptions } from './support/embedded-metric-store.js';

/**
 * The metric store contract, run against every implementation: the in-memory reference, the
 * embedded store, and the remote store on a real VictoriaMetrics 1.79 and Prometheus 2.42.
 * Only what every backend can honour is here (staleness markers and tenants do not travel
 * through a backend's query API; see the README's remote store section).
 */
let vm: Peer;
let prom: Peer;
const dirs: string[] = [];
beforeAll(async () => {
  [vm, prom] = await Promise.all([startVictoriaMetrics(), startPrometheus('global: {}\n')]);
}, 60_000);
afterAll(async () => {
  await vm?.stop();
  await prom?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Old enough that VictoriaMetrics' 30 s search latency offset shows every sample.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 300_000;
const STEP = 10_000;

const SERIES = ([
  { __name__: 'conf_metric', job: 'api', env: 'prod' },
  { __name__: 'conf_metric', job: 'api-canary', env: 'staging' },
  { __name__: 'conf_metric', job: 'db' },
  { __name__: 'conf_other', job: 'api' },
] as Array<Record<string, string>>).map((rec, j) => ({
  labels: labelsFromRecord(rec),
  timestamps: Float64Array.from({ length: 10 }, (_, i) => T0 + i * STEP),
  values: Float64Array.from({ length: 10 }, (_, i) => i * (j + 1) + 0.25),
}));

const m = (name: string, type: LabelMatcher['type'], value: string): LabelMatcher => ({ name, type, value });
const NAME = m('__name__', '=', 'conf_metric');

async function select(store: MetricStore, matchers: LabelMatcher[], mint = T0, maxt = T0 + 9 * STEP): Promise<SeriesSamples[]> {
  const out: SeriesSamples[] = [];
  for await (const s of store.querier('default').select(matchers, mint, maxt)) out.push(s);
  return out.sort((a, b) => formatLabels(a.labels).localeCompare(formatLabels(b.labels)));
}

const ids = (got: SeriesSamples[]): string[] => got.map((s) => `${labelsToRecord(s.labels).__name__}/${labelsToRecord(s.labels).job}`);

describe.each([
  ['memory (reference)', (): MetricStore => new MemoryMetricStore()],
  [
    'embedded',
    (): MetricStore => {
      const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-conf-'));
      dirs.push(dir);
      const now = T0 + 10 * STEP;
      return new EmbeddedMetricStore(testMetricStoreOptions(dir, { now: () => now }));
    },
  ],
  ['remote on VictoriaMetrics 1.79', (): MetricStore => new RemoteMetricStore({ writeUrl: `${vm.url}/api/v1/write`, queryUrl: vm.url, sendTenantHeader: false, timeoutMs: 10_000 })],
  ['remote on Prometheus 2.42', (): MetricStore => new RemoteMetricStore({ writeUrl: `${prom.url}/api/v1/write`, queryUrl: prom.url, sendTenantHeader: false, timeoutMs: 10_000 })],
])('metric store contract: %s', (name, make) => {
  it('selects by every matcher type, label absence as the empty value, inclusive time bounds; lists series, names and values', async () => {
    const store = make();
    await store.open();
    try {
      expect(await store.append('default', { series: SERIES })).toMatchObject({ samples: 40 });
      const first = await waitFor(async () => {
        const got = await select(store, [m('__name__', '=~', 'conf_.*')]);
        return got.length === 4 && got.every((s) => s.timestamps.length === 10) ? got : undefined;
      }, `${name} has every sample`, 20_000);
      // Samples come back exactly as written.
      for (const s of first) {
        const sent = SERIES.find((x) => formatLabels(x.labels) === formatLabels(s.labels))!;
        expect(Array.from(s.timestamps)).toEqual(Array.from(sent.timestamps));
        expect(Array.from(s.values)).toEqual(Array.from(sent.values));
      }
      const cases: Array<[LabelMatcher[], string[]]> = [
        [[NAME], ['conf_metric/api', 'conf_metric/api-canary', 'conf_metric/db']],
        [[NAME, m('job', '!=', 'api')], ['conf_metric/api-canary', 'conf_metric/db']],
        [[NAME, m('job', '=~', 'api.*')], ['conf_metric/api', 'conf_metric/api-canary']],
        // Regular expressions are anchored at both ends.
        [[NAME, m('job', '=~', 'api')], ['conf_metric/api']],
        [[NAME, m('job', '!~', 'api.*')], ['conf_metric/db']],
        // A missing label matches the empty value.
        [[NAME, m('env', '=', '')], ['conf_metric/db']],
        [[NAME, m('env', '!=', '')], ['conf_metric/api', 'conf_metric/api-canary']],
        [[m('__name__', '=~', 'conf_.*'), m('job', '=', 'api')], ['conf_metric/api', 'conf_other/api']],
        [[NAME, m('job', '=', 'nope')], []],
      ];
      for (const [matchers, want] of cases) expect(ids(await select(store, matchers)), JSON.stringify(matchers)).toEqual(want);
      // Both bounds inclusive.
      const clipped = await select(store, [NAME, m('job', '=', 'db')], T0 + 2 * STEP, T0 + 4 * STEP);
      expect(clipped.map((s) => Array.from(s.timestamps))).toEqual([[T0 + 2 * STEP, T0 + 3 * STEP, T0 + 4 * STEP]]);
      expect(Array.from(clipped[0]!.values)).toEqual([2 * 3 + 0.25, 3 * 3 + 0.25, 4 * 3 + 0.25]);
      const q = store.querier('default');
      const range = (selectors: LabelMatcher[][]): { selectors: LabelMatcher[][]; start: number; end: number } => ({ selectors, start: T0, end: T0 + 9 * STEP });
      expect((await q.series(range([[NAME, m('env', '=', '')]]))).map((l) => labelsToRecord(l))).toEqual([{ __name__: 'conf_metric', job: 'db' }]);
      // Several selectors are ORed; the answer is sorted.
      expect((await q.series(range([[m('job', '=', 'db')], [m('__name__', '=', 'conf_other')]]))).map((l) => labelsToRecord(l))).toEqual([
        { __name__: 'conf_metric', job: 'db' },
        { __name__: 'conf_other', job: 'api' },
      ]);
      expect(await q.labelNames(range([[NAME, m('job', '=', 'db')]]))).toEqual(['__name__', 'job']);
      expect(await q.labelNames(range([[NAME]]))).toEqual(['__name__', 'env', 'job']);
      expect(await q.labelValues('job', range([[NAME]]))).toEqual(['api', 'api-canary', 'db']);
      expect(await q.labelValues('env', range([[m('__name__', '=~', 'conf_.*')]]))).toEqual(['prod', 'staging']);
    } finally {
      await store.close();
    }
  }, 60_000);
});
