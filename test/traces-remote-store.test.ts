import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpTypes } from '../src/receive/otlp/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { runTraceqlScript, scriptBaseMs, type TraceqlTarget } from './support/traceql-runner.js';
import { loadTraceqlScript } from './support/traceql-script.js';

const SCRIPTS = path.resolve(import.meta.dirname, 'traceql');

function otlpJson(traceId: string, service: string): Record<string, unknown> {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'remote-test' },
            spans: [
              { traceId, spanId: '1111111111111111', name: 'GET /a', kind: 2, startTimeUnixNano: String(now - 5_000_000n), endTimeUnixNano: String(now), attributes: [{ key: 'http.route', value: { stringValue: '/a' } }] },
              { traceId, spanId: '2222222222222222', parentSpanId: '1111111111111111', name: 'SELECT', kind: 3, startTimeUnixNano: String(now - 4_000_000n), endTimeUnixNano: String(now - 1_000_000n), status: { code: 2, message: 'db down' } },
            ],
          },
        ],
      },
    ],
  };
}

// Contract test against a second real Ichigen as the backend: it takes OTLP in and serves the
// Tempo API out, the two halves the remote store uses (a Tempo cannot run here).
describe('traces.backend: remote, against a second Ichigen as the backend', () => {
  let backend: TestServer;
  let front: TestServer;
  beforeAll(async () => {
    backend = await startTestServer({ config: { traces: { flush_interval: '100ms' } } });
    front = await startTestServer({
      config: {
        traces: {
          backend: 'remote',
          remote_otlp_url: `${backend.url}/v1/traces`,
          remote_query_url: backend.url,
          remote_bearer_token: backend.adminToken,
          remote_tenant_header: true,
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await front?.stop();
    await backend?.stop();
  });

  it('stores through the backend under the sender tenant and reads the same traces back', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const push = await front.fetch('/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json', 'x-scope-orgid': 'team-a' }, body: JSON.stringify(otlpJson(traceId, 'shop')) });
    expect(push.status).toBe(200);
    // Acknowledged only once the backend took it: the backend has it under team-a.
    const direct = await backend.fetch(`/api/v2/traces/${traceId}`, { headers: { 'x-scope-orgid': 'team-a' } });
    const viaFront = await front.fetch(`/api/v2/traces/${traceId}`, { headers: { 'x-scope-orgid': 'team-a' } });
    expect(viaFront.status).toBe(200);
    expect(await viaFront.json()).toEqual(await direct.json());
    expect((await (await front.fetch(`/api/v2/traces/${traceId}`, { headers: { 'x-scope-orgid': 'team-b' } })).json())).toEqual({ trace: {} });
    expect((await front.fetch(`/api/traces/${traceId}`, { headers: { 'x-scope-orgid': 'team-b' } })).status).toBe(404);
    const proto = await front.fetch(`/api/traces/${traceId}`, { headers: { 'x-scope-orgid': 'team-a', accept: 'application/protobuf' } });
    const data = otlpTypes.tracesData.toObject(otlpTypes.tracesData.decode(Buffer.from(await proto.arrayBuffer())), { bytes: String }) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> };
    expect(data.resourceSpans[0]!.scopeSpans[0]!.spans).toHaveLength(2);
    // Search, tags and metrics run on the backend and come back unchanged.
    for (const p of [
      `/api/search?q=${encodeURIComponent('{ status = error }')}`,
      '/api/v2/search/tags?scope=span',
      '/api/v2/search/tag/resource.service.name/values',
      `/api/metrics/query_range?q=${encodeURIComponent('{ } | count_over_time()')}&step=60s`,
    ]) {
      const a = await backend.fetch(p, { headers: { 'x-scope-orgid': 'team-a' } });
      const b = await front.fetch(p, { headers: { 'x-scope-orgid': 'team-a' } });
      expect(b.status, p).toBe(a.status);
      const [ta, tb] = [await a.text(), await b.text()];
      // Metrics answers carry timing-dependent inspection counts; the series must be equal.
      if (p.startsWith('/api/metrics')) expect((JSON.parse(tb) as { series: unknown }).series, p).toEqual((JSON.parse(ta) as { series: unknown }).series);
      else expect(tb, p).toBe(ta);
    }
    const bad = await front.fetch(`/api/search?q=${encodeURIComponent('{ span.x = }')}`);
    expect(bad.status).toBe(400);
  });

  // The TraceQL scripts, through the remote store: the same answers as the embedded store.
  it.each(readdirSync(SCRIPTS).filter((f) => f.endsWith('.traceql')))('answers the TraceQL script %s as written', { timeout: 60_000 }, async (file) => {
    const tenant = `script-${file.replace(/\W/g, '-')}`;
    const target: TraceqlTarget = {
      push: (body) => front.fetch('/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json', 'x-scope-orgid': tenant }, body: JSON.stringify(body) }),
      get: (p, params) => front.fetch(`${p}?${new URLSearchParams(params).toString()}`, { headers: { 'x-scope-orgid': tenant } }),
    };
    expect(await runTraceqlScript(file, loadTraceqlScript(path.join(SCRIPTS, file)), target, scriptBaseMs())).toEqual([]);
  });
});

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

