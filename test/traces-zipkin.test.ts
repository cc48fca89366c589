import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  events?: Array<{ name: string; timeUnixNano: string; attributes?: Array<{ key: string; value: Record<string, unknown> }> }>;
  links?: Array<{ traceId: string; spanId: string; attributes?: Array<{ key: string; value: Record<string, unknown> }> }>;
  status?: { code?: string; message?: string };
  traceState?: string;
}
interface JsonTrace {
  trace: { resourceSpans?: Array<{ resource: { attributes?: Array<{ key: string; value: Record<string, unknown> }> }; scopeSpans: Array<{ scope?: { name?: string; version?: string }; spans: JsonSpan[] }> }> };
}

const b64hex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');
const attrs = (list: Array<{ key: string; value: Record<string, unknown> }> | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map((a) => [a.key, Object.values(a.value)[0]]));

describe('Zipkin v2 JSON on POST /api/v2/spans', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts.stop();
  });

  async function getTrace(id: string): Promise<JsonTrace> {
    const res = await ts.fetch(`/api/v2/traces/${id}`);
    expect(res.status).toBe(200);
    return (await res.json()) as JsonTrace;
  }

  it('stores what the real @opentelemetry/exporter-zipkin sends, mapped as the collector zipkin receiver maps it', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'web-1', 'k8s.pod.name': 'checkout-7f9' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('zipkin-test');
    const parent = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, attributes: { 'http.status_code': 500, cached: false } });
    const child = tracer.startSpan('SELECT carts', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), parent));
    child.addEvent('retry');
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'db down' });
    child.end();
    const local = tracer.startSpan('render', {}, trace.setSpan(context.active(), parent));
    local.end();
    parent.setStatus({ code: SpanStatusCode.OK });
    parent.end();
    await provider.forceFlush();
    const spans: ReadableSpan[] = memory.getFinishedSpans();

    const exporter = new ZipkinExporter({ url: `${ts.url}/api/v2/spans`, headers: { authorization: `Bearer ${ts.adminToken}` } });
    const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    expect(result.code, String(result.error)).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();

    const traceId = spans[0]!.spanContext().traceId;
    const got = await getTrace(traceId);
    const rss = got.trace.resourceSpans!;
    expect(rss).toHaveLength(1);
    // Resource-convention tags move onto the resource; they are not span attributes.
    expect(attrs(rss[0]!.resource.attributes)).toEqual({ 'service.name': 'checkout', 'host.name': 'web-1', 'k8s.pod.name': 'checkout-7f9' });
    const byName = new Map(rss[0]!.scopeSpans.flatMap((s) => s.spans).map((s) => [s.name, s]));
    const server = byName.get('GET /cart')!;
    const client = byName.get('SELECT carts')!;
    const internal = byName.get('render')!;
    const sdk = new Map(spans.map((s) => [s.name, s]));
    expect(b64hex(server.traceId)).toBe(traceId);
    expect(b64hex(server.spanId)).toBe(sdk.get('GET /cart')!.spanContext().spanId);
    expect(b64hex(client.parentSpanId!)).toBe(b64hex(server.spanId));
    expect(server.kind).toBe('SPAN_KIND_SERVER');
    expect(client.kind).toBe('SPAN_KIND_CLIENT');
    // Zipkin has no internal kind: the exporter leaves it out and the receiver makes it unspecified.
    expect(internal.kind ?? 'SPAN_KIND_UNSPECIFIED').toBe('SPAN_KIND_UNSPECIFIED');
    // Zipkin tags are strings; the exporter's otel.status_code "OK" is not a code the receiver knows.
    expect(attrs(server.attributes)).toEqual({ 'http.status_code': '500', cached: 'false' });
    expect(server.status?.code ?? 'STATUS_CODE_UNSET').toBe('STATUS_CODE_UNSET');
    // The exporter writes the error message into the `error` tag: an error status, the tag kept.
    expect(client.status?.code).toBe('STATUS_CODE_ERROR');
    expect(attrs(client.attributes)).toEqual({ error: 'db down' });
    expect(client.events?.map((e) => e.name)).toEqual(['retry']);
    // Microsecond precision survives.
    const sdkStartUs = BigInt(sdk.get('GET /cart')!.startTime[0]) * 1_000_000n + BigInt(Math.floor(sdk.get('GET /cart')!.startTime[1] / 1000));
    expect(BigInt(server.startTimeUnixNano) / 1000n - sdkStartUs).toBeLessThanOrEqual(1n);

    // Searchable with TraceQL like any OTLP span.
    const search = await ts.fetch(`/api/search?${new URLSearchParams({ q: '{ resource.service.name = "checkout" && status = error }' }).toString()}`);
    const body = (await search.json()) as { traces: Array<{ traceID: string; spanSets: Array<{ spans: Array<{ spanID: string }> }> }> };
    expect(body.traces.map((t) => t.traceID.padStart(32, '0'))).toEqual([traceId]);
    expect(body.traces[0]!.spanSets[0]!.spans.map((s) => s.spanID)).toEqual([sdk.get('SELECT carts')!.spanContext().spanId]);
  });

  it('maps endpoints, annotations with attributes, links, shared spans, status tags and short ids', async () => {
    const nowUs = Date.now() * 1000;
    const spans = [
      {
        traceId: '463ac35c9f6413ad',
        id: 'a2fb4a1d1a96d312',
        name: 'get /api',
        kind: 'SERVER',
        timestamp: nowUs,
        duration: 2500,
        shared: true,
        localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.7', port: 8080 },
        remoteEndpoint: { serviceName: 'browser', ipv6: '2001:db8::1', port: 443 },
        annotations: [
          { timestamp: nowUs + 100, value: 'cache miss' },
          { timestamp: nowUs + 200, value: 'retry|{"attempt":2,"ratio":0.5,"ok":true,"who":"a|b"}|1' },
        ],
        tags: {
          'otel.status_code': 'STATUS_CODE_ERROR',
          'otel.status_description': 'upstream failed',
          'otel.library.name': 'zipkin-js',
          'otel.library.version': '0.22.0',
          'w3c.tracestate': 'vendor=1',
          'otlp.link.0': '0af7651916cd43dd8448eb211c80319c|b7ad6b7169203331||{"reason":"follows"}|0',
          'deployment.environment': 'prod',
          'http.path': '/api',
        },
      },
      { traceId: '463ac35c9f6413ad', parentId: 'a2fb4a1d1a96d312', id: '0000000000000b0b', name: 'lookup', timestamp: nowUs + 300, duration: 10, tags: { 'span.kind': 'internal', error: 'true' } },
    ];
    const res = await ts.fetch('/api/v2/spans', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spans) });
    expect(res.status).toBe(202);
    const got = await getTrace('463ac35c9f6413ad');
    const rss = got.trace.resourceSpans!;
    const frontend = rss.find((r) => attrs(r.resource.attributes)['service.name'] === 'frontend')!;
    expect(attrs(frontend.resource.attributes)).toEqual({ 'service.name': 'frontend', 'deployment.environment': 'prod' });
    expect(frontend.scopeSpans[0]!.scope).toMatchObject({ name: 'zipkin-js', version: '0.22.0' });
    const server = frontend.scopeSpans[0]!.spans[0]!;
    expect(b64hex(server.traceId)).toBe('0000000000000000463ac35c9f6413ad');
    expect(server.traceState).toBe('vendor=1');
    expect(server.status).toEqual({ code: 'STATUS_CODE_ERROR', message: 'upstream failed' });
    expect(BigInt(server.endTimeUnixNano) - BigInt(server.startTimeUnixNano)).toBe(2_500_000n);
    expect(attrs(server.attributes)).toEqual({ 'http.path': '/api', 'net.host.ip': '10.0.0.7', 'net.host.port': '8080', 'peer.service': 'browser', 'net.peer.ip': '2001:db8::1', 'net.peer.port': '443' });
    expect(server.events).toEqual([
      { name: 'cache miss', timeUnixNano: String(BigInt(nowUs + 100) * 1000n) },
      { name: 'retry', timeUnixNano: String(BigInt(nowUs + 200) * 1000n), attributes: expect.any(Array), droppedAttributesCount: 1 },
    ]);
    expect(attrs(server.events![1]!.attributes)).toEqual({ attempt: '2', ratio: 0.5, ok: true, who: 'a|b' });
    expect(server.links?.map((l) => ({ t: b64hex(l.traceId), s: b64hex(l.spanId), a: attrs(l.attributes) }))).toEqual([{ t: '0af7651916cd43dd8448eb211c80319c', s: 'b7ad6b7169203331', a: { reason: 'follows' } }]);
    // No localEndpoint: a resource without service.name.
    const other = rss.find((r) => attrs(r.resource.attributes)['service.name'] === undefined)!;
    const lookup = other.scopeSpans[0]!.spans[0]!;
    expect(lookup.kind).toBe('SPAN_KIND_INTERNAL');
    expect(lookup.status?.code).toBe('STATUS_CODE_ERROR');
    expect(attrs(lookup.attributes)).toEqual({});
  });

  it('refuses bad input with a 4xx that names the problem, and keeps serving', async () => {
    const post = (body: string, type = 'application/json', auth = true): Promise<Response> =>
      fetch(`${ts.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': type, ...(auth ? { authorization: `Bearer ${ts.adminToken}` } : {}) }, body });
    const notJson = await post('{nope');
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toMatch(/invalid Zipkin v2 JSON/);
    const noId = await post(JSON.stringify([{ traceId: 'ab', name: 'x' }]));
    expect(noId.status).toBe(400);
    expect(await noId.text()).toMatch(/\[0\]\.id: missing/);
    const badTrace = await post(JSON.stringify([{ traceId: 'zz', id: '1' }]));
    expect(badTrace.status).toBe(400);
    expect(await badTrace.text()).toMatch(/\[0\]\.traceId/);
    const notArray = await post(JSON.stringify({ traceId: '1', id: '1' }));
    expect(notArray.status).toBe(400);
    expect((await post('[]', 'application/x-thrift')).status).toBe(415);
    expect((await post('[]', 'application/json', false)).status).toBe(401);
    expect((await post('[]')).status).toBe(202);
  });
});
