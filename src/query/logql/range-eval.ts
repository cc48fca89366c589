import { IchigenError, type Labels } from '../../model/index.js';
import type { LogStore } from '../../store/logs/index.js';
import type { MetricExpr } from './ast.js';
import { ERROR_LABEL, sortedLabels } from './labels-builder.js';
import { compilePipeline } from './pipeline.js';
import { compileLabelFilter } from './stages.js';
import { parseGoDuration, parseGoFloat, parseHumanBytes } from './units.js';
import { keyOf, type QueryStats, type Sample } from './value.js';

type RangeExpr = Extract<MetricExpr, { kind: 'range' }>;

interface SeriesSamples {
  labels: Labels;
  key: string;
  hasError: boolean;
  ts: number[];
  vals: number[];
  /** Stream of each sample (kept samples only): equal times order by stream, as stored order varies with flushes. */
  sid: number[];
}

export interface EvalContext {
  readonly store: LogStore;
  readonly tenant: string;
  /** Steps in ms, ascending. */
  readonly steps: number[];
  readonly stats: QueryStats;
  readonly maxSeries: number;
  readonly maxEntries: number;
}

/** Evaluates a range aggregation at every step: reads the store once, then slides windows. */
export async function evalRange(e: RangeExpr, ctx: EvalContext, allowErrors: boolean): Promise<Map<number, Sample[]>> {
  const rangeNs = BigInt(Math.round(e.rangeMs * 1e6));
  const offNs = BigInt(Math.round(e.offsetMs * 1e6));
  const first = BigInt(ctx.steps[0]!) * 1_000_000n;
  const last = BigInt(ctx.steps[ctx.steps.length - 1]!) * 1_000_000n;
  const startNs = first - offNs - rangeNs + 1n;
  const endNs = last - offNs + 1n;
  const base = startNs;
  const pipeline = compilePipeline(e.log);
  const series = new Map<string, SeriesSamples>();
  const unwrap = e.unwrap;
  const post = unwrap?.postFilters.map(compileLabelFilter) ?? [];
  const conv = unwrap?.conv === 'duration' || unwrap?.conv === 'duration_seconds' ? parseGoDuration : unwrap?.conv === 'bytes' ? parseHumanBytes : parseGoFloat;
  // Counting functions only need how many entries (or bytes) fall in each window: entries are
  // folded onto the window edge right after them, so memory grows with series × steps, not
  // with entries. The others keep every sample (bounded by maxEntries).
  const fold = unwrap === undefined && FOLDABLE.has(e.op) ? new EdgeFolder(ctx.steps, offNs, rangeNs, base) : undefined;
  let kept = 0;
  const streamsSeen = new Set<number>();
  for await (const s of ctx.store.scan({ tenant: ctx.tenant, matchers: e.log.matchers, startNs, endNs, mustContain: pipeline.mustContain })) {
    streamsSeen.add(s.stream.id);
    for (const entry of s.entries) {
      ctx.stats.entriesScanned++;
      ctx.stats.bytesScanned += entry.line.length;
      const r = pipeline.run(entry.line, entry.tsNs, s.stream.labels, entry.metadata);
      if (!r) continue;
      let value = 1;
      if (unwrap) {
        const raw = r.lb.get(unwrap.label);
        // An entry without the label yields no sample (Loki skips it); a bad value is an error.
        if (raw === undefined) continue;
        const n = conv(raw);
        if (n === undefined) r.lb.setError('SampleExtractionErr', `unable to extract value from label ${unwrap.label}`);
        else value = n;
        r.lb.del(unwrap.label);
        if (!post.every((f) => f(r.lb))) continue;
      } else if (e.op === 'bytes_over_time' || e.op === 'bytes_rate') value = Buffer.byteLength(r.line);
      let all = r.lb.all();
      if (e.grouping) {
        const g = e.grouping;
        const kept = new Map<string, string>();
        for (const [k, v] of all) if (g.without ? !g.labels.includes(k) : g.labels.includes(k)) kept.set(k, v);
        if (all.has(ERROR_LABEL)) kept.set(ERROR_LABEL, all.get(ERROR_LABEL)!);
        all = kept;
      }
      const labels = sortedLabels(all);
      const key = keyOf(labels);
      let ser = series.get(key);
      if (!ser) {
        if (series.size >= ctx.maxSeries) throw new IchigenError('TOO_MANY_SAMPLES', `maximum number of series (${ctx.maxSeries}) reached for a single query`);
        series.set(key, (ser = { labels, key, hasError: all.has(ERROR_LABEL), ts: [], vals: [], sid: [] }));
      }
      const t = Number(entry.tsNs - base);
      if (fold) {
        const edge = fold.edgeOf(t);
        const last = ser.ts.length - 1;
        if (last >= 0 && ser.ts[last] === edge) ser.vals[last]! += value;
        else {
          ser.ts.push(edge);
          ser.vals.push(value);
        }
        continue;
      }
      if (++kept > ctx.maxEntries) throw new IchigenError('TOO_MANY_SAMPLES', `the query would hold more than ${ctx.maxEntries} samples; narrow the selector or the time range`);
      ser.ts.push(t);
      ser.vals.push(value);
      ser.sid.push(s.stream.id);
    }
  }
  ctx.stats.streamsScanned += streamsSeen.size;
  if (fold) for (const s of series.values()) mergeEqualTimes(s);
  // Entries of one stream are in time order, but one series can merge several streams.
  for (const s of series.values()) sortSeries(s);
  const out = new Map<number, Sample[]>();
  const rangeSec = e.rangeMs / 1000;
  const cursors = new Map<string, { lo: number; hi: number }>();
  for (const step of ctx.steps) {
    const hiNs = Number(BigInt(step) * 1_000_000n - offNs - base);
    const loNs = hiNs - Number(rangeNs);
    const samples: Sample[] = [];
    let any = false;
    for (const s of series.values()) {
      let c = cursors.get(s.key);
      if (!c) cursors.set(s.key, (c = { lo: 0, hi: 0 }));
      while (c.lo < s.ts.length && s.ts[c.lo]! <= loNs) c.lo++;
      if (c.hi < c.lo) c.hi = c.lo;
      while (c.hi < s.ts.length && s.ts[c.hi]! <= hiNs) c.hi++;
      if (c.hi <= c.lo) continue;
      any = true;
      if (s.hasError && !allowErrors) {
        const err = s.labels.find((l) => l.name === ERROR_LABEL)?.value ?? '';
        throw new IchigenError('BAD_REQUEST', `pipeline error: '${err}' for series: '{${s.labels.map((l) => `${l.name}="${l.value}"`).join(', ')}}'. Use a label filter to intentionally skip this error. (e.g | __error__!="${err}"). To skip all potential errors you can match empty errors.(e.g __error__="") The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__="" )`);
      }
      if (e.op === 'absent_over_time') continue;
      const v = windowValue(e, s.ts, s.vals, c.lo, c.hi, rangeSec, fold !== undefined);
      samples.push({ labels: s.labels, key: s.key, value: v });
    }
    if (e.op === 'absent_over_time') {
      if (!any) {
        const labels = sortedLabels(new Map(e.log.matchers.filter((m) => m.type === '=').map((m) => [m.name, m.value])));
        samples.push({ labels, key: keyOf(labels), value: 1 });
      }
    }
    out.set(step, samples);
  }
  return out;
}

