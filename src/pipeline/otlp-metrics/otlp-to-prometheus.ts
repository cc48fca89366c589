import { STALE_NAN_HI, STALE_NAN_LO, compareLabelNames, labelsKey, type Exemplar, type Label, type Labels, type MetricMetadata } from '../../model/index.js';
import { FLAG_NO_RECORDED_VALUE, anyValueToString, type KeyValue, type OtlpExemplar, type OtlpMetrics, type OtlpResource } from '../../receive/otlp/index.js';
import { type DeltaAccumulator } from './delta-accumulator.js';
import { formatFloat, prometheusLabelName, prometheusMetricName, unitSuffix, type OtlpKind } from './prometheus-names.js';

export interface TranslatedSeries {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly exemplars?: Exemplar[];
}

export interface TranslatedMetrics {
  readonly series: TranslatedSeries[];
  readonly metadata: MetricMetadata[];
  /** Data points that could not be translated (reported back as a partial success). */
  readonly rejected: number;
  readonly messages: string[];
}

const IDENTIFYING = new Set(['service.name', 'service.namespace', 'service.instance.id']);

class SeriesSet {
  private readonly byKey = new Map<string, { labels: Labels; t: number[]; v: number[]; stale: boolean[]; ex: Exemplar[] }>();

  add(labels: Labels, t: number, v: number, stale: boolean, exemplars?: Exemplar[]): void {
    const key = labelsKey(labels);
    let s = this.byKey.get(key);
    if (!s) this.byKey.set(key, (s = { labels, t: [], v: [], stale: [], ex: [] }));
    s.t.push(t);
    s.v.push(v);
    s.stale.push(stale);
    if (exemplars) s.ex.push(...exemplars);
  }

  toSeries(): TranslatedSeries[] {
    return [...this.byKey.values()].map((s) => {
      // Points may arrive in any order within a request: sort by time.
      const order = s.t.map((_, i) => i).sort((a, b) => s.t[a]! - s.t[b]!);
      const timestamps = Float64Array.from(order, (i) => s.t[i]!);
      const values = new Float64Array(order.length);
      const bits = new Uint32Array(values.buffer);
      order.forEach((i, k) => {
        if (s.stale[i]) bits.set([STALE_NAN_LO, STALE_NAN_HI], k * 2);
        else values[k] = s.v[i]!;
      });
      return s.ex.length > 0 ? { labels: s.labels, timestamps, values, exemplars: s.ex } : { labels: s.labels, timestamps, values };
    });
  }
}

