import protobuf from 'protobufjs';

/**
 * The OTLP messages (opentelemetry-proto v1: common, resource, trace, metrics, logs and the
 * collector Export* services), written from the published .proto definitions as a
 * protobufjs JSON descriptor so no .proto file has to ship next to the build.
 * Field names are lowerCamelCase, as protobufjs and OTLP/JSON both use.
 */
type FieldDef = protobuf.IField & { rule?: string };
const f = (type: string, id: number, rule?: 'repeated'): FieldDef => (rule === undefined ? { type, id } : { type, id, rule });
const C = '.opentelemetry.proto.common.v1.';
const R = '.opentelemetry.proto.resource.v1.';
const T = '.opentelemetry.proto.trace.v1.';
const M = '.opentelemetry.proto.metrics.v1.';
const L = '.opentelemetry.proto.logs.v1.';

const common = {
  AnyValue: {
    oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
    fields: {
      stringValue: f('string', 1),
      boolValue: f('bool', 2),
      intValue: f('int64', 3),
      doubleValue: f('double', 4),
      arrayValue: f(`${C}ArrayValue`, 5),
      kvlistValue: f(`${C}KeyValueList`, 6),
      bytesValue: f('bytes', 7),
    },
  },
  ArrayValue: { fields: { values: f(`${C}AnyValue`, 1, 'repeated') } },
  KeyValueList: { fields: { values: f(`${C}KeyValue`, 1, 'repeated') } },
  KeyValue: { fields: { key: f('string', 1), value: f(`${C}AnyValue`, 2) } },
  InstrumentationScope: {
    fields: { name: f('string', 1), version: f('string', 2), attributes: f(`${C}KeyValue`, 3, 'repeated'), droppedAttributesCount: f('uint32', 4) },
  },
};

const resource = {
  Resource: { fields: { attributes: f(`${C}KeyValue`, 1, 'repeated'), droppedAttributesCount: f('uint32', 2) } },
};

const trace = {
  TracesData: { fields: { resourceSpans: f(`${T}ResourceSpans`, 1, 'repeated') } },
  ResourceSpans: { fields: { resource: f(`${R}Resource`, 1), scopeSpans: f(`${T}ScopeSpans`, 2, 'repeated'), schemaUrl: f('string', 3) } },
  ScopeSpans: { fields: { scope: f(`${C}InstrumentationScope`, 1), spans: f(`${T}Span`, 2, 'repeated'), schemaUrl: f('string', 3) } },
  Span: {
    fields: {
      traceId: f('bytes', 1),
      spanId: f('bytes', 2),
      traceState: f('string', 3),
      parentSpanId: f('bytes', 4),
      flags: f('fixed32', 16),
      name: f('string', 5),
      kind: f(`${T}Span.SpanKind`, 6),
      startTimeUnixNano: f('fixed64', 7),
      endTimeUnixNano: f('fixed64', 8),
      attributes: f(`${C}KeyValue`, 9, 'repeated'),
      droppedAttributesCount: f('uint32', 10),
      events: f(`${T}Span.Event`, 11, 'repeated'),
      droppedEventsCount: f('uint32', 12),
      links: f(`${T}Span.Link`, 13, 'repeated'),
      droppedLinksCount: f('uint32', 14),
      status: f(`${T}Status`, 15),
    },
    nested: {
      SpanKind: {
        values: {
          SPAN_KIND_UNSPECIFIED: 0,
          SPAN_KIND_INTERNAL: 1,
          SPAN_KIND_SERVER: 2,
          SPAN_KIND_CLIENT: 3,
          SPAN_KIND_PRODUCER: 4,
          SPAN_KIND_CONSUMER: 5,
        },
      },
      Event: {
        fields: { timeUnixNano: f('fixed64', 1), name: f('string', 2), attributes: f(`${C}KeyValue`, 3, 'repeated'), droppedAttributesCount: f('uint32', 4) },
      },
      Link: {
        fields: {
          traceId: f('bytes', 1),
          spanId: f('bytes', 2),
          traceState: f('string', 3),
          attributes: f(`${C}KeyValue`, 4, 'repeated'),
          droppedAttributesCount: f('uint32', 5),
          flags: f('fixed32', 6),
        },
      },
    },
  },
  Status: {
    fields: { message: f('string', 2), code: f(`${T}Status.StatusCode`, 3) },
    nested: { StatusCode: { values: { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 } } },
  },
};

