import { Metadata } from '@grpc/grpc-js';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import protobuf from 'protobufjs';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpEndpoints } from '../src/api/otlp/index.js';
import { startTestServer, type TestServer } from './support/server.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

let ts: TestServer;
let endpoints: OtlpEndpoints;
beforeAll(async () => {
  ts = await startTestServer();
  endpoints = ts.server.modules.find((m): m is OtlpEndpoints => m instanceof OtlpEndpoints)!;
});
afterAll(async () => {
  await ts?.stop();
});

/** Emits the same three records through one exporter, as an instrumented service would. */
async function emit(exporter: LogRecordExporter, instance: string): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'service.namespace': 'shop',
      'service.instance.id': instance,
      'k8s.pod.name': 'checkout-7d9f',
      'host.name': 'node-1',
      'process.pid': 4242,
    }),
    processors: [new SimpleLogRecordProcessor(exporter)],
  });
  const logger = provider.getLogger('otlp-logs-test', '1.0.0');
  const inSpan = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  logger.emit({
    body: 'order placed',
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    attributes: { 'order.id': 42, 'http.route': '/cart', user: { id: 'u1', tier: 'gold' }, ok: true },
    context: inSpan,
  });
  logger.emit({ body: { msg: 'db slow', 'took<ms>': 12.5, tags: ['a', 'b'] }, severityNumber: SeverityNumber.WARN2 });
  logger.emit({ body: 'payment failed', severityNumber: SeverityNumber.ERROR, severityText: 'Error' });
  await provider.forceFlush();
  await provider.shutdown();
}

interface Stream {
  stream: Record<string, string>;
  values: Array<[string, string]>;
}

async function streamsOf(selector: string): Promise<Stream[]> {
  const end = BigInt(Date.now() + 60_000) * 1_000_000n;
  const res = await ts.fetch(`/loki/api/v1/query_range?query=${encodeURIComponent(selector)}&start=${end - 3_600_000_000_000n}&end=${end}&limit=100`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { result: Stream[] } }).data.result;
}

function byLine(streams: Stream[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const s of streams) for (const [, line] of s.values) out.set(line, s.stream);
  return out;
}

async function expectMapped(instance: string): Promise<void> {
  // Stream labels: the index resource attributes only, dots as underscores.
  const series = await ts.fetch(`/loki/api/v1/series?match[]=${encodeURIComponent(`{service_instance_id="${instance}"}`)}`);
  expect(((await series.json()) as { data: unknown[] }).data).toEqual([
    { k8s_pod_name: 'checkout-7d9f', service_instance_id: instance, service_name: 'checkout', service_namespace: 'shop' },
  ]);
  const lines = byLine(await streamsOf(`{service_name="checkout", service_instance_id="${instance}"}`));
  expect([...lines.keys()].sort()).toEqual(['order placed', 'payment failed', '{"msg":"db slow","tags":["a","b"],"took\\u003cms\\u003e":12.5}']);
  const placed = lines.get('order placed')!;
  // Without the categorize-labels header Loki shows stream labels plus structured metadata.
  expect(placed).toMatchObject({
    service_name: 'checkout',
    host_name: 'node-1',
    process_pid: '4242',
    order_id: '42',
    http_route: '/cart',
    user_id: 'u1',
    user_tier: 'gold',
    ok: 'true',
    severity_number: '9',
    severity_text: 'INFO',
    detected_level: 'info',
    trace_id: TRACE_ID,
    span_id: SPAN_ID,
    flags: '1',
    scope_name: 'otlp-logs-test',
    scope_version: '1.0.0',
  });
  expect(placed.observed_timestamp).toMatch(/^\d{19}$/);
  expect(lines.get('{"msg":"db slow","tags":["a","b"],"took\\u003cms\\u003e":12.5}')).toMatchObject({ severity_number: '14', detected_level: 'warn' });
  expect(lines.get('payment failed')).toMatchObject({ severity_text: 'Error', detected_level: 'error' });
  // Metadata filters like a label, and finds the line of a trace.
  const traced = await streamsOf(`{service_instance_id="${instance}"} | trace_id="${TRACE_ID}"`);
  expect(traced.flatMap((s) => s.values.map((v) => v[1]))).toEqual(['order placed']);
}