// The documented request shapes, checked by a local server standing in for Tempo.
describe('traces.backend: remote, request shapes and error mapping', () => {
  let checker: Server;
  let front: TestServer;
  const seen: Seen[] = [];
  let answer: (s: Seen, res: ServerResponse) => void = (_s, res) => res.writeHead(500).end();
  beforeAll(async () => {
    checker = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
        seen.push(s);
        answer(s, res);
      });
    });
    await new Promise<void>((r) => checker.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(checker.address() as AddressInfo).port}`;
    front = await startTestServer({
      config: { traces: { backend: 'remote', remote_otlp_url: `${url}/otlp/v1/traces`, remote_query_url: `${url}/tempo`, remote_bearer_token: 's3cret-token', remote_tenant_header: true, remote_timeout: '5s' } },
    });
  }, 60_000);
  afterAll(async () => {
    await front?.stop();
    await new Promise((r) => checker.close(r));
  });

  it('exports OTLP/HTTP protobuf with the token and tenant, and maps partial success and errors', async () => {
    const push = (): Promise<Response> =>
      front.fetch('/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json', 'x-scope-orgid': 'acme' }, body: JSON.stringify(otlpJson('5b8efff798038103d269b633813fc60c', 'cart')) });
    answer = (_s, res) => {
      const body = otlpTypes.traceResponse.encode({ partialSuccess: { rejectedSpans: 1, errorMessage: 'span too old' } }).finish();
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.from(body));
    };
    seen.length = 0;
    const ok = await push();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: 'span too old' } });
    const s = seen[0]!;
    expect(s.method).toBe('POST');
    expect(s.url).toBe('/otlp/v1/traces');
    expect(s.headers['content-type']).toBe('application/x-protobuf');
    expect(s.headers.authorization).toBe('Bearer s3cret-token');
    expect(s.headers['x-scope-orgid']).toBe('acme');
    const sent = otlpTypes.traceRequest.toObject(otlpTypes.traceRequest.decode(s.body), { bytes: String, longs: String }) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string; name: string }> }> }>;
    };
    expect(sent.resourceSpans[0]!.scopeSpans[0]!.spans.map((x) => [Buffer.from(x.traceId, 'base64').toString('hex'), x.name])).toEqual([
      ['5b8efff798038103d269b633813fc60c', 'GET /a'],
      ['5b8efff798038103d269b633813fc60c', 'SELECT'],
    ]);

    answer = (_s, res) => res.writeHead(429, { 'retry-after': '7' }).end('slow down');
    const limited = await push();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    answer = (_s, res) => res.writeHead(400).end('bad span');
    const refused = await push();
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('bad span');
    answer = (_s, res) => res.writeHead(502).end('gateway');
    expect((await push()).status).toBe(503);
  });

  it('reads trace by id as protobuf and passes search, tags and metrics through unchanged', async () => {
    const traceId = '5b8efff798038103d269b633813fc60c';
    answer = (s, res) => {
      if (s.url.startsWith(`/tempo/api/traces/${traceId}`)) {
        const body = otlpTypes.tracesData.encode(
          otlpTypes.tracesData.fromObject({
            resourceSpans: [
              {
                resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }] },
                scopeSpans: [{ spans: [{ traceId: Buffer.from(traceId, 'hex'), spanId: Buffer.from('1111111111111111', 'hex'), name: 'GET /a', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000005000000' }] }],
              },
            ],
          }),
        );
        res.writeHead(200, { 'content-type': 'application/protobuf' }).end(Buffer.from(body.finish()));
      } else if (s.url.startsWith('/tempo/api/traces/')) res.writeHead(404).end('trace not found');
      else if (s.url.startsWith('/tempo/api/search?')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"traces":[{"traceID":"5b8efff798038103d269b633813fc60c","rootServiceName":"cart"}],"metrics":{"inspectedTraces":1}}');
      else if (s.url.startsWith('/tempo/api/v2/search/tag/')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"tagValues":[{"type":"string","value":"cart"}],"metrics":{}}');
      else if (s.url.startsWith('/tempo/api/metrics/query_range')) res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid TraceQL query: parse error');
      else res.writeHead(500).end();
    };
    seen.length = 0;
    const byId = await front.fetch(`/api/v2/traces/${traceId.toUpperCase()}?start=1699999000&end=1700001000`, { headers: { 'x-scope-orgid': 'acme' } });
    expect(byId.status).toBe(200);
    const j = (await byId.json()) as { trace: { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; spanId: string }> }> }> } };
    expect(j.trace.resourceSpans[0]!.scopeSpans[0]!.spans[0]).toMatchObject({ name: 'GET /a', spanId: Buffer.from('1111111111111111', 'hex').toString('base64') });
    expect(seen[0]!.url).toBe(`/tempo/api/traces/${traceId}?start=1699999000&end=1700001000`);
    expect(seen[0]!.headers.accept).toBe('application/protobuf');
    expect(seen[0]!.headers['x-scope-orgid']).toBe('acme');
    expect((await front.fetch('/api/traces/00000000000000000000000000000001')).status).toBe(404);

    seen.length = 0;
    const q = '{ resource.service.name = "cart" }';
    const search = await front.fetch(`/api/search?q=${encodeURIComponent(q)}&start=1&end=2&limit=5&spss=2`, { headers: { 'x-scope-orgid': 'acme' } });
    expect(search.status).toBe(200);
    expect(await search.text()).toBe('{"traces":[{"traceID":"5b8efff798038103d269b633813fc60c","rootServiceName":"cart"}],"metrics":{"inspectedTraces":1}}');
    const u = new URL(seen[0]!.url, 'http://x');
    expect(u.pathname).toBe('/tempo/api/search');
    expect(Object.fromEntries(u.searchParams)).toEqual({ q, start: '1', end: '2', limit: '5', spss: '2' });
    expect(seen[0]!.headers.authorization).toBe('Bearer s3cret-token');

    const values = await front.fetch(`/api/v2/search/tag/resource.service.name/values?q=${encodeURIComponent('{ kind = server }')}`);
    expect(await values.json()).toEqual({ tagValues: [{ type: 'string', value: 'cart' }], metrics: {} });
    expect(seen.at(-1)!.url).toBe(`/tempo/api/v2/search/tag/resource.service.name/values?q=${encodeURIComponent('{ kind = server }').replace(/%20/g, '+')}`);

    // The backend's own errors come back as they are.
    const metrics = await front.fetch(`/api/metrics/query_range?q=${encodeURIComponent('{ | rate()')}`);
    expect(metrics.status).toBe(400);
    expect(await metrics.text()).toBe('invalid TraceQL query: parse error');
  });

  it('answers 503 while the backend is unreachable, and keeps serving', async () => {
    const down = await startTestServer({ config: { traces: { backend: 'remote', remote_otlp_url: 'http://127.0.0.1:9/v1/traces', remote_query_url: 'http://127.0.0.1:9', remote_timeout: '2s' } } });
    try {
      const res = await down.fetch('/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlpJson('5b8efff798038103d269b633813fc60c', 'cart')) });
      expect(res.status).toBe(503);
      expect((await down.fetch('/api/search?q=%7B%7D')).status).toBe(503);
      expect((await down.fetch('/api/echo')).status).toBe(200);
    } finally {
      await down.stop();
    }
  });
});
