import { labelsFromRecord, type Labels } from '../../src/model/index.js';
import type { MetricBatch, SeriesAppend } from '../../src/store/index.js';

/**
 * Deterministic test data for the differential test against a real Prometheus: counters
 * with resets, gauges (some negative, one NaN sample), classic histograms, series that
 * start late or stop early, scrape jitter. Written both as OpenMetrics (for
 * `promtool tsdb create-blocks-from openmetrics`) and as metric batches (for Ichigen).
 */
export const DIFF_START = 1_700_000_000_000;
export const DIFF_INTERVAL = 15_000;
export const DIFF_SAMPLES = 480; // two hours

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

interface GenSeries {
  labels: Labels;
  ts: number[];
  vs: number[];
}

export function generateDiffData(): { series: GenSeries[]; openMetrics: string; batch: MetricBatch } {
  const r = rng(42);
  const out: GenSeries[] = [];
  const times = (from = 0, to = DIFF_SAMPLES): number[] => {
    const t: number[] = [];
    for (let i = from; i < to; i++) t.push(DIFF_START + i * DIFF_INTERVAL + Math.floor(r() * 900));
    return t;
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
        out.push({ labels: labelsFromRecord({ __name__: 'diff_requests_total', job, instance, method }), ts, vs });
      }
    }
  }
  // Gauges.
  for (const instance of ['a:9100', 'b:9100', 'c:9100', 'd:9100']) {
    const ts = times();
    let v = r() * 100 - 20;
    const vs = ts.map(() => (v += (r() - 0.5) * 10));
    out.push({ labels: labelsFromRecord({ __name__: 'diff_temperature', instance, zone: instance < 'c' ? 'east' : 'west' }), ts, vs });
  }
  // A gauge with a NaN sample and infinities.
  {
    const ts = times();
    const vs = ts.map((_, i) => (i === 100 ? NaN : i === 200 ? Infinity : i === 201 ? -Infinity : Math.sin(i / 10) * 5));
    out.push({ labels: labelsFromRecord({ __name__: 'diff_wave', instance: 'a:9100' }), ts, vs });
  }
  // Series that start late and stop early (gaps longer than the lookback window).
  out.push({ labels: labelsFromRecord({ __name__: 'diff_temperature', instance: 'late:9100', zone: 'east' }), ts: times(200), vs: [] });
  out.push({ labels: labelsFromRecord({ __name__: 'diff_requests_total', job: 'batch', instance: 'x:9100', method: 'GET' }), ts: times(0, 150), vs: [] });
  out.push({ labels: labelsFromRecord({ __name__: 'diff_requests_total', job: 'batch', instance: 'y:9100', method: 'GET' }), ts: [...times(0, 100), ...times(300)], vs: [] });
  for (const s of out) {
    if (s.vs.length === 0) {
      let v = 0;
      s.vs = s.ts.map(() => (v += Math.floor(r() * 10)));
    }
  }
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
      les.forEach((le, b) => out.push({ labels: labelsFromRecord({ __name__: 'diff_latency_seconds_bucket', job, instance, le }), ts, vs: bucketVs[b]! }));
      out.push({ labels: labelsFromRecord({ __name__: 'diff_latency_seconds_sum', job, instance }), ts, vs: sumVs });
      out.push({ labels: labelsFromRecord({ __name__: 'diff_latency_seconds_count', job, instance }), ts, vs: countVs });
    }
  }
  const lines: string[] = [];
  for (const s of out) {
    const name = s.labels.find((l) => l.name === '__name__')!.value;
    const rest = s.labels.filter((l) => l.name !== '__name__').map((l) => `${l.name}="${l.value}"`).join(',');
    s.ts.forEach((t, i) => {
      const v = s.vs[i]!;
      const vt = Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
      lines.push(`${name}{${rest}} ${vt} ${(t / 1000).toFixed(3)}`);
    });
  }
  lines.push('# EOF');
  const series: SeriesAppend[] = out.map((s) => ({ labels: s.labels, timestamps: Float64Array.from(s.ts), values: Float64Array.from(s.vs) }));
  return { series: out, openMetrics: lines.join('\n') + '\n', batch: { series } };
}
