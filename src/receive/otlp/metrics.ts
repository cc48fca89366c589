import type { KeyValue } from './any-value.js';
import { bad, bool, double, enumValue, field, id, int64, keyValues, list, obj, str, uint, type Obj } from './fields.js';
import { readResource, readScope, type OtlpResource, type OtlpScope } from './resource.js';

/**
 * The normalised form of an OTLP metrics request, the same for protobuf and JSON.
 * Times are unix nanoseconds (bigint); counts are numbers (exact up to 2^53, far above any
 * real histogram count); an int data point keeps its bigint value next to a double.
 */
export interface OtlpMetrics {
  readonly resourceMetrics: readonly OtlpResourceMetrics[];
}

export interface OtlpResourceMetrics {
  readonly resource: OtlpResource;
  readonly scopeMetrics: readonly OtlpScopeMetrics[];
  readonly schemaUrl: string;
}

export interface OtlpScopeMetrics {
  readonly scope: OtlpScope;
  readonly metrics: readonly OtlpMetric[];
  readonly schemaUrl: string;
}

/** 0 unspecified, 1 delta, 2 cumulative. */
export type AggregationTemporality = 0 | 1 | 2;
const TEMPORALITIES = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'];

export type OtlpMetricData =
  | { readonly type: 'gauge'; readonly dataPoints: readonly OtlpNumberDataPoint[] }
  | { readonly type: 'sum'; readonly dataPoints: readonly OtlpNumberDataPoint[]; readonly aggregationTemporality: AggregationTemporality; readonly isMonotonic: boolean }
  | { readonly type: 'histogram'; readonly dataPoints: readonly OtlpHistogramDataPoint[]; readonly aggregationTemporality: AggregationTemporality }
  | { readonly type: 'exponentialHistogram'; readonly dataPoints: readonly OtlpExponentialHistogramDataPoint[]; readonly aggregationTemporality: AggregationTemporality }
  | { readonly type: 'summary'; readonly dataPoints: readonly OtlpSummaryDataPoint[] }
  /** A metric with no data field (allowed by the schema; carries nothing). */
  | { readonly type: 'empty' };

export interface OtlpMetric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly metadata: readonly KeyValue[];
  readonly data: OtlpMetricData;
}

/** Flag bit 1: the point has no recorded value (a staleness marker). */
export const FLAG_NO_RECORDED_VALUE = 1;

interface PointBase {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: bigint;
  readonly timeUnixNano: bigint;
  readonly flags: number;
}

export interface OtlpExemplar {
  readonly filteredAttributes: readonly KeyValue[];
  readonly timeUnixNano: bigint;
  readonly value: number;
  /** Hex, '' when absent. */
  readonly traceId: string;
  readonly spanId: string;
}

export interface OtlpNumberDataPoint extends PointBase {
  /** The value as a double (an int point converted). */
  readonly value: number;
  /** Set when the point was an int (exact). */
  readonly intValue: bigint | undefined;
  readonly exemplars: readonly OtlpExemplar[];
}

export interface OtlpHistogramDataPoint extends PointBase {
  readonly count: number;
  readonly sum: number | undefined;
  readonly bucketCounts: readonly number[];
  readonly explicitBounds: readonly number[];
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly exemplars: readonly OtlpExemplar[];
}

export interface OtlpExponentialBuckets {
  readonly offset: number;
  readonly bucketCounts: readonly number[];
}

export interface OtlpExponentialHistogramDataPoint extends PointBase {
  readonly count: number;
  readonly sum: number | undefined;
  readonly scale: number;
  readonly zeroCount: number;
  readonly zeroThreshold: number;
  readonly positive: OtlpExponentialBuckets;
  readonly negative: OtlpExponentialBuckets;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly exemplars: readonly OtlpExemplar[];
}

export interface OtlpSummaryDataPoint extends PointBase {
  readonly count: number;
  readonly sum: number;
  readonly quantileValues: ReadonlyArray<{ readonly quantile: number; readonly value: number }>;
}

function base(o: Obj, path: string): PointBase {
  return {
    attributes: keyValues(o.attributes, `${path}.attributes`),
    startTimeUnixNano: int64(field(o, 'startTimeUnixNano', 'start_time_unix_nano'), `${path}.startTimeUnixNano`, true),
    timeUnixNano: int64(field(o, 'timeUnixNano', 'time_unix_nano'), `${path}.timeUnixNano`, true),
    flags: uint(o.flags, `${path}.flags`),
  };
}

