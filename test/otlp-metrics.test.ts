import { Metadata } from '@grpc/grpc-js';
import { OTLPMetricExporter as GrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpEndpoints } from '../src/api/otlp/index.js';
import { isStaleAt, labelsToRecord } from '../src/model/index.js';
import { metricStoreOf, selectAll } from './support/metrics.js';
import { startTestServer, type TestServer } from './support/server.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.stop();
});

/** Records the same instruments through one exporter; `rounds` exports with one increment each. */
async function record(exporter: PushMetricExporter, instance: string, rounds = 1): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': instance, 'host.name': 'h1', 'deployment.environment': 'test' }),
    readers: [reader],
  });
  const meter = provider.getMeter('otlp-metrics-test', '1.0.0');
  const requests = meter.createCounter('http.server.requests', { unit: '{request}', description: 'Requests served.' });
  const bytes = meter.createCounter('network.io', { unit: 'By' });
  const queue = meter.createUpDownCounter('queue.size');
  const util = meter.createGauge('cpu.utilization', { unit: '1' });
  const latency = meter.createHistogram('http.server.duration', { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } });
  for (let r = 0; r < rounds; r++) {
    requests.add(2, { 'http.method': 'GET', 'http.status_code': 200 });
    requests.add(1, { 'http.method': 'POST', 'http.status_code': 500 });
    bytes.add(1024);
    queue.add(r === 0 ? 5 : -2);
    util.record(0.25);
    latency.record(5, { route: '/a' });
    latency.record(50, { route: '/a' });
    latency.record(5000, { route: '/a' });
    await provider.forceFlush();
  }
  await provider.shutdown();
}

async function seriesOf(instance: string): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const s of await selectAll(metricStoreOf(ts.server), 'default', [{ name: 'instance', type: '=', value: instance }])) {
    const rec = labelsToRecord(s.labels);
    const name = rec.__name__!;
    delete rec.__name__;
    delete rec.instance;
    delete rec.job;
    const vals: number[] = [];
    for (let i = 0; i < s.values.length; i++) if (!isStaleAt(s.values, i)) vals.push(s.values[i]!);
    out.set(`${name}${JSON.stringify(rec)}`, vals);
  }
  return out;
}

function expectPrometheusNames(series: Map<string, number[]>, last: (k: string) => number): void {
  expect(last('http_server_requests_total{"http_method":"GET","http_status_code":"200"}')).toBe(2);
  expect(last('http_server_requests_total{"http_method":"POST","http_status_code":"500"}')).toBe(1);
  expect(last('network_io_bytes_total{}')).toBe(1024);
  expect(last('queue_size{}')).toBe(5);
  expect(last('cpu_utilization_ratio{}')).toBe(0.25);
  expect(last('http_server_duration_milliseconds_bucket{"le":"10","route":"/a"}')).toBe(1);
  expect(last('http_server_duration_milliseconds_bucket{"le":"100","route":"/a"}')).toBe(2);
  expect(last('http_server_duration_milliseconds_bucket{"le":"1000","route":"/a"}')).toBe(2);
  expect(last('http_server_duration_milliseconds_bucket{"le":"+Inf","route":"/a"}')).toBe(3);
  expect(last('http_server_duration_milliseconds_sum{"route":"/a"}')).toBe(5055);
  expect(last('http_server_duration_milliseconds_count{"route":"/a"}')).toBe(3);
  expect(last('target_info{"deployment_environment":"test","host_name":"h1"}')).toBe(1);
  expect(series.size).toBe(12);
}

describe('OTLP metrics from the OpenTelemetry JS SDK exporters', () => {
  it('HTTP/protobuf: Prometheus names, job/instance from service.*, target_info, metadata', async () => {
    const headers = { authorization: `Bearer ${ts.adminToken}` };
    await record(new ProtoExporter({ url: `${ts.url}/v1/metrics`, headers }), 'proto-1');
    const series = await seriesOf('proto-1');
    const last = (k: string): number => {
      const v = series.get(k);
      if (!v) throw new Error(`missing ${k}; have ${[...series.keys()].join(' ')}`);
      return v[v.length - 1]!;
    };
    expectPrometheusNames(series, last);
    const job = await ts.fetch(`/api/v1/label/job/values?match[]=${encodeURIComponent('{instance="proto-1"}')}`);
    expect(((await job.json()) as { data: string[] }).data).toEqual(['shop/checkout']);
    const meta = (await (await ts.fetch('/api/v1/metadata')).json()) as { data: Record<string, unknown> };
    expect(meta.data.http_server_requests_total).toEqual([{ type: 'counter', help: 'Requests served.', unit: '' }]);
    expect(meta.data.http_server_duration_milliseconds).toEqual([{ type: 'histogram', help: '', unit: 'milliseconds' }]);
    expect(meta.data.queue_size).toEqual([{ type: 'gauge', help: '', unit: '' }]);
  });

  it('HTTP/JSON with delta temporality: totals become cumulative', async () => {
    const exporter = new JsonExporter({ url: `${ts.url}/v1/metrics`, headers: { authorization: `Bearer ${ts.adminToken}` }, temporalityPreference: AggregationTemporalityPreference.DELTA });
    await record(exporter, 'json-delta', 3);
    const series = await seriesOf('json-delta');
    expect(series.get('http_server_requests_total{"http_method":"GET","http_status_code":"200"}')).toEqual([2, 4, 6]);
    expect(series.get('network_io_bytes_total{}')).toEqual([1024, 2048, 3072]);
    expect(series.get('http_server_duration_milliseconds_count{"route":"/a"}')).toEqual([3, 6, 9]);
    expect(series.get('http_server_duration_milliseconds_bucket{"le":"100","route":"/a"}')).toEqual([2, 4, 6]);
    // An up-down counter stays cumulative in the SDK's DELTA preference.
    expect(series.get('queue_size{}')!.slice(0, 3)).toEqual([5, 3, 1]);
  });

  it('gRPC with the token in metadata', async () => {
    const endpoints = ts.server.modules.find((m): m is OtlpEndpoints => m instanceof OtlpEndpoints)!;
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${ts.adminToken}`);
    await record(new GrpcExporter({ url: `http://127.0.0.1:${endpoints.grpcPort}`, metadata }), 'grpc-1');
    const series = await seriesOf('grpc-1');
    expectPrometheusNames(series, (k) => {
      const v = series.get(k);
      if (!v) throw new Error(`missing ${k}`);
      return v[v.length - 1]!;
    });
  });
});
