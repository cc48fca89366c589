import type { Exemplar, Labels, MetricMetadata } from '../../model/index.js';
import { METRIC_TYPE_NAMES, WriteRequestType } from './schema.js';
import { compressSnappyBlock } from './snappy-block.js';

export interface EncodableSeries {
  readonly labels: Labels;
  readonly timestamps: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly exemplars?: readonly Exemplar[];
}

/**
 * Encodes a remote write 1.0 request body (protobuf, then snappy block) with the protobufjs
 * schema. Staleness markers: protobufjs writes doubles through a Float64Array, which keeps
 * the NaN payload of a value read from one.
 */
export function encodeWriteRequest(series: readonly EncodableSeries[], metadata: readonly MetricMetadata[] = []): Buffer {
  const msg = {
    timeseries: series.map((s) => ({
      labels: s.labels.map((l) => ({ name: l.name, value: l.value })),
      samples: Array.from({ length: s.timestamps.length }, (_, i) => ({ value: s.values[i]!, timestamp: s.timestamps[i]! })),
      exemplars: (s.exemplars ?? []).map((e) => ({
        labels: Object.entries(e.labels).map(([name, value]) => ({ name, value })),
        value: e.value,
        timestamp: e.timestamp,
      })),
    })),
    metadata: metadata.map((m) => ({ type: Math.max(0, METRIC_TYPE_NAMES.indexOf(m.type)), metric_family_name: m.metric, help: m.help, unit: m.unit })),
  };
  return compressSnappyBlock(WriteRequestType.encode(WriteRequestType.fromObject(msg)).finish());
}