function optDouble(o: Obj, name: string, path: string): number | undefined {
  const v = Object.hasOwn(o, name) ? o[name] : undefined;
  return v === undefined || v === null ? undefined : double(v, `${path}.${name}`);
}

function exemplars(v: unknown, path: string): OtlpExemplar[] {
  return list(v, path).map((x, i) => {
    const p = `${path}[${i}]`;
    const o = obj(x, p) ?? {};
    const asInt = field(o, 'asInt', 'as_int');
    return {
      filteredAttributes: keyValues(field(o, 'filteredAttributes', 'filtered_attributes'), `${p}.filteredAttributes`),
      timeUnixNano: int64(field(o, 'timeUnixNano', 'time_unix_nano'), `${p}.timeUnixNano`, true),
      value: asInt !== undefined ? Number(int64(asInt, `${p}.asInt`)) : double(field(o, 'asDouble', 'as_double'), `${p}.asDouble`),
      traceId: id(field(o, 'traceId', 'trace_id'), 16, `${p}.traceId`),
      spanId: id(field(o, 'spanId', 'span_id'), 8, `${p}.spanId`),
    };
  });
}

function numberPoints(v: unknown, path: string): OtlpNumberDataPoint[] {
  return list(v, path).map((x, i) => {
    const p = `${path}[${i}]`;
    const o = obj(x, p) ?? {};
    const asInt = field(o, 'asInt', 'as_int');
    const intValue = asInt === undefined || asInt === null ? undefined : int64(asInt, `${p}.asInt`);
    return {
      ...base(o, p),
      value: intValue !== undefined ? Number(intValue) : double(field(o, 'asDouble', 'as_double'), `${p}.asDouble`),
      intValue,
      exemplars: exemplars(o.exemplars, `${p}.exemplars`),
    };
  });
}

function counts(v: unknown, path: string): number[] {
  return list(v, path).map((c, i) => uint(c, `${path}[${i}]`));
}

function histogramPoints(v: unknown, path: string): OtlpHistogramDataPoint[] {
  return list(v, path).map((x, i) => {
    const p = `${path}[${i}]`;
    const o = obj(x, p) ?? {};
    const bucketCounts = counts(field(o, 'bucketCounts', 'bucket_counts'), `${p}.bucketCounts`);
    const explicitBounds = list(field(o, 'explicitBounds', 'explicit_bounds'), `${p}.explicitBounds`).map((b, k) => double(b, `${p}.explicitBounds[${k}]`));
    if (bucketCounts.length > 0 && bucketCounts.length !== explicitBounds.length + 1) {
      throw bad(p, `bucketCounts has ${bucketCounts.length} entries; expected explicitBounds+1 = ${explicitBounds.length + 1}`);
    }
    return {
      ...base(o, p),
      count: uint(o.count, `${p}.count`),
      sum: optDouble(o, 'sum', p),
      bucketCounts,
      explicitBounds,
      min: optDouble(o, 'min', p),
      max: optDouble(o, 'max', p),
      exemplars: exemplars(o.exemplars, `${p}.exemplars`),
    };
  });
}

function buckets(v: unknown, path: string): OtlpExponentialBuckets {
  const o = obj(v, path) ?? {};
  const offset = o.offset === undefined || o.offset === null ? 0 : Number(int64(o.offset, `${path}.offset`));
  return { offset, bucketCounts: counts(field(o, 'bucketCounts', 'bucket_counts'), `${path}.bucketCounts`) };
}

function exponentialPoints(v: unknown, path: string): OtlpExponentialHistogramDataPoint[] {
  return list(v, path).map((x, i) => {
    const p = `${path}[${i}]`;
    const o = obj(x, p) ?? {};
    return {
      ...base(o, p),
      count: uint(o.count, `${p}.count`),
      sum: optDouble(o, 'sum', p),
      scale: o.scale === undefined || o.scale === null ? 0 : Number(int64(o.scale, `${p}.scale`)),
      zeroCount: uint(field(o, 'zeroCount', 'zero_count'), `${p}.zeroCount`),
      zeroThreshold: double(field(o, 'zeroThreshold', 'zero_threshold'), `${p}.zeroThreshold`),
      positive: buckets(o.positive, `${p}.positive`),
      negative: buckets(o.negative, `${p}.negative`),
      min: optDouble(o, 'min', p),
      max: optDouble(o, 'max', p),
      exemplars: exemplars(o.exemplars, `${p}.exemplars`),
    };
  });
}

