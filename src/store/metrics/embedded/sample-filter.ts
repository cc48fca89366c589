import type { Exemplar, Labels } from '../../../model/index.js';
import type { MetricLimits } from './options.js';
import type { MemSeries } from './mem-series.js';

/** What the head keeps of one series' write, and how many of its samples were already there. */
export interface FilteredSamples {
  readonly timestamps: ArrayLike<number>;
  readonly values: Float64Array;
  /** Identical re-sent samples: already durable, so they count as written. */
  readonly duplicates: number;
}

export interface FilterContext {
  /** Samples before this are past the retention (-Infinity: none). */
  readonly cutoff: number;
  readonly outOfOrderWindowMs: number;
  readonly report: (what: string) => void;
}

let bitsOf: ArrayBufferLike | undefined;
let bitsView: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/** A u32 view of the values' buffer, shared by all series of a request (they share one buffer). */
export function valueBits(values: Float64Array): Uint32Array {
  if (values.buffer !== bitsOf) {
    bitsOf = values.buffer;
    bitsView = new Uint32Array(bitsOf, 0, bitsOf.byteLength >>> 2);
  }
  return bitsView;
}

/**
 * Keeps the samples the head can take and reports the others: invalid timestamps, past
 * the retention, out of order beyond the window, or a different value for the series'
 * newest timestamp. An identical re-send of the newest sample is dropped silently.
 * Undefined: all kept as they are (the common case, checked without allocating).
 */
export function filterSamples(timestamps: ArrayLike<number>, values: Float64Array, ms: MemSeries | undefined, ctx: FilterContext): FilteredSamples | undefined {
  const n = timestamps.length;
  const window = ctx.outOfOrderWindowMs;
  let maxT = ms ? ms.maxT : -Infinity;
  let lastT = ms ? ms.lastT : -Infinity;
  if (n === 1) {
    const t = timestamps[0]!;
    if (t > lastT && t >= maxT - window && t >= ctx.cutoff && Number.isInteger(t)) return undefined;
  }
  const bits = valueBits(values);
  const base = values.byteOffset >>> 2;
  let lastLo = ms?.lastLo ?? 0;
  let lastHi = ms?.lastHi ?? 0;
  let lastKnown = ms?.lastKnown ?? false;
  const keep: number[] = [];
  let dropped = 0;
  let duplicates = 0;
  let firstReason = '';
  for (let i = 0; i < n; i++) {
    const t = timestamps[i]!;
    const lo = bits[base + i * 2]!;
    const hi = bits[base + i * 2 + 1]!;
    let reason = '';
    if (!Number.isFinite(t) || !Number.isInteger(t)) reason = `invalid timestamp ${t}`;
    else if (t < ctx.cutoff) reason = `sample at ${new Date(t).toISOString()} is older than the retention period`;
    else if (t === lastT) {
      // A retry re-sends what we already have: identical samples are accepted silently.
      if (!lastKnown || (lo === lastLo && hi === lastHi)) {
        duplicates++;
        continue;
      }
      reason = `duplicate sample for timestamp ${t} with a different value`;
    } else if (t < maxT - window) {
      reason = `out of order sample: ${new Date(t).toISOString()} is more than ${window / 1000}s before the series' newest sample (${new Date(maxT).toISOString()})`;
    }
    if (reason !== '') {
      dropped++;
      firstReason ||= reason;
      continue;
    }
    keep.push(i);
    lastT = t;
    lastLo = lo;
    lastHi = hi;
    lastKnown = true;
    if (t > maxT) maxT = t;
  }
  if (dropped > 0) ctx.report(dropped === 1 ? firstReason : `${firstReason} (${dropped} samples refused)`);
  if (keep.length === n) return duplicates === 0 ? undefined : { timestamps, values, duplicates };
  const t = new Float64Array(keep.length);
  const v = new Float64Array(keep.length);
  const vb = new Uint32Array(v.buffer);
  keep.forEach((i, k) => {
    t[k] = timestamps[i]!;
    vb[k * 2] = bits[base + i * 2]!;
    vb[k * 2 + 1] = bits[base + i * 2 + 1]!;
  });
  return { timestamps: t, values: v, duplicates };
}

/** A label set the limits refuse (undefined: fine). */
export function labelsProblem(labels: Labels, l: MetricLimits): string | undefined {
  if (labels.length === 0) return 'the series has no labels';
  if (labels.length > l.maxLabelsPerSeries) return `has ${labels.length} labels, over the limit of ${l.maxLabelsPerSeries}`;
  for (const x of labels) {
    if (x.name.length > l.maxLabelNameLength) return `label name "${x.name.slice(0, 64)}…" is longer than ${l.maxLabelNameLength} characters`;
    if (x.value.length > l.maxLabelValueLength) return `value of label "${x.name}" is longer than ${l.maxLabelValueLength} characters`;
  }
  return undefined;
}

/** Prometheus' limit on an exemplar's label set (names and values, in characters). */
const EXEMPLAR_MAX_LABEL_CHARS = 128;

export function exemplarsProblem(exemplars: readonly Exemplar[]): string | undefined {
  for (const e of exemplars) {
    let chars = 0;
    for (const [name, value] of Object.entries(e.labels)) chars += [...name].length + [...value].length;
    if (chars > EXEMPLAR_MAX_LABEL_CHARS) return `exemplar labels are ${chars} characters long, over the limit of ${EXEMPLAR_MAX_LABEL_CHARS}`;
    if (!Number.isFinite(e.timestamp) || !Number.isInteger(e.timestamp)) return `invalid exemplar timestamp ${e.timestamp}`;
  }
  return undefined;
}
