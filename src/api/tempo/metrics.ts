import { IchigenError } from '../../model/index.js';
import { buildTrace, candidatePredicate, fieldValue, parseTraceql, prepareQuery, runPipeline, type MetricsOp, type Val } from '../../query/index.js';
import type { TraceStore } from '../../store/index.js';
import { valText, valToAnyValue } from './attribute-json.js';
import { scanTraces } from './candidates.js';
import { durationParamNs, param, rangeParam, type Query } from './params.js';

interface Series {
  readonly labels: Array<{ key: string; value: Val }>;
  readonly buckets: number[][];
}

const fieldTextOf = (f: NonNullable<MetricsOp['field']>): string => (f.kind === 'attribute' || f.kind === 'intrinsic' ? f.text : '');

/** A duration in nanoseconds (converted to seconds on output), other numbers as they are. */
function numeric(v: Val | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v.t === 'duration') return v.v;
  if (v.t === 'int') return Number(v.v);
  if (v.t === 'float') return v.v;
  return undefined;
}

/**
 * Tempo's log2 bucket of a value for histogram_over_time and quantile_over_time: ints and
 * durations only (floats are not bucketed), values below 2 are left out, the bound is the
 * next power of two (durations in nanoseconds, reported in seconds).
 */
function log2Bucket(v: Val | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = v.t === 'int' ? Number(v.v) : v.t === 'duration' ? v.v : undefined;
  if (x === undefined || !(x >= 2)) return undefined;
  return Math.pow(2, Math.ceil(Math.log2(x)));
}

/**
 * Quantile over log2 buckets (sorted by bound, non-empty ones only), as Tempo computes it:
 * the bucket holding the p-th sample, interpolated exponentially between the previous
 * bucket's bound and its own; exactly at a bucket's last sample, that bucket's bound.
 */
export function log2Quantile(p: number, buckets: ReadonlyArray<{ max: number; count: number }>): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || buckets.length === 0) return 0;
  const total = buckets.reduce((a, b) => a + b.count, 0);
  if (total === 0) return 0;
  const want = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  let idx = 0;
  for (let i = 0; i < buckets.length; i++) {
    idx = i;
    if (seen + buckets[i]!.count > want) break;
    seen += buckets[i]!.count;
    if (seen === want) return buckets[i]!.max;
  }
  const b = buckets[idx]!;
  const interp = (want - seen) / b.count;
  const max = Math.log2(b.max);
  const min = idx > 0 ? Math.log2(buckets[idx - 1]!.max) : max - 1;
  return Math.pow(2, min + (max - min) * interp);
}

