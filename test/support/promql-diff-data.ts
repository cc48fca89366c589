import { STALE_NAN_HI, STALE_NAN_LO, labelsFromRecord, type Labels } from '../../src/model/index.js';
import type { MetricBatch, SeriesAppend } from '../../src/store/index.js';

/**
 * Deterministic test data for the differential test against a real Prometheus: counters
 * with resets, gauges (negative, NaN, ±Inf, huge and tiny values), classic histograms (one
 * with broken monotonicity, one without +Inf), series that start late or stop early,
 * staleness markers, samples aligned exactly to the minute (lookback and range boundaries),
 * sparse series, info-style metrics for joins, label values with special characters, and
 * scrape jitter. The same series go to Prometheus by remote write (which keeps the
 * staleness markers' NaN payload) and into Ichigen's store.
 */
export const DIFF_START = 1_700_000_000_000;
export const DIFF_INTERVAL = 15_000;
export const DIFF_SAMPLES = 480; // two hours
const MIN = 60_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `null` marks a staleness marker. */
type Value = number | null;

interface GenSeries {
  labels: Labels;
  ts: number[];
  vs: Value[];
}

export interface DiffData {
  readonly series: readonly GenSeries[];
  /** All series at once, for Ichigen's store. */
  readonly batch: MetricBatch;
  /** The same samples cut into time windows, oldest first, for Prometheus' remote-write receiver (its head accepts only recent samples). */
  readonly windows: readonly SeriesAppend[][];
}

function toAppend(labels: Labels, ts: number[], vs: Value[]): SeriesAppend {
  const values = new Float64Array(vs.length);
  const bits = new Uint32Array(values.buffer);
  vs.forEach((v, i) => {
    if (v === null) {
      // Written through the bits: a staleness marker is a NaN with a particular payload.
      bits[2 * i] = STALE_NAN_LO;
      bits[2 * i + 1] = STALE_NAN_HI;
    } else values[i] = v;
  });
  return { labels, timestamps: Float64Array.from(ts), values };
}

