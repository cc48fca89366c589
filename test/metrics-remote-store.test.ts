import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFromRecord, labelsToRecord } from '../src/model/index.js';
import { encodeWriteRequest } from '../src/receive/remote-write/index.js';
import { RemoteMetricStore, type MetricStore, type SeriesSamples } from '../src/store/index.js';
import { startPrometheus, startVictoriaMetrics, type Peer } from './support/peers.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

let vm: Peer;
let prom: Peer;
beforeAll(async () => {
  [vm, prom] = await Promise.all([startVictoriaMetrics(), startPrometheus('global: {}\n')]);
}, 60_000);
afterAll(async () => {
  await vm?.stop();
  await prom?.stop();
});

const T0 = Math.floor(Date.now() / 1000) * 1000 - 120_000;

async function all(store: MetricStore, m: Parameters<ReturnType<MetricStore['querier']>['select']>[0], mint: number, maxt: number): Promise<SeriesSamples[]> {
  const out: SeriesSamples[] = [];
  for await (const s of store.querier('default').select(m, mint, maxt)) out.push(s);
  return out;
}

describe.each([
  ['VictoriaMetrics 1.79', () => ({ writeUrl: `${vm.url}/api/v1/write`, queryUrl: vm.url })],
  ['Prometheus 2.42', () => ({ writeUrl: `${prom.url}/api/v1/write`, queryUrl: prom.url })],
])('remote metric store on %s', (name, urls) => {
  it('writes by remote write and reads samples, series, labels and values back through the query API', async () => {
    const store = new RemoteMetricStore({ ...urls(), sendTenantHeader: false, timeoutMs: 10_000 });
    const series = ['a', 'b', 'c'].map((job, j) => ({
      labels: labelsFromRecord({ __name__: 'remote_test', job, env: 'ci' }),
      timestamps: Float64Array.from({ length: 10 }, (_, i) => T0 + i * 10_000),
      values: Float64Array.from({ length: 10 }, (_, i) => i * (j + 1) + 0.5),
    }));
    expect(await store.append('default', { series })).toMatchObject({ samples: 30 });
    const got = await waitFor(async () => {
      const s = await all(store, [{ name: '__name__', type: '=', value: 'remote_test' }], T0, T0 + 90_000);
      return s.length === 3 && s.every((x) => x.timestamps.length === 10) ? s : undefined;
    }, `${name} has the samples`, 20_000);
    expect(got.map((s) => labelsToRecord(s.labels).job)).toEqual(['a', 'b', 'c']);
    expect(Array.from(got[1]!.values)).toEqual(Array.from(series[1]!.values));
    expect(Array.from(got[1]!.timestamps)).toEqual(Array.from(series[1]!.timestamps));
    const clipped = await all(store, [{ name: '__name__', type: '=', value: 'remote_test' }, { name: 'job', type: '=~', value: 'b|c' }], T0 + 20_000, T0 + 40_000);
    expect(clipped.map((s) => Array.from(s.timestamps))).toEqual([
      [T0 + 20_000, T0 + 30_000, T0 + 40_000],
      [T0 + 20_000, T0 + 30_000, T0 + 40_000],
    ]);
    const q = store.querier('default');
    const range = { selectors: [[{ name: '__name__', type: '=' as const, value: 'remote_test' }]], start: T0, end: T0 + 90_000 };
    expect((await q.series(range)).map((l) => labelsToRecord(l).job)).toEqual(['a', 'b', 'c']);
    expect(await q.labelNames(range)).toEqual(['__name__', 'env', 'job']);
    expect(await q.labelValues('job', range)).toEqual(['a', 'b', 'c']);
  }, 60_000);
});

describe('Ichigen with metrics.backend: remote', () => {
  let ts: TestServer;
  afterAll(async () => {
    await ts?.stop();
  });
  it('forwards remote write to VictoriaMetrics and answers the series API from it', async () => {
    ts = await startTestServer({ config: { metrics: { backend: 'remote', remote_write_url: `${vm.url}/api/v1/write`, remote_query_url: vm.url } } });
    const body = encodeWriteRequest([{ labels: labelsFromRecord({ __name__: 'via_ichigen', job: 'fwd' }), timestamps: [T0], values: Float64Array.of(7) }]);
    const res = await ts.fetch('/api/v1/write', { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }, body });
    expect(res.status).toBe(204);
    const data = await waitFor(async () => {
      const r = (await (await ts.fetch(`/api/v1/series?match[]=via_ichigen&start=${T0 / 1000 - 60}`)).json()) as { data: unknown[] };
      return r.data.length > 0 ? r.data : undefined;
    }, 'series from VictoriaMetrics', 20_000);
    expect(data).toEqual([{ __name__: 'via_ichigen', job: 'fwd' }]);
  }, 60_000);
});