const number = { asDouble: f('double', 4), asInt: f('sfixed64', 6) };
const metrics = {
  MetricsData: { fields: { resourceMetrics: f(`${M}ResourceMetrics`, 1, 'repeated') } },
  ResourceMetrics: { fields: { resource: f(`${R}Resource`, 1), scopeMetrics: f(`${M}ScopeMetrics`, 2, 'repeated'), schemaUrl: f('string', 3) } },
  ScopeMetrics: { fields: { scope: f(`${C}InstrumentationScope`, 1), metrics: f(`${M}Metric`, 2, 'repeated'), schemaUrl: f('string', 3) } },
  Metric: {
    oneofs: { data: { oneof: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] } },
    fields: {
      name: f('string', 1),
      description: f('string', 2),
      unit: f('string', 3),
      gauge: f(`${M}Gauge`, 5),
      sum: f(`${M}Sum`, 7),
      histogram: f(`${M}Histogram`, 9),
      exponentialHistogram: f(`${M}ExponentialHistogram`, 10),
      summary: f(`${M}Summary`, 11),
      metadata: f(`${C}KeyValue`, 12, 'repeated'),
    },
  },
  Gauge: { fields: { dataPoints: f(`${M}NumberDataPoint`, 1, 'repeated') } },
  Sum: { fields: { dataPoints: f(`${M}NumberDataPoint`, 1, 'repeated'), aggregationTemporality: f(`${M}AggregationTemporality`, 2), isMonotonic: f('bool', 3) } },
  Histogram: { fields: { dataPoints: f(`${M}HistogramDataPoint`, 1, 'repeated'), aggregationTemporality: f(`${M}AggregationTemporality`, 2) } },
  ExponentialHistogram: {
    fields: { dataPoints: f(`${M}ExponentialHistogramDataPoint`, 1, 'repeated'), aggregationTemporality: f(`${M}AggregationTemporality`, 2) },
  },
  Summary: { fields: { dataPoints: f(`${M}SummaryDataPoint`, 1, 'repeated') } },
  AggregationTemporality: { values: { AGGREGATION_TEMPORALITY_UNSPECIFIED: 0, AGGREGATION_TEMPORALITY_DELTA: 1, AGGREGATION_TEMPORALITY_CUMULATIVE: 2 } },
  NumberDataPoint: {
    oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
    fields: {
      attributes: f(`${C}KeyValue`, 7, 'repeated'),
      startTimeUnixNano: f('fixed64', 2),
      timeUnixNano: f('fixed64', 3),
      ...number,
      exemplars: f(`${M}Exemplar`, 5, 'repeated'),
      flags: f('uint32', 8),
    },
  },
  HistogramDataPoint: {
    oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
    fields: {
      attributes: f(`${C}KeyValue`, 9, 'repeated'),
      startTimeUnixNano: f('fixed64', 2),
      timeUnixNano: f('fixed64', 3),
      count: f('fixed64', 4),
      sum: { type: 'double', id: 5, options: { proto3_optional: true } },
      bucketCounts: f('fixed64', 6, 'repeated'),
      explicitBounds: f('double', 7, 'repeated'),
      exemplars: f(`${M}Exemplar`, 8, 'repeated'),
      flags: f('uint32', 10),
      min: { type: 'double', id: 11, options: { proto3_optional: true } },
      max: { type: 'double', id: 12, options: { proto3_optional: true } },
    },
  },
  ExponentialHistogramDataPoint: {
    oneofs: { _sum: { oneof: ['sum'] }, _min: { oneof: ['min'] }, _max: { oneof: ['max'] } },
    fields: {
      attributes: f(`${C}KeyValue`, 1, 'repeated'),
      startTimeUnixNano: f('fixed64', 2),
      timeUnixNano: f('fixed64', 3),
      count: f('fixed64', 4),
      sum: { type: 'double', id: 5, options: { proto3_optional: true } },
      scale: f('sint32', 6),
      zeroCount: f('fixed64', 7),
      positive: f(`${M}ExponentialHistogramDataPoint.Buckets`, 8),
      negative: f(`${M}ExponentialHistogramDataPoint.Buckets`, 9),
      flags: f('uint32', 10),
      exemplars: f(`${M}Exemplar`, 11, 'repeated'),
      min: { type: 'double', id: 12, options: { proto3_optional: true } },
      max: { type: 'double', id: 13, options: { proto3_optional: true } },
      zeroThreshold: f('double', 14),
    },
    nested: { Buckets: { fields: { offset: f('sint32', 1), bucketCounts: f('uint64', 2, 'repeated') } } },
  },
  SummaryDataPoint: {
    fields: {
      attributes: f(`${C}KeyValue`, 7, 'repeated'),
      startTimeUnixNano: f('fixed64', 2),
      timeUnixNano: f('fixed64', 3),
      count: f('fixed64', 4),
      sum: f('double', 5),
      quantileValues: f(`${M}SummaryDataPoint.ValueAtQuantile`, 6, 'repeated'),
      flags: f('uint32', 8),
    },
    nested: { ValueAtQuantile: { fields: { quantile: f('double', 1), value: f('double', 2) } } },
  },
  Exemplar: {
    oneofs: { value: { oneof: ['asDouble', 'asInt'] } },
    fields: {
      filteredAttributes: f(`${C}KeyValue`, 7, 'repeated'),
      timeUnixNano: f('fixed64', 2),
      asDouble: f('double', 3),
      asInt: f('sfixed64', 6),
      spanId: f('bytes', 4),
      traceId: f('bytes', 5),
    },
  },
};