/** Range functions whose window value is a count or a sum of whole numbers: safe to fold. */
const FOLDABLE = new Set<RangeExpr['op']>(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time']);

/**
 * The edges of every window, (hi - range, hi] per step, in ns relative to the read's start.
 * An entry belongs to a window exactly when the first edge at or after it does, so counting
 * entries per edge loses nothing.
 */
class EdgeFolder {
  private readonly edges: Float64Array;
  private at = 0;

  constructor(steps: readonly number[], offNs: bigint, rangeNs: bigint, base: bigint) {
    const all = new Set<number>();
    for (const step of steps) {
      const hi = Number(BigInt(step) * 1_000_000n - offNs - base);
      all.add(hi);
      all.add(hi - Number(rangeNs));
    }
    this.edges = Float64Array.from([...all].sort((a, b) => a - b));
  }

  /** The first edge at or after t (entries arrive mostly in time order: try the last one first). */
  edgeOf(t: number): number {
    const e = this.edges;
    if (!(this.at < e.length && e[this.at]! >= t && (this.at === 0 || e[this.at - 1]! < t))) {
      let lo = 0;
      let hi = e.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (e[mid]! < t) lo = mid + 1;
        else hi = mid;
      }
      this.at = lo;
    }
    return this.at < e.length ? e[this.at]! : Infinity;
  }
}

/** After folding: one sample per edge, in time order (runs of a series may interleave). */
function mergeEqualTimes(s: SeriesSamples): void {
  sortSeries(s);
  s.sid = [];
  const ts: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < s.ts.length; i++) {
    if (ts.length > 0 && ts[ts.length - 1] === s.ts[i]) vals[vals.length - 1]! += s.vals[i]!;
    else {
      ts.push(s.ts[i]!);
      vals.push(s.vals[i]!);
    }
  }
  s.ts = ts;
  s.vals = vals;
}

function sumRange(vals: number[], lo: number, hi: number): number {
  let t = 0;
  for (let i = lo; i < hi; i++) t += vals[i]!;
  return t;
}