export function generateDiffData(): DiffData {
  const r = rng(42);
  const out: GenSeries[] = [];
  const add = (rec: Record<string, string>, ts: number[], vs: Value[]): void => {
    out.push({ labels: labelsFromRecord(rec), ts, vs });
  };
  const times = (from = 0, to = DIFF_SAMPLES): number[] => {
    const t: number[] = [];
    for (let i = from; i < to; i++) t.push(DIFF_START + i * DIFF_INTERVAL + Math.floor(r() * 900));
    return t;
  };
  const counter = (ts: number[], step: number): number[] => {
    let v = 0;
    return ts.map(() => (v += Math.floor(r() * step)));
  };
  // Counters with resets.
  for (const job of ['api', 'web']) {
    for (const instance of ['a:9100', 'b:9100', 'c:9100']) {
      for (const method of ['GET', 'POST']) {
        const ts = times();
        let v = Math.floor(r() * 100);
        const vs = ts.map((_, i) => {
          if (i > 0 && r() < 0.01) v = Math.floor(r() * 5);
          else v += Math.floor(r() * (method === 'GET' ? 20 : 5));
          return v;
        });
        add({ __name__: 'diff_requests_total', job, instance, method }, ts, vs);
      }
    }
  }
  // Gauges.
  for (const instance of ['a:9100', 'b:9100', 'c:9100', 'd:9100']) {
    const ts = times();
    let v = r() * 100 - 20;
    add({ __name__: 'diff_temperature', instance, zone: instance < 'c' ? 'east' : 'west' }, ts, ts.map(() => (v += (r() - 0.5) * 10)));
  }
  // A gauge with a NaN sample and infinities.
  {
    const ts = times();
    add({ __name__: 'diff_wave', instance: 'a:9100' }, ts, ts.map((_, i) => (i === 100 ? NaN : i === 200 ? Infinity : i === 201 ? -Infinity : Math.sin(i / 10) * 5)));
  }
  // Series that start late and stop early (gaps longer than the lookback window).
  const late = times(200);
  add({ __name__: 'diff_temperature', instance: 'late:9100', zone: 'east' }, late, counter(late, 10));
  const early = times(0, 150);
  add({ __name__: 'diff_requests_total', job: 'batch', instance: 'x:9100', method: 'GET' }, early, counter(early, 10));
  const gap = [...times(0, 100), ...times(300)];
  add({ __name__: 'diff_requests_total', job: 'batch', instance: 'y:9100', method: 'GET' }, gap, counter(gap, 10));
  // Classic histograms: cumulative bucket counters per le.
  const les = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
  for (const job of ['api', 'web']) {
    for (const instance of ['a:9100', 'b:9100']) {
      const ts = times();
      const counts = les.map(() => 0);
      let sum = 0;
      const bucketVs: number[][] = les.map(() => []);
      const sumVs: number[] = [];
      const countVs: number[] = [];
      ts.forEach(() => {
        const n = Math.floor(r() * 20);
        for (let k = 0; k < n; k++) {
          const obs = r() ** 2 * 3;
          sum += obs;
          les.forEach((le, b) => {
            if (le === '+Inf' || obs <= Number(le)) counts[b]!++;
          });
        }
        les.forEach((_, b) => bucketVs[b]!.push(counts[b]!));
        sumVs.push(sum);
        countVs.push(counts[les.length - 1]!);
      });
      les.forEach((le, b) => add({ __name__: 'diff_latency_seconds_bucket', job, instance, le }, ts, bucketVs[b]!));
      add({ __name__: 'diff_latency_seconds_sum', job, instance }, ts, sumVs);
      add({ __name__: 'diff_latency_seconds_count', job, instance }, ts, countVs);
    }
  }
  // A histogram whose buckets are not monotonic (bad data), and one without +Inf.
  {
    const ts = times();
    const base = counter(ts, 10);
    add({ __name__: 'diff_broken_bucket', le: '1' }, ts, base.map((v) => v * 2));
    add({ __name__: 'diff_broken_bucket', le: '5' }, ts, base);
    add({ __name__: 'diff_broken_bucket', le: '+Inf' }, ts, base.map((v) => v * 3));
    add({ __name__: 'diff_noinf_bucket', le: '1' }, ts, base);
    add({ __name__: 'diff_noinf_bucket', le: '2' }, ts, base.map((v) => v * 2));
    // The same bound written two ways (classic buckets are merged by value).
    add({ __name__: 'diff_dup_le_bucket', le: '1' }, ts, base);
    add({ __name__: 'diff_dup_le_bucket', le: '1.0' }, ts, base.map((v) => v + 3));
    add({ __name__: 'diff_dup_le_bucket', le: '1e1' }, ts, base.map((v) => v * 2 + 3));
    add({ __name__: 'diff_dup_le_bucket', le: '+Inf' }, ts, base.map((v) => v * 3 + 3));
  }
  // Up and info-style series, as dashboards and alert rules join them.
  for (const [job, instance] of [['api', 'a:9100'], ['api', 'b:9100'], ['web', 'a:9100'], ['web', 'c:9100']] as const) {
    const ts = times();
    const down = instance === 'b:9100';
    add({ __name__: 'diff_up', job, instance }, ts, ts.map((_, i) => (down && i >= 200 && i < 260 ? 0 : 1)));
    add({ __name__: 'diff_build_info', job, instance, version: instance === 'c:9100' ? '2.0.1' : '1.9.0', goversion: 'go1.19' }, ts, ts.map(() => 1));
  }
  for (const instance of ['a:9100', 'b:9100', 'c:9100']) {
    const ts = times();
    const total = 8 * 2 ** 30;
    let free = r() * total;
    add({ __name__: 'diff_memory_total_bytes', instance }, ts, ts.map(() => total));
    add({ __name__: 'diff_memory_free_bytes', instance }, ts, ts.map(() => (free = Math.max(0, Math.min(total, free + (r() - 0.5) * 2 ** 27)))));
  }
  // Staleness markers: a target that disappears at 40m and comes back at 50m, one that ends at 90m.
  {
    const ts: number[] = [];
    const vs: Value[] = [];
    for (let i = 0; i < DIFF_SAMPLES; i++) {
      const t = DIFF_START + i * DIFF_INTERVAL + 300;
      if (t > DIFF_START + 40 * MIN && t < DIFF_START + 50 * MIN) continue;
      ts.push(t);
      vs.push(t > DIFF_START + 40 * MIN - DIFF_INTERVAL && t <= DIFF_START + 40 * MIN ? null : i);
    }
    add({ __name__: 'diff_stale', instance: 'flappy:9100' }, ts, vs);
    const ts2: number[] = [];
    const vs2: Value[] = [];
    for (let i = 0; i <= 360; i++) {
      ts2.push(DIFF_START + i * DIFF_INTERVAL + 500);
      vs2.push(i === 360 ? null : i * 2);
    }
    add({ __name__: 'diff_stale', instance: 'gone:9100' }, ts2, vs2);
  }
  // Samples exactly on the minute: windows and lookback end exactly on a sample.
  {
    const ts: number[] = [];
    for (let m = 0; m <= 130; m++) ts.push(DIFF_START + m * MIN);
    add({ __name__: 'diff_aligned', kind: 'gauge' }, ts, ts.map((_, i) => (i % 7) * 1.5 - 3));
    add({ __name__: 'diff_aligned', kind: 'counter' }, ts, ts.map((_, i) => i * 10 + (i > 64 ? -600 : 0)));
    // Sparse: every 4 minutes, with a 9-minute hole (longer than the 5m lookback).
    const sparse = ts.filter((t) => (t - DIFF_START) % (4 * MIN) === 0 && !(t > DIFF_START + 60 * MIN && t < DIFF_START + 69 * MIN));
    add({ __name__: 'diff_sparse' }, sparse, sparse.map((_, i) => i));
  }
  // Extreme magnitudes (overflow paths of sum/avg) and special label values.
  {
    const ts = times();
    add({ __name__: 'diff_extreme', size: 'huge', n: '1' }, ts, ts.map((_, i) => 1.5e308 - i * 1e300));
    add({ __name__: 'diff_extreme', size: 'huge', n: '2' }, ts, ts.map(() => 1.7e308));
    add({ __name__: 'diff_extreme', size: 'tiny', n: '1' }, ts, ts.map((_, i) => (i + 1) * 1e-300));
    add({ __name__: 'diff_extreme', size: 'tiny', n: '2' }, ts, ts.map(() => -3e-310));
    const ts2 = times();
    add({ __name__: 'diff_http', path: '/api/v1/query', code: '200', host: 'web-01.prod.example.com' }, ts2, counter(ts2, 30));
    add({ __name__: 'diff_http', path: '/api/v1/query_range', code: '500', host: 'web-02.prod.example.com' }, ts2, counter(ts2, 3));
    add({ __name__: 'diff_http', path: '/-/healthy', code: '200', host: 'web-01.prod.example.com' }, ts2, counter(ts2, 2));
    add({ __name__: 'diff_http', path: '/metrics', code: '404', host: 'Web-03:8080' }, ts2, counter(ts2, 1));
  }
  const batchSeries = out.map((s) => toAppend(s.labels, s.ts, s.vs));
  // Ten-minute windows across all series.
  const windows: SeriesAppend[][] = [];
  for (let from = DIFF_START; from < DIFF_START + 140 * MIN; from += 10 * MIN) {
    const w: SeriesAppend[] = [];
    for (const s of out) {
      const idx = s.ts.flatMap((t, i) => (t >= from && t < from + 10 * MIN ? [i] : []));
      if (idx.length > 0) w.push(toAppend(s.labels, idx.map((i) => s.ts[i]!), idx.map((i) => s.vs[i]!)));
    }
    windows.push(w);
  }
  return { series: out, batch: { series: batchSeries }, windows };
}