/** Sanitised attributes as labels; keys that collide after sanitising join their values with `;` (in key order). */
function attributeLabels(attrs: readonly KeyValue[]): Map<string, string> {
  const sorted = [...attrs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const out = new Map<string, string>();
  for (const kv of sorted) {
    const name = prometheusLabelName(kv.key);
    if (name === '') continue;
    const value = anyValueToString(kv.value);
    const prev = out.get(name);
    out.set(name, prev === undefined ? value : `${prev};${value}`);
  }
  return out;
}

function jobInstance(resource: OtlpResource): Map<string, string> {
  const get = (k: string): string | undefined => {
    const kv = resource.attributes.find((a) => a.key === k);
    return kv ? anyValueToString(kv.value) : undefined;
  };
  const out = new Map<string, string>();
  const service = get('service.name');
  const ns = get('service.namespace');
  if (service !== undefined) out.set('job', ns ? `${ns}/${service}` : service);
  const instance = get('service.instance.id');
  if (instance !== undefined) out.set('instance', instance);
  return out;
}

function build(name: string, base: Map<string, string>, extra: Array<[string, string]> = []): Labels {
  const m = new Map(base);
  for (const [k, v] of extra) m.set(k, v);
  m.set('__name__', name);
  const out: Label[] = [];
  for (const [n, v] of m) if (v !== '') out.push({ name: n, value: v });
  return out.sort(compareLabelNames);
}

function ms(nanos: bigint): number {
  return Number(nanos / 1_000_000n);
}

function exemplarsOf(list: readonly OtlpExemplar[]): Exemplar[] {
  return list.map((e) => {
    const labels: Record<string, string> = {};
    for (const [k, v] of attributeLabels(e.filteredAttributes)) labels[k] = v;
    if (e.traceId !== '') labels.trace_id = e.traceId;
    if (e.spanId !== '') labels.span_id = e.spanId;
    return { labels, value: e.value, timestamp: ms(e.timeUnixNano) };
  });
}

/**
 * Translates an OTLP metrics request into Prometheus series the way Prometheus' OTLP
 * receiver names them. Delta temporality is turned into cumulative series (running sums per
 * series, kept in `delta`), so rate() and increase() work as on any counter; exponential
 * histograms become classic `_bucket` series with each bucket's upper bound as `le`.
 */
export function translateOtlpMetrics(req: OtlpMetrics, tenant: string, delta: DeltaAccumulator): TranslatedMetrics {
  const set = new SeriesSet();
  const metadata = new Map<string, MetricMetadata>();
  let rejected = 0;
  const messages: string[] = [];
  for (const rm of req.resourceMetrics) {
    const ji = jobInstance(rm.resource);
    let latest = 0;
    for (const sm of rm.scopeMetrics) {
      for (const metric of sm.metrics) {
        const d = metric.data;
        if (d.type === 'empty') continue;
        const kind: OtlpKind =
          d.type === 'gauge' ? 'gauge' : d.type === 'sum' ? (d.isMonotonic ? 'counter' : 'nonMonotonicSum') : d.type === 'summary' ? 'summary' : 'histogram';
        const name = prometheusMetricName(metric.name, metric.unit, kind);
        if (name === '') {
          rejected += 'dataPoints' in d ? d.dataPoints.length : 0;
          messages.push(`metric "${metric.name}" has no usable name`);
          continue;
        }
        metadata.set(name, {
          metric: name,
          type: kind === 'nonMonotonicSum' ? 'gauge' : kind,
          help: metric.description,
          unit: unitSuffix(metric.unit),
        });
        for (const p of d.dataPoints) {
          const t = ms(p.timeUnixNano);
          if (t > latest) latest = t;
          const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
          const base = attributeLabels(p.attributes);
          for (const [k, v] of ji) base.set(k, v);
          if (d.type === 'gauge' || d.type === 'sum') {
            const pt = p as (typeof d.dataPoints)[number];
            let value = pt.value;
            const labels = build(name, base);
            if (d.type === 'sum' && d.aggregationTemporality === 1 && !stale) value = delta.addScalar(tenant, labels, value, ms(pt.startTimeUnixNano));
            set.add(labels, t, value, stale, exemplarsOf(pt.exemplars));
          } else if (d.type === 'summary') {
            const pt = p as (typeof d.dataPoints)[number];
            for (const q of pt.quantileValues) set.add(build(name, base, [['quantile', formatFloat(q.quantile)]]), t, q.value, stale);
            set.add(build(`${name}_sum`, base), t, pt.sum, stale);
            set.add(build(`${name}_count`, base), t, pt.count, stale);
          } else {
            let bounds: number[];
            let counts: number[];
            let sum: number | undefined;
            let count: number;
            let exemplars: readonly OtlpExemplar[];
            if (d.type === 'histogram') {
              const pt = p as (typeof d.dataPoints)[number];
              bounds = [...pt.explicitBounds];
              counts = pt.bucketCounts.length > 0 ? [...pt.bucketCounts] : [];
              sum = pt.sum;
              count = pt.count;
              exemplars = pt.exemplars;
            } else {
              const pt = p as (typeof d.dataPoints)[number];
              ({ bounds, counts } = exponentialToClassic(pt.scale, pt.zeroCount, pt.zeroThreshold, pt.positive, pt.negative));
              sum = pt.sum;
              count = pt.count;
              exemplars = pt.exemplars;
            }
            if (d.aggregationTemporality === 1 && !stale) {
              ({ counts, sum, count } = delta.addHistogram(tenant, build(name, base), bounds, counts, sum, count, ms(p.startTimeUnixNano)));
            }
            let cumulative = 0;
            const ex = exemplarsOf(exemplars);
            for (let i = 0; i < bounds.length; i++) {
              cumulative += counts[i] ?? 0;
              const bucketEx = ex.filter((e) => e.value <= bounds[i]! && (i === 0 || e.value > bounds[i - 1]!));
              set.add(build(`${name}_bucket`, base, [['le', formatFloat(bounds[i]!)]]), t, cumulative, stale, bucketEx.length > 0 ? bucketEx : undefined);
            }
            set.add(build(`${name}_bucket`, base, [['le', '+Inf']]), t, count, stale);
            if (sum !== undefined) set.add(build(`${name}_sum`, base), t, sum, stale);
            set.add(build(`${name}_count`, base), t, count, stale);
          }
        }
      }
    }
    // target_info carries the resource's other attributes, once per resource.
    const others = rm.resource.attributes.filter((a) => !IDENTIFYING.has(a.key));
    if (others.length > 0 && latest > 0) {
      const labels = attributeLabels(others);
      for (const [k, v] of ji) labels.set(k, v);
      set.add(build('target_info', labels), latest, 1, false);
      metadata.set('target_info', { metric: 'target_info', type: 'gauge', help: 'Target metadata', unit: '' });
    }
  }
  return { series: set.toSeries(), metadata: [...metadata.values()], rejected, messages };
}

/**
 * Exponential buckets as classic ones: bucket i of scale s covers (base^i, base^(i+1)] with
 * base = 2^(2^-s); negative buckets mirror it; the zero bucket ends at the zero threshold.
 */
function exponentialToClassic(
  scale: number,
  zeroCount: number,
  zeroThreshold: number,
  positive: { offset: number; bucketCounts: readonly number[] },
  negative: { offset: number; bucketCounts: readonly number[] },
): { bounds: number[]; counts: number[] } {
  const base = 2 ** (2 ** -scale);
  const pairs: Array<[number, number]> = [];
  negative.bucketCounts.forEach((c, k) => pairs.push([-(base ** (negative.offset + k)), c]));
  pairs.push([zeroThreshold, zeroCount]);
  positive.bucketCounts.forEach((c, k) => pairs.push([base ** (positive.offset + k + 1), c]));
  pairs.sort((a, b) => a[0] - b[0]);
  return { bounds: pairs.map((p) => p[0]), counts: pairs.map((p) => p[1]) };
}