function summaryPoints(v: unknown, path: string): OtlpSummaryDataPoint[] {
  return list(v, path).map((x, i) => {
    const p = `${path}[${i}]`;
    const o = obj(x, p) ?? {};
    return {
      ...base(o, p),
      count: uint(o.count, `${p}.count`),
      sum: double(o.sum, `${p}.sum`),
      quantileValues: list(field(o, 'quantileValues', 'quantile_values'), `${p}.quantileValues`).map((q, k) => {
        const qo = obj(q, `${p}.quantileValues[${k}]`) ?? {};
        return { quantile: double(qo.quantile, `${p}.quantileValues[${k}].quantile`), value: double(qo.value, `${p}.quantileValues[${k}].value`) };
      }),
    };
  });
}

function temporality(o: Obj, path: string): AggregationTemporality {
  const t = enumValue(field(o, 'aggregationTemporality', 'aggregation_temporality'), TEMPORALITIES, `${path}.aggregationTemporality`);
  if (t > 2) throw bad(`${path}.aggregationTemporality`, `unknown temporality ${t}`);
  return t as AggregationTemporality;
}

function readData(o: Obj, path: string): OtlpMetricData {
  let d: Obj | undefined;
  if ((d = obj(o.gauge, `${path}.gauge`))) return { type: 'gauge', dataPoints: numberPoints(field(d, 'dataPoints', 'data_points'), `${path}.gauge.dataPoints`) };
  if ((d = obj(o.sum, `${path}.sum`))) {
    return {
      type: 'sum',
      dataPoints: numberPoints(field(d, 'dataPoints', 'data_points'), `${path}.sum.dataPoints`),
      aggregationTemporality: temporality(d, `${path}.sum`),
      isMonotonic: bool(field(d, 'isMonotonic', 'is_monotonic'), `${path}.sum.isMonotonic`),
    };
  }
  if ((d = obj(o.histogram, `${path}.histogram`))) {
    return { type: 'histogram', dataPoints: histogramPoints(field(d, 'dataPoints', 'data_points'), `${path}.histogram.dataPoints`), aggregationTemporality: temporality(d, `${path}.histogram`) };
  }
  if ((d = obj(field(o, 'exponentialHistogram', 'exponential_histogram'), `${path}.exponentialHistogram`))) {
    return {
      type: 'exponentialHistogram',
      dataPoints: exponentialPoints(field(d, 'dataPoints', 'data_points'), `${path}.exponentialHistogram.dataPoints`),
      aggregationTemporality: temporality(d, `${path}.exponentialHistogram`),
    };
  }
  if ((d = obj(o.summary, `${path}.summary`))) return { type: 'summary', dataPoints: summaryPoints(field(d, 'dataPoints', 'data_points'), `${path}.summary.dataPoints`) };
  return { type: 'empty' };
}

/** Converts a decoded protobuf message or a parsed OTLP/JSON object. */
export function readMetrics(root: unknown): OtlpMetrics {
  const o = obj(root, 'request') ?? {};
  return {
    resourceMetrics: list(field(o, 'resourceMetrics', 'resource_metrics'), 'resourceMetrics').map((rv, i) => {
      const p = `resourceMetrics[${i}]`;
      const r = obj(rv, p) ?? {};
      return {
        resource: readResource(r.resource, `${p}.resource`),
        schemaUrl: str(field(r, 'schemaUrl', 'schema_url'), `${p}.schemaUrl`),
        scopeMetrics: list(field(r, 'scopeMetrics', 'scope_metrics'), `${p}.scopeMetrics`).map((sv, j) => {
          const q = `${p}.scopeMetrics[${j}]`;
          const s = obj(sv, q) ?? {};
          return {
            scope: readScope(s.scope, `${q}.scope`),
            schemaUrl: str(field(s, 'schemaUrl', 'schema_url'), `${q}.schemaUrl`),
            metrics: list(s.metrics, `${q}.metrics`).map((mv, k) => {
              const mp = `${q}.metrics[${k}]`;
              const m = obj(mv, mp) ?? {};
              return {
                name: str(m.name, `${mp}.name`),
                description: str(m.description, `${mp}.description`),
                unit: str(m.unit, `${mp}.unit`),
                metadata: keyValues(m.metadata, `${mp}.metadata`),
                data: readData(m, mp),
              };
            }),
          };
        }),
      };
    }),
  };
}

/** Data points in a request (what partial_success counts as rejected). */
export function countDataPoints(m: OtlpMetrics): number {
  let n = 0;
  for (const r of m.resourceMetrics) for (const s of r.scopeMetrics) for (const x of s.metrics) if (x.data.type !== 'empty') n += x.data.dataPoints.length;
  return n;
}
