/**
 * The engine over the embedded store in one process, without HTTP or a peer: for profiling
 * (`node --cpu-prof --import tsx ...`) and quick before/after checks of read-path changes.
 * Prints wall time, CPU time and garbage-collection time per query. Not part of `npm test`;
 * the side-by-side figures come from run.ts.
 *
 *   npx tsx bench/promql/engine-local.ts [--series 2000] [--hours 24] [--runs 3] [--only NAME-PART]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { labelsFromRecord } from '../../src/model/index.js';
import { Engine, DEFAULT_ENGINE_OPTIONS } from '../../src/query/index.js';
import { DEFAULT_LIMITS, EmbeddedMetricStore } from '../../src/store/index.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SERIES = arg('series', 2000);
const HOURS = arg('hours', 24);
const RUNS = arg('runs', 3);
const STEP = 15_000;
const END = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const START = END - HOURS * 3_600_000;
const POINTS = (END - START) / STEP;

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-engine-local-'));
const store = new EmbeddedMetricStore({ dir, retentionMs: 0, retentionBytes: 0, outOfOrderWindowMs: 600_000, flushIntervalMs: 600_000, maxHeadSamples: 10_000_000, duckdbMemoryLimit: '512MB', duckdbThreads: 2, limits: DEFAULT_LIMITS });
try {
  await store.open();
  const labels = Array.from({ length: SERIES }, (_, i) => labelsFromRecord({ __name__: 'bench_requests_total', job: `job${i % 4}`, instance: `host${Math.floor(i / 40)}`, method: i % 2 ? 'GET' : 'POST', status: String(200 + (Math.floor(i / 2) % 20)) }));
  const t0 = Date.now();
  for (let p = 0; p < POINTS; p += 40) {
    const n = Math.min(40, POINTS - p);
    const series = labels.map((l, k) => ({
      labels: l,
      timestamps: Float64Array.from({ length: n }, (_, i) => START + (p + i) * STEP),
      values: Float64Array.from({ length: n }, (_, i) => Math.floor((p + i) * (1 + (k % 7)))),
    }));
    await store.append('default', { series });
    if (store.headSamples >= 10_000_000 * (SERIES / 10_000)) await store.flush();
  }
  console.log(`ingest ${SERIES} series x ${HOURS}h: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  const engine = new Engine({ ...DEFAULT_ENGINE_OPTIONS, compatibility: 'prometheus2' });
  const querier = store.querier('default');
  const queries: Array<[string, string, number?, number?]> = [
    ['sum by (status) rate, 24h @ 5m', 'sum by (status) (rate(bench_requests_total[5m]))', HOURS * 3_600_000, 300_000],
    ['sum by (job) rate, 1h @ 15s', 'sum by (job) (rate(bench_requests_total[5m]))', 3_600_000, 15_000],
    ['sum rate, 7d @ 1h', 'sum(rate(bench_requests_total[1h]))', 7 * 24 * 3_600_000, 3_600_000],
    ['instant sum(rate[5m])', 'sum(rate(bench_requests_total[5m]))'],
  ];
  const only = process.argv.indexOf('--only');
  for (const [name, query, range, step] of queries) {
    if (only >= 0 && !name.includes(process.argv[only + 1]!)) continue;
    for (let r = 0; r < RUNS; r++) {
      const g0 = gcMs;
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      if (range === undefined) await engine.instantQuery({ querier, query }, END);
      else await engine.rangeQuery({ querier, query }, END - range, END, step!);
      const wall = performance.now() - w0;
      const cpu = process.cpuUsage(c0);
      console.log(`${name}: wall ${wall.toFixed(0)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, gc ${(gcMs - g0).toFixed(0)} ms`);
    }
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
