import protobuf from 'protobufjs';
import snappy from 'snappy';

/**
 * A remote write 2.0 encoder for tests: `io.prometheus.write.v2.Request` written out from the
 * spec's types.proto as a protobufjs schema (no RW2 sender runs on this machine: Prometheus
 * 2.42 and vmagent 1.79 predate it). Kept apart from src/ so the receiver's hand-written
 * decoder is checked against an independent encoding.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    io: {
      nested: {
        prometheus: {
          nested: {
            write: {
              nested: {
                v2: {
                  nested: {
                    Request: {
                      fields: {
                        symbols: { rule: 'repeated', type: 'string', id: 4 },
                        timeseries: { rule: 'repeated', type: 'TimeSeries', id: 5 },
                      },
                    },
                    TimeSeries: {
                      fields: {
                        labels_refs: { rule: 'repeated', type: 'uint32', id: 1 },
                        samples: { rule: 'repeated', type: 'Sample', id: 2 },
                        histograms: { rule: 'repeated', type: 'Histogram', id: 3 },
                        exemplars: { rule: 'repeated', type: 'Exemplar', id: 4 },
                        metadata: { type: 'Metadata', id: 5 },
                        created_timestamp: { type: 'int64', id: 6 },
                      },
                    },
                    Exemplar: {
                      fields: {
                        labels_refs: { rule: 'repeated', type: 'uint32', id: 1 },
                        value: { type: 'double', id: 2 },
                        timestamp: { type: 'int64', id: 3 },
                      },
                    },
                    Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
                    Metadata: {
                      fields: { type: { type: 'uint32', id: 1 }, help_ref: { type: 'uint32', id: 3 }, unit_ref: { type: 'uint32', id: 4 } },
                    },
                    Histogram: {
                      fields: {
                        count_int: { type: 'uint64', id: 1 },
                        sum: { type: 'double', id: 3 },
                        schema: { type: 'sint32', id: 4 },
                        zero_threshold: { type: 'double', id: 5 },
                        zero_count_int: { type: 'uint64', id: 6 },
                        positive_spans: { rule: 'repeated', type: 'BucketSpan', id: 11 },
                        positive_deltas: { rule: 'repeated', type: 'sint64', id: 12 },
                        timestamp: { type: 'int64', id: 15 },
                      },
                    },
                    BucketSpan: { fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});

export const RequestV2 = root.lookupType('io.prometheus.write.v2.Request');

export const RW2_CONTENT_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

export interface V2Series {
  readonly labels: Record<string, string>;
  readonly samples?: ReadonlyArray<{ value: number; timestamp: number }>;
  readonly histograms?: ReadonlyArray<{ count: number; sum: number; timestamp: number }>;
  readonly exemplars?: ReadonlyArray<{ labels: Record<string, string>; value: number; timestamp: number }>;
  /** Metric type number (METRIC_TYPE_COUNTER = 1, …), help, unit. */
  readonly metadata?: { type: number; help: string; unit: string };
}

/** Builds the symbols table (first entry "") and refs the way a sender would. */
export function buildRequestV2(series: readonly V2Series[]): Record<string, unknown> {
  const symbols = [''];
  const index = new Map<string, number>([['', 0]]);
  const ref = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      index.set(s, i);
    }
    return i;
  };
  const refs = (labels: Record<string, string>): number[] =>
    Object.keys(labels)
      .sort()
      .flatMap((k) => [ref(k), ref(labels[k]!)]);
  const timeseries = series.map((s) => ({
    labels_refs: refs(s.labels),
    samples: s.samples ?? [],
    histograms: (s.histograms ?? []).map((h) => ({ count_int: h.count, sum: h.sum, schema: 0, zero_threshold: 0, zero_count_int: 0, positive_spans: [{ offset: 0, length: 1 }], positive_deltas: [h.count], timestamp: h.timestamp })),
    exemplars: (s.exemplars ?? []).map((e) => ({ labels_refs: refs(e.labels), value: e.value, timestamp: e.timestamp })),
    ...(s.metadata ? { metadata: { type: s.metadata.type, help_ref: ref(s.metadata.help), unit_ref: ref(s.metadata.unit) } } : {}),
  }));
  return { symbols, timeseries };
}

export function encodeRequestV2(message: Record<string, unknown>): Buffer {
  return snappy.compressSync(Buffer.from(RequestV2.encode(RequestV2.fromObject(message)).finish()));
}
