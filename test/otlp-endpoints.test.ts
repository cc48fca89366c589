import { gzipSync } from 'node:zlib';
import { Metadata } from '@grpc/grpc-js';
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpEndpoints } from '../src/api/otlp/index.js';
import { otlpTypes, type OtlpSinks, type OtlpTraces } from '../src/receive/otlp/index.js';
import { createLogger, Registry } from '../src/self/index.js';
import { startTestServer, type TestServer } from './support/server.js';

/** Spans made by the real OpenTelemetry SDK: a server span with a client child, typed attributes, an event, an error. */
async function makeSpans(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.replicas': 3 }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('otlp-test', '1.2.3');
  const parent = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, attributes: { 'http.status_code': 500, ratio: 0.25, cached: false, tags: ['a', 'b'] } });
  const child = tracer.startSpan('SELECT carts', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), parent));
  child.addEvent('retry', { attempt: 2 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'db down' });
  child.end();
  parent.end();
  await provider.forceFlush();
  return memory.getFinishedSpans();
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

describe('OTLP endpoints with the OpenTelemetry JS exporters', () => {
  let ts: TestServer;
  let endpoints: OtlpEndpoints;
  const received: Array<{ tenant: string; req: OtlpTraces }> = [];
  let spans: ReadableSpan[];
  const registry = new Registry();
  const sinks: OtlpSinks = {
    traces: async (tenant, req) => {
      received.push({ tenant, req });
      return { rejected: 0 };
    },
  };

  beforeAll(async () => {
    ts = await startTestServer();
    endpoints = new OtlpEndpoints(sinks, {
      httpListen: '127.0.0.1:0',
      grpcListen: '127.0.0.1:0',
      maxRequestBytes: 1024 * 1024,
      authenticator: ts.server.ctx.auth.authenticator,
      log: createLogger({ level: 'silent' }),
      registry,
    });
    await endpoints.start();
    spans = await makeSpans();
  });
  afterAll(async () => {
    await endpoints.stop();
    await ts.stop();
  });

  function checkReceived(tenant: string): void {
    const last = received.at(-1)!;
    expect(last.tenant).toBe(tenant);
    const rs = last.req.resourceSpans[0]!;
    expect(rs.resource.attributes.find((a) => a.key === 'service.name')?.value).toEqual({ type: 'string', value: 'checkout' });
    expect(rs.resource.attributes.find((a) => a.key === 'deployment.replicas')?.value).toEqual({ type: 'int', value: 3n });
    const ss = rs.scopeSpans[0]!;
    expect(ss.scope).toMatchObject({ name: 'otlp-test', version: '1.2.3' });
    const byName = new Map(ss.spans.map((s) => [s.name, s]));
    const parent = byName.get('GET /cart')!;
    const child = byName.get('SELECT carts')!;
    const sdkParent = spans.find((s) => s.name === 'GET /cart')!;
    expect(parent.traceId).toBe(sdkParent.spanContext().traceId);
    expect(parent.spanId).toBe(sdkParent.spanContext().spanId);
    expect(parent.parentSpanId).toBe('');
    expect(child.parentSpanId).toBe(parent.spanId);
    expect(child.traceId).toBe(parent.traceId);
    expect(parent.kind).toBe(2);
    expect(child.kind).toBe(3);
    expect(child.status).toEqual({ code: 2, message: 'db down' });
    expect(child.events[0]!.name).toBe('retry');
    expect(child.events[0]!.attributes[0]!.value).toEqual({ type: 'int', value: 2n });
    const attrs = Object.fromEntries(parent.attributes.map((a) => [a.key, a.value]));
    expect(attrs['http.status_code']).toEqual({ type: 'int', value: 500n });
    expect(attrs.ratio).toEqual({ type: 'double', value: 0.25 });
    expect(attrs.cached).toEqual({ type: 'bool', value: false });
    expect(attrs.tags).toEqual({ type: 'array', value: [{ type: 'string', value: 'a' }, { type: 'string', value: 'b' }] });
    const [s, ns] = sdkParent.startTime;
    expect(parent.startTimeUnixNano).toBe(BigInt(s) * 1_000_000_000n + BigInt(ns));
    expect(parent.endTimeUnixNano >= parent.startTimeUnixNano).toBe(true);
  }

  it('accepts OTLP/HTTP protobuf (exporter-trace-otlp-proto), gzip, with a tenant', async () => {
    const exporter = new ProtoExporter({
      url: `http://127.0.0.1:${endpoints.httpPort}/v1/traces`,
      headers: { authorization: `Bearer ${ts.adminToken}`, 'X-Scope-OrgID': 'team-a' },
      compression: 'gzip' as never,
    });
    const r = await exportWith(exporter, spans);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(ExportResultCode.SUCCESS);
    checkReceived('team-a');
    await exporter.shutdown();
  });

  it('accepts OTLP/HTTP JSON (exporter-trace-otlp-http)', async () => {
    const exporter = new JsonExporter({ url: `http://127.0.0.1:${endpoints.httpPort}/v1/traces`, headers: { authorization: `Bearer ${ts.adminToken}` } });
    const r = await exportWith(exporter, spans);
    expect(r.code).toBe(ExportResultCode.SUCCESS);
    checkReceived('default');
    await exporter.shutdown();
  });

  it('accepts OTLP/gRPC (exporter-trace-otlp-grpc) with the token in metadata', async () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${ts.adminToken}`);
    metadata.set('x-scope-orgid', 'team-b');
    const exporter = new GrpcExporter({ url: `http://127.0.0.1:${endpoints.grpcPort}`, metadata, compression: 'gzip' as never });
    const r = await exportWith(exporter, spans);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(ExportResultCode.SUCCESS);
    checkReceived('team-b');
    await exporter.shutdown();
  });

  /** `ichigen_ingest_rejected_requests_total{signal="spans"}` as the endpoints' registry exposes it. */
  const refusedSpans = async (): Promise<number> => Number(/^ichigen_ingest_rejected_requests_total\{signal="spans"\} (\S+)$/m.exec(await registry.metrics())?.[1]);

  it('refuses gRPC without credentials (UNAUTHENTICATED) and keeps serving', async () => {
    const before = await refusedSpans();
    const exporter = new GrpcExporter({ url: `http://127.0.0.1:${endpoints.grpcPort}` });
    const r = await exportWith(exporter, spans);
    expect(r.code).toBe(ExportResultCode.FAILED);
    expect(String(r.error?.message)).toMatch(/authentication required/);
    await exporter.shutdown();
    // Counted with the main port's refusals (the overview's rejected-requests figure).
    expect((await refusedSpans()) - before).toBe(1);
  });

  it('answers HTTP errors in the OTLP way: 401, 415, 400 with a Status body naming the problem', async () => {
    const url = `http://127.0.0.1:${endpoints.httpPort}/v1/traces`;
    const before = await refusedSpans();
    const noAuth = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noAuth.status).toBe(401);
    const auth = { authorization: `Bearer ${ts.adminToken}` };
    const wrongType = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'x' });
    expect(wrongType.status).toBe(415);
    const badJson = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"0102030405060708"}]}]}]}' });
    expect(badJson.status).toBe(400);
    const err = (await badJson.json()) as { code: number; message: string };
    expect(err.code).toBe(3);
    expect(err.message).toMatch(/resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: expected 32 hex digits/);
    const badProto = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-protobuf' }, body: gzipSync(Buffer.from([0x0a, 0xff, 0xff, 0xff])) });
    expect(badProto.status).toBe(400);
    expect(badProto.headers.get('content-type')).toMatch(/protobuf/);
    expect((await refusedSpans()) - before).toBe(4);
    // Still serving: an empty valid request succeeds with an empty response.
    const ok = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-protobuf' }, body: Buffer.from(otlpTypes.traceRequest.encode({}).finish()) });
    expect(ok.status).toBe(200);
  });

  it('accepts OTLP/JSON with int64 as numbers and strings, enums as ints', async () => {
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-svc' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  spanId: 'EEE19B7EC3C1B174',
                  name: 'op',
                  kind: 2,
                  startTimeUnixNano: 1544712660000000000,
                  endTimeUnixNano: '1544712661000000001',
                  attributes: [{ key: 'big', value: { intValue: '9007199254740993' } }],
                  status: { code: 'STATUS_CODE_OK' },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`http://127.0.0.1:${endpoints.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ts.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const span = received.at(-1)!.req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.traceId).toBe('5b8efff798038103d269b633813fc60c');
    expect(span.endTimeUnixNano).toBe(1544712661000000001n);
    expect(span.attributes[0]!.value).toEqual({ type: 'int', value: 9007199254740993n });
    expect(span.status.code).toBe(1);
  });

  it('answers a clear error for a signal nobody accepts', async () => {
    // These endpoints were given a traces sink only.
    const res = await fetch(`http://127.0.0.1:${endpoints.httpPort}/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ts.adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toMatch(/does not accept OTLP logs/);
  });
});