/** Time order; equal times by stream, then as read (a stream's entries in arrival order). */
function sortSeries(s: SeriesSamples): void {
  const bySid = s.sid.length === s.ts.length;
  let sorted = true;
  for (let i = 1; i < s.ts.length && sorted; i++) {
    if (s.ts[i]! < s.ts[i - 1]! || (bySid && s.ts[i] === s.ts[i - 1] && s.sid[i]! < s.sid[i - 1]!)) sorted = false;
  }
  if (sorted) return;
  const idx = s.ts.map((_, i) => i).sort((a, b) => s.ts[a]! - s.ts[b]! || (bySid ? s.sid[a]! - s.sid[b]! : 0) || a - b);
  s.ts = idx.map((i) => s.ts[i]!);
  s.vals = idx.map((i) => s.vals[i]!);
  if (bySid) s.sid = idx.map((i) => s.sid[i]!);
}

function windowValue(e: RangeExpr, ts: number[], vals: number[], lo: number, hi: number, rangeSec: number, folded: boolean): number {
  const n = folded ? sumRange(vals, lo, hi) : hi - lo;
  const sum = (): number => {
    let t = 0;
    for (let i = lo; i < hi; i++) t += vals[i]!;
    return t;
  };
  switch (e.op) {
    case 'count_over_time':
      return n;
    case 'rate':
      return (e.unwrap ? sum() : n) / rangeSec;
    case 'bytes_over_time':
    case 'sum_over_time':
      return sum();
    case 'bytes_rate':
      return sum() / rangeSec;
    case 'avg_over_time': {
      let mean = 0;
      let count = 0;
      for (let i = lo; i < hi; i++) {
        count++;
        mean += (vals[i]! - mean) / count;
      }
      return mean;
    }
    case 'min_over_time': {
      let m = vals[lo]!;
      for (let i = lo; i < hi; i++) if (vals[i]! < m || Number.isNaN(m)) m = vals[i]!;
      return m;
    }
    case 'max_over_time': {
      let m = vals[lo]!;
      for (let i = lo; i < hi; i++) if (vals[i]! > m || Number.isNaN(m)) m = vals[i]!;
      return m;
    }
    case 'stdvar_over_time':
    case 'stddev_over_time': {
      let count = 0;
      let mean = 0;
      let m2 = 0;
      for (let i = lo; i < hi; i++) {
        count++;
        const d = vals[i]! - mean;
        mean += d / count;
        m2 += d * (vals[i]! - mean);
      }
      const v = m2 / count;
      return e.op === 'stdvar_over_time' ? v : Math.sqrt(v);
    }
    case 'quantile_over_time':
      return quantile(e.param ?? 0, vals.slice(lo, hi));
    case 'first_over_time':
      return vals[lo]!;
    case 'last_over_time':
      return vals[hi - 1]!;
    case 'rate_counter':
      return lokiCounterRate(ts, vals, lo, hi, e.rangeMs);
    case 'absent_over_time':
      return 1;
  }
}

/** Prometheus' quantile with linear interpolation. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const s = [...values].sort((a, b) => a - b);
  const rank = q * (s.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(s.length - 1, lower + 1);
  const w = rank - lower;
  return s[lower]! * (1 - w) + s[upper]! * w;
}

/**
 * Loki's rate_counter, reproduced with its units: Loki runs Prometheus' extrapolatedRate on
 * samples whose times are nanoseconds but treats the range as milliseconds and divides
 * differences by 1000 as if they were milliseconds. So the range "starts" rangeMs
 * nanoseconds before the first sample (durationToStart = rangeMs/1000), "ends" at the last
 * sample, and the extrapolation adds almost nothing: the result is close to the increase
 * (counter resets included) over the range in seconds. Fewer than two samples give 0.
 */
function lokiCounterRate(ts: number[], vals: number[], lo: number, hi: number, rangeMs: number): number {
  const n = hi - lo;
  if (n < 2) return 0;
  let result = vals[hi - 1]! - vals[lo]!;
  let last = 0;
  for (let i = lo; i < hi; i++) {
    if (vals[i]! < last) result += last;
    last = vals[i]!;
  }
  let durationToStart = rangeMs / 1000;
  const durationToEnd = 0;
  const sampled = (ts[hi - 1]! - ts[lo]!) / 1000;
  const avg = sampled / (n - 1);
  if (result > 0 && vals[lo]! >= 0) {
    const durationToZero = sampled * (vals[lo]! / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = avg * 1.1;
  let extrapolate = sampled;
  extrapolate += durationToStart < threshold ? durationToStart : avg / 2;
  extrapolate += durationToEnd < threshold ? durationToEnd : avg / 2;
  return (result * (extrapolate / sampled)) / (rangeMs / 1000);
}
