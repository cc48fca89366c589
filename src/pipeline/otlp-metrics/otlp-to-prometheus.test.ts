import { describe, expect, it } from 'vitest';
import { isStaleAt, labelsToRecord } from '../../model/index.js';
import type { OtlpMetrics } from '../../receive/otlp/index.js';
import { DeltaAccumulator } from './delta-accumulator.js';
import { translateOtlpMetrics } from './otlp-to-prometheus.js';
import { formatFloat, prometheusLabelName, prometheusMetricName } from './prometheus-names.js';

describe('OTLP to Prometheus names', () => {
  it('normalises metric names with units and suffixes', () => {
    expect(prometheusMetricName('http.server.duration', 'ms', 'histogram')).toBe('http_server_duration_milliseconds');
    expect(prometheusMetricName('system.network.io', 'By/s', 'gauge')).toBe('system_network_io_bytes_per_second');
    expect(prometheusMetricName('requests.total', '{request}', 'counter')).toBe('requests_total');
    expect(prometheusMetricName('process.cpu.time', 's', 'counter')).toBe('process_cpu_time_seconds_total');
    expect(prometheusMetricName('latency_seconds', 's', 'gauge')).toBe('latency_seconds');
    expect(prometheusMetricName('cpu.utilization', '1', 'gauge')).toBe('cpu_utilization_ratio');
    expect(prometheusMetricName('cpu.utilization', '1', 'counter')).toBe('cpu_utilization_total');
    expect(prometheusMetricName('2xx.count', '', 'gauge')).toBe('_2xx_count');
    expect(prometheusMetricName('temp', 'Cel', 'gauge')).toBe('temp_celsius');
  });
  it('sanitises label names and formats bounds like Go', () => {
    expect(prometheusLabelName('http.method')).toBe('http_method');
    expect(prometheusLabelName('2xx')).toBe('key_2xx');
    expect(prometheusLabelName('_private')).toBe('key_private');
    expect(prometheusLabelName('__reserved')).toBe('__reserved');
    expect(formatFloat(0.005)).toBe('0.005');
    expect(formatFloat(1e21)).toBe('1000000000000000000000');
    expect(formatFloat(1e-7)).toBe('0.0000001');
    expect(formatFloat(Infinity)).toBe('+Inf');
  });
});

describe('OTLP metric translation', () => {
  const resource = { attributes: [{ key: 'service.name', value: { type: 'string', value: 'svc' } }], droppedAttributesCount: 0 };
  const scope = { name: 's', version: '', attributes: [], droppedAttributesCount: 0 };
  const base = { attributes: [], startTimeUnixNano: 1_000_000n, timeUnixNano: 2_000_000_000n, flags: 0 };

  it('summaries, exponential histograms as classic buckets, no-recorded-value as staleness, colliding keys joined', () => {
    const req = {
      resourceMetrics: [
        {
          resource,
          schemaUrl: '',
          scopeMetrics: [
            {
              scope,
              schemaUrl: '',
              metrics: [
                { name: 'rpc.latency', description: '', unit: 's', metadata: [], data: { type: 'summary', dataPoints: [{ ...base, count: 4, sum: 2, quantileValues: [{ quantile: 0.5, value: 0.4 }, { quantile: 0.99, value: 1.2 }] }] } },
                {
                  name: 'size',
                  description: '',
                  unit: 'By',
                  metadata: [],
                  data: {
                    type: 'exponentialHistogram',
                    aggregationTemporality: 2,
                    dataPoints: [{ ...base, count: 6, sum: 20, scale: 0, zeroCount: 1, zeroThreshold: 0, positive: { offset: 0, bucketCounts: [2, 3] }, negative: { offset: 0, bucketCounts: [] }, min: undefined, max: undefined, exemplars: [] }],
                  },
                },
                {
                  name: 'g',
                  description: '',
                  unit: '',
                  metadata: [],
                  data: {
                    type: 'gauge',
                    dataPoints: [
                      { ...base, attributes: [{ key: 'a.b', value: { type: 'string', value: '1' } }, { key: 'a_b', value: { type: 'string', value: '2' } }], value: 3, intValue: undefined, exemplars: [] },
                      { ...base, timeUnixNano: 3_000_000_000n, flags: 1, attributes: [{ key: 'a.b', value: { type: 'string', value: '1' } }, { key: 'a_b', value: { type: 'string', value: '2' } }], value: 0, intValue: undefined, exemplars: [] },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    } as unknown as OtlpMetrics;
    const out = translateOtlpMetrics(req, 't', new DeltaAccumulator());
    const by = new Map(out.series.map((s) => [JSON.stringify(labelsToRecord(s.labels)), s]));
    expect(by.get('{"__name__":"rpc_latency_seconds","job":"svc","quantile":"0.99"}')!.values[0]).toBe(1.2);
    expect(by.get('{"__name__":"rpc_latency_seconds_count","job":"svc"}')!.values[0]).toBe(4);
    // scale 0: buckets (1,2] and (2,4]; zero bucket up to 0.
    expect(by.get('{"__name__":"size_bytes_bucket","job":"svc","le":"0"}')!.values[0]).toBe(1);
    expect(by.get('{"__name__":"size_bytes_bucket","job":"svc","le":"2"}')!.values[0]).toBe(3);
    expect(by.get('{"__name__":"size_bytes_bucket","job":"svc","le":"4"}')!.values[0]).toBe(6);
    expect(by.get('{"__name__":"size_bytes_bucket","job":"svc","le":"+Inf"}')!.values[0]).toBe(6);
    const g = by.get('{"__name__":"g","a_b":"1;2","job":"svc"}')!;
    expect(Array.from(g.timestamps)).toEqual([2000, 3000]);
    expect(isStaleAt(g.values, 1)).toBe(true);
    expect(by.has('{"__name__":"target_info","job":"svc"}')).toBe(false);
  });
});