/** /api/metrics/query_range and /api/metrics/query: TraceQL metrics over the trace store. */
export async function metricsQuery(store: TraceStore, tenant: string, q: Query, instant: boolean, limits: { maxTraces: number; timeoutMs: number }): Promise<Record<string, unknown>> {
  const text = param(q, 'q') ?? param(q, 'query');
  if (text === undefined) throw new IchigenError('INVALID_PARAMETER', 'missing q');
  const query = parseTraceql(text);
  const op = query.metrics;
  if (op === undefined) throw new IchigenError('INVALID_PARAMETER', 'not a metrics query: end it with a metrics function such as | rate()');
  prepareQuery(query);
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const hasRange = param(q, 'start') !== undefined || param(q, 'end') !== undefined;
  const r = hasRange ? rangeParam(q) : { startNs: nowNs - 3600n * 1_000_000_000n, endNs: nowNs };
  const endNs = r.endNs > nowNs + 3600n * 1_000_000_000n ? nowNs : r.endNs;
  const startNs = r.startNs;
  const spanNs = Number(endNs - startNs);
  let stepNs = durationParamNs(q, 'step') ?? (instant ? Math.max(spanNs, 1e9) : Math.max(1e9, Math.ceil(spanNs / 100 / 1e9) * 1e9));
  if (param(q, 'step') !== undefined && /^\d+(\.\d+)?$/.test(param(q, 'step')!)) stepNs = Number(param(q, 'step')) * 1e9;
  if (!(stepNs > 0)) throw new IchigenError('INVALID_PARAMETER', 'step required: a positive duration such as 60s');
  const stepMs = Math.round(stepNs / 1e6);
  const startMs = Number(startNs / 1_000_000n);
  const endMs = Number(endNs / 1_000_000n);
  const firstMs = instant ? startMs : Math.floor(startMs / stepMs) * stepMs;
  const nBuckets = instant ? 1 : Math.floor((endMs - firstMs) / stepMs) + 1;
  if (nBuckets > 11_000) throw new IchigenError('INVALID_PARAMETER', `too many steps (${nBuckets}): use a larger step`);

  const groups = new Map<string, { labels: Array<{ key: string; value: Val }>; values: number[][] }>();
  const searchOnly = { ...query, metrics: undefined };
  // Durations are bucketed in nanoseconds (log2 buckets as Tempo) and reported in seconds.
  let isDuration = false;
  const bucketed = op.fn === 'histogram_over_time' || op.fn === 'quantile_over_time';
  const scan = await scanTraces(store, tenant, { range: { startNs, endNs }, where: candidatePredicate(query), deadlineMs: Date.now() + limits.timeoutMs, maxTraces: limits.maxTraces }, (id, spans) => {
    const t = buildTrace(id, spans);
    const sets = runPipeline(searchOnly, t);
    const seen = new Set<unknown>();
    for (const set of sets) {
      for (const e of set.spans) {
        if (seen.has(e)) continue;
        seen.add(e);
        const st = e.s.span.startTimeUnixNano;
        if (st < startNs || st >= endNs) continue;
        const ms = Number(st / 1_000_000n);
        const b = instant ? 0 : Math.floor((ms - firstMs) / stepMs);
        if (b < 0 || b >= nBuckets) continue;
        const labels: Array<{ key: string; value: Val }> = [];
        let missing = false;
        for (const f of op.by) {
          const v = fieldValue(f, e, t);
          if (v === undefined) {
            missing = true;
            break;
          }
          labels.push({ key: fieldTextOf(f), value: v });
        }
        if (missing) continue;
        let x: number | undefined = 1;
        if (op.fn !== 'rate' && op.fn !== 'count_over_time') {
          const v = fieldValue(op.field!, e, t);
          if (v?.t === 'duration') isDuration = true;
          // A span whose value cannot be bucketed is left out of the histogram entirely.
          x = bucketed ? log2Bucket(v) : numeric(v);
          if (x === undefined && bucketed) continue;
        }
        const key = labels.map((l) => `${l.key}=${l.value.t}:${valText(l.value)}`).join('\u0001');
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { labels, values: Array.from({ length: nBuckets }, () => []) }));
        if (x !== undefined) g.values[b]!.push(x);
      }
    }
  });
  if (scan.truncated) {
    throw new IchigenError('LIMIT_EXCEEDED', `the query reads more than ${limits.maxTraces} traces (traces.max_search_traces) or runs longer than traces.search_timeout: narrow the time range or the filter`);
  }
  const series: Series[] = [];
  const stepSec = stepMs / 1000;
  const unit = (x: number): number => (isDuration ? x / 1e9 : x);
  for (const g of groups.values()) {
    if (op.fn === 'histogram_over_time' || op.fn === 'quantile_over_time') {
      const perBucket = g.values.map((xs) => {
        const m = new Map<number, number>();
        for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
        return m;
      });
      if (op.fn === 'histogram_over_time') {
        const bounds = new Set<number>();
        for (const m of perBucket) for (const k of m.keys()) bounds.add(k);
        for (const bound of [...bounds].sort((a, b) => a - b)) {
          series.push({ labels: [...g.labels, { key: '__bucket', value: { t: 'float', v: unit(bound) } }], buckets: perBucket.map((m) => [m.get(bound) ?? 0]) });
        }
      } else {
        for (const p of op.quantiles) {
          series.push({
            labels: [...g.labels, { key: 'p', value: { t: 'float', v: p } }],
            buckets: perBucket.map((m) => [unit(log2Quantile(p, [...m.entries()].sort((a, b) => a[0] - b[0]).map(([max, count]) => ({ max, count }))))]),
          });
        }
      }
      continue;
    }
    const vals = g.values.map((xs): number[] => {
      if (op.fn === 'rate') return [xs.length / stepSec];
      if (op.fn === 'count_over_time') return [xs.length];
      if (xs.length === 0) return [];
      if (op.fn === 'min_over_time') return [unit(Math.min(...xs))];
      if (op.fn === 'max_over_time') return [unit(Math.max(...xs))];
      const sum = xs.reduce((a, b) => a + b, 0);
      return [unit(op.fn === 'sum_over_time' ? sum : sum / xs.length)];
    });
    series.push({ labels: g.labels.length > 0 ? g.labels : [{ key: '__name__', value: { t: 'string', v: op.fn } }], buckets: vals });
  }
  if (series.length === 0 && op.by.length === 0 && op.fn !== 'histogram_over_time' && op.fn !== 'quantile_over_time') {
    series.push({ labels: [{ key: '__name__', value: { t: 'string', v: op.fn } }], buckets: Array.from({ length: nBuckets }, () => [0]) });
  }
  const out = series.map((s) => {
    const labels = s.labels.map((l) => ({ key: l.key, value: valToAnyValue(l.value) }));
    const promLabels = `{${s.labels.map((l) => `${l.key}="${valText(l.value)}"`).join(', ')}}`;
    if (instant) return { labels, value: s.buckets[0]?.[0] ?? 0, promLabels };
    const samples: Array<{ timestampMs: string; value: number }> = [];
    s.buckets.forEach((b, i) => {
      if (b.length > 0) samples.push({ timestampMs: String(firstMs + i * stepMs), value: b[0]! });
    });
    return { labels, samples, promLabels };
  });
  return { series: out, metrics: { inspectedTraces: scan.inspected, completedJobs: 1, totalJobs: 1 } };
}