describe('OTLP logs from the OpenTelemetry JS SDK exporters', () => {
  it('HTTP/protobuf on Loki\'s /otlp/v1/logs (main port)', async () => {
    await emit(new ProtoExporter({ url: `${ts.url}/otlp/v1/logs`, headers: { authorization: `Bearer ${ts.adminToken}` } }), 'proto-1');
    await expectMapped('proto-1');
  });

  it('HTTP/JSON on /v1/logs of the OTLP/HTTP listener', async () => {
    await emit(new JsonExporter({ url: `http://127.0.0.1:${endpoints.httpPort}/v1/logs`, headers: { authorization: `Bearer ${ts.adminToken}` } }), 'json-1');
    await expectMapped('json-1');
  });

  it('gRPC LogsService with the token in metadata', async () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${ts.adminToken}`);
    await emit(new GrpcExporter({ url: `http://127.0.0.1:${endpoints.grpcPort}`, metadata }), 'grpc-1');
    await expectMapped('grpc-1');
  });
});

describe('OTLP logs: resources without a service, and bad input', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    ts.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const nowNs = (): string => String(BigInt(Date.now()) * 1_000_000n);

  it('names a resource without service.name unknown_service, or after a known label', async () => {
    const res = await post('/v1/logs', {
      resourceLogs: [
        { resource: { attributes: [{ key: 'host.name', value: { stringValue: 'bare' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: nowNs(), body: { stringValue: 'no service here' } }] }] },
        {
          resource: { attributes: [{ key: 'k8s.container.name', value: { stringValue: 'sidecar' } }] },
          scopeLogs: [{ logRecords: [{ observedTimeUnixNano: nowNs(), body: { intValue: '7' } }] }],
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const bare = await streamsOf('{service_name="unknown_service"} |= "no service here"');
    expect(bare[0]!.stream).toMatchObject({ service_name: 'unknown_service', host_name: 'bare', detected_level: 'unknown' });
    const side = await streamsOf('{service_name="sidecar"}');
    expect(side.map((s) => [s.stream.k8s_container_name, s.stream.observed_timestamp, s.values.map((v) => v[1])])).toEqual([['sidecar', undefined, ['7']]]);
  });

  it('refuses garbage with 400 naming the problem, in the request\'s encoding', async () => {
    const garbage = await ts.fetch('/v1/logs', { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0x0a, 0xff, 0xff, 0xff]) });
    expect(garbage.status).toBe(400);
    const Status = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
    new protobuf.Root().define('google.rpc').add(Status);
    const status = Status.decode(Buffer.from(await garbage.arrayBuffer())) as unknown as { code: number; message: string };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/cannot decode the OTLP logs protobuf body/);
    const wrongType = await post('/otlp/v1/logs', { resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 'LOUD' }] }] }] });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { message: string }).message).toMatch(/resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.severityNumber/);
    const text = await ts.fetch('/v1/logs', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(text.status).toBe(415);
    const anonymous = await fetch(`${ts.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
  });

  it('stores what it can and reports the rest as a partial success; all refused is 400', async () => {
    const old = String((BigInt(Date.now()) - 30n * 24n * 3_600_000n) * 1_000_000n);
    const records = (lines: Array<[string, string]>) => ({
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial' } }] }, scopeLogs: [{ logRecords: lines.map(([t, b]) => ({ timeUnixNano: t, body: { stringValue: b } })) }] }],
    });
    const mixed = await post('/v1/logs', records([[old, 'too old'], [nowNs(), 'kept']]));
    expect(mixed.status).toBe(200);
    const body = (await mixed.json()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedLogRecords).toBe('1');
    expect(body.partialSuccess.errorMessage).toMatch(/timestamp too old/);
    const allOld = await post('/v1/logs', records([[old, 'also too old']]));
    expect(allOld.status).toBe(400);
    expect(((await allOld.json()) as { message: string }).message).toMatch(/no log record was accepted:\n.*timestamp too old/);
    const kept = await streamsOf('{service_name="partial"}');
    expect(kept.flatMap((s) => s.values.map((v) => v[1]))).toEqual(['kept']);
  });
});