const logs = {
  LogsData: { fields: { resourceLogs: f(`${L}ResourceLogs`, 1, 'repeated') } },
  ResourceLogs: { fields: { resource: f(`${R}Resource`, 1), scopeLogs: f(`${L}ScopeLogs`, 2, 'repeated'), schemaUrl: f('string', 3) } },
  ScopeLogs: { fields: { scope: f(`${C}InstrumentationScope`, 1), logRecords: f(`${L}LogRecord`, 2, 'repeated'), schemaUrl: f('string', 3) } },
  LogRecord: {
    fields: {
      timeUnixNano: f('fixed64', 1),
      observedTimeUnixNano: f('fixed64', 11),
      severityNumber: f('int32', 2),
      severityText: f('string', 3),
      body: f(`${C}AnyValue`, 5),
      attributes: f(`${C}KeyValue`, 6, 'repeated'),
      droppedAttributesCount: f('uint32', 7),
      flags: f('fixed32', 8),
      traceId: f('bytes', 9),
      spanId: f('bytes', 10),
      eventName: f('string', 12),
    },
  },
};

const partial = (rejectedField: string): protobuf.IType => ({ fields: { [rejectedField]: f('int64', 1), errorMessage: f('string', 2) } });
const collector = {
  trace: {
    nested: {
      v1: {
        nested: {
          ExportTraceServiceRequest: { fields: { resourceSpans: f(`${T}ResourceSpans`, 1, 'repeated') } },
          ExportTraceServiceResponse: { fields: { partialSuccess: f('.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess', 1) } },
          ExportTracePartialSuccess: partial('rejectedSpans'),
        },
      },
    },
  },
  metrics: {
    nested: {
      v1: {
        nested: {
          ExportMetricsServiceRequest: { fields: { resourceMetrics: f(`${M}ResourceMetrics`, 1, 'repeated') } },
          ExportMetricsServiceResponse: { fields: { partialSuccess: f('.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess', 1) } },
          ExportMetricsPartialSuccess: partial('rejectedDataPoints'),
        },
      },
    },
  },
  logs: {
    nested: {
      v1: {
        nested: {
          ExportLogsServiceRequest: { fields: { resourceLogs: f(`${L}ResourceLogs`, 1, 'repeated') } },
          ExportLogsServiceResponse: { fields: { partialSuccess: f('.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess', 1) } },
          ExportLogsPartialSuccess: partial('rejectedLogRecords'),
        },
      },
    },
  },
};

const descriptor = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: { nested: { v1: { nested: common } } },
            resource: { nested: { v1: { nested: resource } } },
            trace: { nested: { v1: { nested: trace } } },
            metrics: { nested: { v1: { nested: metrics } } },
            logs: { nested: { v1: { nested: logs } } },
            collector: { nested: collector },
          },
        },
      },
    },
  },
};
// The literal is checked by protobufjs when loading; its TS types are too narrow for it.
const root = protobuf.Root.fromJSON(descriptor as unknown as protobuf.INamespace);

const type = (name: string): protobuf.Type => root.lookupType(name);

/** The message types the receivers and encoders use. */
export const otlpTypes = {
  tracesData: type('opentelemetry.proto.trace.v1.TracesData'),
  traceRequest: type('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
  traceResponse: type('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
  metricsRequest: type('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
  metricsResponse: type('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
  logsRequest: type('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
  logsResponse: type('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
  resourceSpans: type('opentelemetry.proto.trace.v1.ResourceSpans'),
} as const;

export { root as otlpRoot };
