import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import YAML from 'yaml';
import { labelsFromRecord } from '../src/model/index.js';
import { otlpTypes } from '../src/receive/otlp/index.js';
import { encodeWriteRequest } from '../src/receive/remote-write/index.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * Replays the HTTP requests Grafana 11/12's Prometheus, Loki, Tempo and Alertmanager data
 * sources send (read from Grafana's data-source code: pkg/promlib, pkg/tsdb/loki, pkg/tsdb/tempo,
 * the frontends' language providers and health checks), with Basic auth as a data source sends
 * it (any user name, an API token as password), and checks the answers are what Grafana parses:
 * status codes, content types and shapes. Grafana itself cannot run here.
 */

let ts: TestServer;
let basicRead: string;
let basicWrite: string;
let ingest: string;

const NOW_S = Math.floor(Date.now() / 60_000) * 60;
const START_S = NOW_S - 3600;
const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const ROOT_SPAN = 'eee19b7ec3c1b174';
const CHILD_SPAN = 'aaa19b7ec3c1b175';

const basic = (token: string): string => `Basic ${Buffer.from(`grafana:${token}`).toString('base64')}`;

/** A request as Grafana's data-source HTTP client sends it: Basic auth, Grafana's user agent. */
function grafana(path: string, init: RequestInit & { auth?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', init.auth ?? basicRead);
  headers.set('user-agent', 'Grafana/12.0.0');
  headers.set('accept-encoding', 'gzip');
  return fetch(ts.url + path, { ...init, headers });
}

/** Prometheus POST as pkg/promlib/client sends it (form body, httpMethod POST, the default). */
function promPost(path: string, form: Record<string, string | string[]>): Promise<Response> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return grafana(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
}

const qs = (params: Record<string, string>): string => new URLSearchParams(params).toString();

async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  ts = await startTestServer();
  const tokens = ts.server.ctx.auth.tokens;
  basicRead = basic((await tokens.create({ name: 'grafana-read', scopes: ['read'], tenants: '*' })).secret);
  basicWrite = basic((await tokens.create({ name: 'grafana-am', scopes: ['read', 'write'], tenants: '*' })).secret);
  ingest = (await tokens.create({ name: 'senders', scopes: ['ingest'], tenants: '*' })).secret;
  const send = async (path: string, body: Buffer | string, contentType: string, extra: Record<string, string> = {}): Promise<void> => {
    const res = await fetch(ts.url + path, { method: 'POST', headers: { authorization: `Bearer ${ingest}`, 'content-type': contentType, ...extra }, body });
    expect(res.status, `${path}: ${await res.text()}`).toBeLessThan(300);
  };

  // Metrics: a counter and a histogram with an exemplar, every 15 s over the last 10 minutes (remote write 1.0).
  const times = Array.from({ length: 41 }, (_, i) => (NOW_S - 600 + i * 15) * 1000);
  const counter = (code: string, perStep: number) => ({
    labels: labelsFromRecord({ __name__: 'grafana_http_requests_total', job: 'api', instance: 'api-1:9100', code }),
    timestamps: times,
    values: Float64Array.from(times.map((_, i) => i * perStep)),
  });
  const bucket = {
    labels: labelsFromRecord({ __name__: 'grafana_request_duration_seconds_bucket', job: 'api', le: '+Inf' }),
    timestamps: times,
    values: Float64Array.from(times.map((_, i) => i)),
    exemplars: [{ labels: { trace_id: TRACE_ID }, value: 0.25, timestamp: times[30]! }],
  };
  await send(
    '/api/v1/write',
    encodeWriteRequest([counter('200', 30), counter('500', 3), bucket], [{ metric: 'grafana_http_requests_total', type: 'counter', help: 'Requests served.', unit: '' }]),
    'application/x-protobuf',
    { 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
  );

  // Logs: Loki JSON push, two levels, one JSON line per 30 s.
  const lines = Array.from({ length: 10 }, (_, i) => {
    const level = i % 3 === 0 ? 'error' : 'info';
    return { level, ts: `${(NOW_S - 300 + i * 30) * 1e9}`, line: JSON.stringify({ level, msg: `request ${i}`, status: level === 'error' ? 500 : 200 }) };
  });
  const streams = ['info', 'error'].map((level) => ({
    stream: { app: 'checkout', env: 'prod', level },
    values: lines.filter((l) => l.level === level).map((l) => [l.ts, l.line]),
  }));
  await send('/loki/api/v1/push', JSON.stringify({ streams }), 'application/json');

  // Traces: one trace of two spans (OTLP/JSON), as an OpenTelemetry SDK sends it.
  const t0 = BigInt(NOW_S - 120) * 1_000_000_000n;
  const span = (spanId: string, parent: string, name: string, kind: number, off: bigint, dur: bigint) => ({
    traceId: TRACE_ID,
    spanId,
    parentSpanId: parent,
    name,
    kind,
    startTimeUnixNano: `${t0 + off}`,
    endTimeUnixNano: `${t0 + off + dur}`,
    attributes: [{ key: 'http.route', value: { stringValue: '/cart' } }],
    status: {},
  });
  const traces = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [{ scope: { name: 'grafana-test' }, spans: [span(ROOT_SPAN, '', 'GET /cart', 2, 0n, 250_000_000n), span(CHILD_SPAN, ROOT_SPAN, 'SELECT cart', 3, 10_000_000n, 50_000_000n)] }],
      },
    ],
  };
  await send('/v1/traces', JSON.stringify(traces), 'application/json');

  // Alerts: as Prometheus posts them to the Alertmanager API.
  await send('/api/v2/alerts', JSON.stringify([{ labels: { alertname: 'HighErrorRate', severity: 'critical', job: 'api' }, annotations: { summary: 'errors' } }]), 'application/json');
}, 120_000);

afterAll(async () => {
  await ts?.stop();
});

describe('Grafana Prometheus data source', () => {
  it('health check: the instant query 1+1 as a form POST at time 4 (pkg/promlib/healthcheck.go)', async () => {
    const body = await json<{ status: string; data: { resultType: string; result: [number, string] } }>(await promPost('/api/v1/query', { query: '1+1', time: '4' }));
    expect(body).toEqual({ status: 'success', data: { resultType: 'scalar', result: [4, '2'] } });
  });

  it('heuristics: buildinfo by GET without features, so Grafana treats it as plain Prometheus', async () => {
    const body = await json<{ status: string; data: Record<string, unknown> }>(await grafana('/api/v1/status/buildinfo'));
    expect(body.status).toBe('success');
    expect(body.data.version).toMatch(/^[23]\.\d+\.\d+$/);
    expect(body.data.features ?? {}).toEqual({});
  });

  it('metric browser: metric names, label names, values with match[], series and metadata as Grafana 12 asks', async () => {
    const range = { start: `${START_S}`, end: `${NOW_S}` };
    // Label values and metadata are GET-only endpoints for Grafana; labels and series go as form POSTs.
    const names = await json<{ data: string[] }>(await grafana(`/api/v1/label/__name__/values?${qs({ ...range, limit: '40000' })}`));
    expect(names.data).toEqual(expect.arrayContaining(['grafana_http_requests_total', 'grafana_request_duration_seconds_bucket']));
    const labels = await json<{ data: string[] }>(await promPost('/api/v1/labels', { ...range, limit: '40000', 'match[]': '{__name__!=""}' }));
    expect(labels.data).toEqual(expect.arrayContaining(['__name__', 'code', 'instance', 'job']));
    const scoped = await json<{ data: string[] }>(await promPost('/api/v1/labels', { ...range, 'match[]': 'grafana_http_requests_total' }));
    expect(scoped.data).not.toContain('le');
    const values = await json<{ data: string[] }>(await grafana(`/api/v1/label/code/values?${qs({ ...range, limit: '40000', 'match[]': '{__name__="grafana_http_requests_total",job="api"}' })}`));
    expect(values.data).toEqual(['200', '500']);
    const series = await json<{ data: Record<string, string>[] }>(await promPost('/api/v1/series', { ...range, 'match[]': '{__name__="grafana_http_requests_total"}', limit: '40000' }));
    expect(series.data).toContainEqual({ __name__: 'grafana_http_requests_total', job: 'api', instance: 'api-1:9100', code: '500' });
    const meta = await json<{ data: Record<string, { type: string; help: string; unit: string }[]> }>(await grafana('/api/v1/metadata?limit=40000'));
    expect(meta.data.grafana_http_requests_total).toEqual([{ type: 'counter', help: 'Requests served.', unit: '' }]);
    // Grafana 11's legacy provider with httpMethod GET puts the parameters in the URL.
    const legacy = await json<{ data: string[] }>(await grafana(`/api/v1/labels?${qs(range)}`));
    expect(legacy.data).toContain('job');
  });

  it('query_range as a form POST with float times, a step in seconds and the query timeout', async () => {
    const res = await promPost('/api/v1/query_range', {
      query: 'sum by (code) (rate(grafana_http_requests_total[1m]))',
      start: `${NOW_S - 300}.5`,
      end: `${NOW_S}`,
      step: '15',
      timeout: '60s',
    });
    const body = await json<{ status: string; data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] } }>(res);
    expect(body.data.resultType).toBe('matrix');
    const byCode: Record<string, [number, string][]> = Object.fromEntries(body.data.result.map((r) => [r.metric.code, r.values]));
    expect(Object.keys(byCode).sort()).toEqual(['200', '500']);
    const last = byCode['200']!.at(-1)!;
    expect(typeof last[0]).toBe('number');
    expect(Number(last[1])).toBeCloseTo(2, 6);
    expect(byCode['200']!.every(([t]) => Number.isFinite(t) && (t - (NOW_S - 299.5)) % 15 === 0)).toBe(true);
  });

  it('an instant query at a float time, and a bad query as a 400 Grafana shows', async () => {
    const ok = await json<{ data: { result: { value: [number, string] }[] } }>(await promPost('/api/v1/query', { query: 'sum(grafana_http_requests_total)', time: `${NOW_S}.25` }));
    expect(ok.data.result[0]!.value).toEqual([NOW_S + 0.25, '1320']);
    const bad = await json<{ status: string; errorType: string; error: string }>(await promPost('/api/v1/query_range', { query: 'sum(', start: `${START_S}`, end: `${NOW_S}`, step: '60' }), 400);
    expect(bad).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(bad.error).toContain('parse error');
  });

  it('exemplars: query_exemplars as a form POST over the panel range', async () => {
    const body = await json<{ data: { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string; timestamp: number }[] }[] }>(
      await promPost('/api/v1/query_exemplars', { query: 'histogram_quantile(0.9, sum by (le) (rate(grafana_request_duration_seconds_bucket[5m])))', start: `${START_S}`, end: `${NOW_S}` }),
    );
    expect(body.data).toHaveLength(1);
    expect(body.data[0]!.seriesLabels).toMatchObject({ __name__: 'grafana_request_duration_seconds_bucket', le: '+Inf' });
    expect(body.data[0]!.exemplars).toEqual([{ labels: { trace_id: TRACE_ID }, value: '0.25', timestamp: NOW_S - 600 + 30 * 15 }]);
  });

  it('refuses a data source without credentials or with a wrong token (Grafana shows the 401)', async () => {
    expect((await fetch(`${ts.url}/api/v1/query?query=1%2B1`)).status).toBe(401);
    expect((await grafana('/api/v1/query?query=1%2B1', { auth: basic('igt_wrong') })).status).toBe(401);
  });
});

const ns = (s: number): string => `${BigInt(s) * 1_000_000_000n}`;

describe('Grafana Loki data source', () => {
  it('health check: vector(1)+vector(1) as an instant query answers one sample of 2 (pkg/tsdb/loki/healthcheck.go)', async () => {
    const body = await json<{ status: string; data: { resultType: string; result: { metric: object; value: [number, string] }[] } }>(
      await grafana(`/loki/api/v1/query?${qs({ direction: 'backward', query: 'vector(1)+vector(1)', time: '4000000000' })}`),
    );
    expect(body.data.resultType).toBe('vector');
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0]!.value[1]).toBe('2');
  });

  it('label browser: labels, label values narrowed by a stream selector, series', async () => {
    const range = { start: ns(START_S), end: ns(NOW_S) };
    const labels = await json<{ status: string; data: string[] }>(await grafana(`/loki/api/v1/labels?${qs(range)}`));
    expect(labels.data).toEqual(expect.arrayContaining(['app', 'env', 'level']));
    const values = await json<{ data: string[] }>(await grafana(`/loki/api/v1/label/level/values?${qs({ ...range, query: '{app="checkout"}' })}`));
    expect(values.data.sort()).toEqual(['error', 'info']);
    const series = await json<{ data: Record<string, string>[] }>(await grafana(`/loki/api/v1/series?${qs({ ...range, 'match[]': '{app="checkout"}' })}`));
    expect(series.data).toContainEqual({ app: 'checkout', env: 'prod', level: 'error' });
  });

  it('query_range of a log query with direction, limit and a step in ms, newest first', async () => {
    const params = { direction: 'backward', end: ns(NOW_S), limit: '1000', query: '{app="checkout"} | json | status >= 500', start: ns(START_S), step: '2000ms' };
    const body = await json<{ data: { resultType: string; result: { stream: Record<string, string>; values: [string, string][] }[]; stats: object } }>(
      await grafana(`/loki/api/v1/query_range?${qs(params)}`),
    );
    expect(body.data.resultType).toBe('streams');
    expect(body.data.stats).toBeTypeOf('object');
    const values = body.data.result.flatMap((r) => r.values);
    expect(values).toHaveLength(4);
    expect(values.every(([t, line]) => /^\d+$/.test(t) && line.includes('"level":"error"'))).toBe(true);
    expect(body.data.result[0]!.stream).toMatchObject({ app: 'checkout', level: 'error', status: '500' });
    const times = body.data.result[0]!.values.map(([t]) => BigInt(t));
    expect([...times].sort((a, b) => (a > b ? -1 : 1))).toEqual(times);
    const forward = await json<{ data: { result: { values: [string, string][] }[] } }>(
      await grafana(`/loki/api/v1/query_range?${qs({ ...params, direction: 'forward', limit: '2', query: '{app="checkout"}' })}`),
    );
    const first = forward.data.result.flatMap((r) => r.values).map(([t]) => t);
    expect(first.sort()).toEqual([ns(NOW_S - 300), ns(NOW_S - 270)]);
  });

  it('logs volume: sum by (level, detected_level) (count_over_time(… | drop __error__[1m])) tagged logvolhist', async () => {
    const query = 'sum by (level, detected_level) (count_over_time({app="checkout"} | json | drop __error__[1m]))';
    const res = await grafana(`/loki/api/v1/query_range?${qs({ direction: 'backward', end: ns(NOW_S), query, start: ns(START_S), step: '60000ms' })}`, {
      headers: { 'x-query-tags': 'Source=logvolhist' },
    });
    const body = await json<{ data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] } }>(res);
    expect(body.data.resultType).toBe('matrix');
    const total = (level: string): number => body.data.result.filter((r) => r.metric.level === level).reduce((n, r) => n + r.values.reduce((m, [, v]) => m + Number(v), 0), 0);
    expect(total('error')).toBe(4);
    expect(total('info')).toBe(6);
    expect(body.data.result.every((r) => r.values.every(([t, v]) => typeof t === 'number' && typeof v === 'string'))).toBe(true);
  });

  it('query stats for the editor hint: index/stats', async () => {
    const body = await json<Record<string, number>>(await grafana(`/loki/api/v1/index/stats?${qs({ query: '{app="checkout"}', start: ns(START_S), end: ns(NOW_S) })}`));
    expect(body).toMatchObject({ streams: 2, entries: 10 });
    expect(body.bytes).toBeGreaterThan(0);
    expect(typeof body.chunks).toBe('number');
  });

  it('live tail: the WebSocket Grafana opens through its proxy, only query in the URL and Basic auth', async () => {
    const url = `${ts.url.replace(/^http/, 'ws')}/loki/api/v1/tail?${qs({ query: '{app="checkout"}' })}`;
    const ws = new WebSocket(url, { headers: { authorization: basicRead } });
    const messages: { streams: { stream: Record<string, string>; values: [string, string][] }[] }[] = [];
    ws.on('message', (m: Buffer) => messages.push(JSON.parse(m.toString()) as (typeof messages)[number]));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const lineTime = `${BigInt(Date.now()) * 1_000_000n}`;
    const push = await fetch(`${ts.url}/loki/api/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
      body: JSON.stringify({ streams: [{ stream: { app: 'checkout', env: 'prod', level: 'info' }, values: [[lineTime, 'tailed line']] }] }),
    });
    expect(push.status).toBe(204);
    for (let i = 0; i < 100 && !messages.some((m) => m.streams.some((s) => s.values.some(([, l]) => l === 'tailed line'))); i++) await new Promise((r) => setTimeout(r, 100));
    ws.close();
    const seen = messages.flatMap((m) => m.streams.flatMap((s) => s.values.map(([t, l]) => ({ t, l, stream: s.stream }))));
    expect(seen).toContainEqual({ t: lineTime, l: 'tailed line', stream: { app: 'checkout', env: 'prod', level: 'info' } });
    // Without a start the tail begins an hour back, as Loki's does: the pushed history comes first.
    expect(seen.filter((s) => s.l.startsWith('{')).length).toBe(10);
  });

  it('a tail without credentials is refused before the upgrade', async () => {
    const ws = new WebSocket(`${ts.url.replace(/^http/, 'ws')}/loki/api/v1/tail?query=%7Bapp%3D%22checkout%22%7D`);
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => resolve(-1));
    });
    ws.terminate();
    expect(status).toBe(401);
  });
});

/** Tempo's TraceByIDResponse: field 1 is the trace (TracesData's fields). */
function decodeTraceByIdResponse(buf: Uint8Array): { resourceSpans: { scopeSpans: { spans: { spanId: Uint8Array; traceId: Uint8Array; name: string }[] }[] }[] } {
  const r = protobuf.Reader.create(buf);
  let trace: Uint8Array = new Uint8Array();
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) trace = r.bytes();
    else r.skipType(tag & 7);
  }
  return otlpTypes.tracesData.toObject(otlpTypes.tracesData.decode(trace)) as ReturnType<typeof decodeTraceByIdResponse>;
}

const spanIds = (t: ReturnType<typeof decodeTraceByIdResponse>): string[] =>
  t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => Buffer.from(s.spanId).toString('hex')))).sort();

describe('Grafana Tempo data source', () => {
  it('health check: /api/echo', async () => {
    const res = await grafana('/api/echo');
    expect(res.status).toBe(200);
    expect((await res.text()).trim()).toBe('echo');
  });

  it('buildinfo: a version below 2.2.0, so Grafana keeps gRPC streaming (which Ichigen does not serve) off', async () => {
    const body = await json<{ version: string }>(await grafana('/api/status/buildinfo'));
    const [major, minor] = body.version.split('.').map(Number) as [number, number];
    expect(major < 2 || (major === 2 && minor < 2)).toBe(true);
  });

  it('trace by id, v1: OTLP protobuf with Accept: application/protobuf and start/end in seconds (pkg/tsdb/tempo/trace.go)', async () => {
    const res = await grafana(`/api/traces/${TRACE_ID}?start=${START_S}&end=${NOW_S}`, { headers: { accept: 'application/protobuf' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/protobuf/);
    const data = otlpTypes.tracesData.toObject(otlpTypes.tracesData.decode(new Uint8Array(await res.arrayBuffer()))) as ReturnType<typeof decodeTraceByIdResponse>;
    expect(spanIds(data)).toEqual([CHILD_SPAN, ROOT_SPAN].sort());
    expect(Buffer.from(data.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId).toString('hex')).toBe(TRACE_ID);
    const missing = await grafana(`/api/traces/00000000000000000000000000000001?start=${START_S}&end=${NOW_S}`, { headers: { accept: 'application/protobuf' } });
    expect(missing.status).toBe(404);
  });

  it('trace by id, v2: TraceByIDResponse protobuf', async () => {
    const res = await grafana(`/api/v2/traces/${TRACE_ID}?start=${START_S}&end=${NOW_S}`, { headers: { accept: 'application/protobuf' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/protobuf/);
    expect(spanIds(decodeTraceByIdResponse(new Uint8Array(await res.arrayBuffer())))).toEqual([CHILD_SPAN, ROOT_SPAN].sort());
  });

  it('TraceQL search as the query editor sends it (q, limit, spss, start, end)', async () => {
    const params = { q: '{resource.service.name="checkout" && span.http.route="/cart"}', limit: '20', spss: '3', start: `${START_S}`, end: `${NOW_S}` };
    const body = await json<{ traces: Record<string, unknown>[]; metrics: object }>(await grafana(`/api/search?${qs(params)}`));
    expect(body.traces).toHaveLength(1);
    expect(body.traces[0]).toMatchObject({ traceID: TRACE_ID, rootServiceName: 'checkout', rootTraceName: 'GET /cart', durationMs: 250 });
    expect(body.traces[0]!.startTimeUnixNano).toBe(ns(NOW_S - 120));
    const sets = body.traces[0]!.spanSets as { spans: { spanID: string }[]; matched: number }[];
    expect(sets[0]!.matched).toBe(2);
    expect(sets[0]!.spans.map((s) => s.spanID).sort()).toEqual([CHILD_SPAN, ROOT_SPAN].sort());
    const bad = await grafana(`/api/search?${qs({ ...params, q: '{ .a = }' })}`);
    expect(bad.status).toBe(400);
  });

  it('TraceQL metrics: range and instant as pkg/tsdb/tempo sends them, only fields its jsonpb decoding knows', async () => {
    // The instant answer is decoded strictly (an unknown field fails the panel), the range one allowing extras.
    const searchMetrics = ['inspectedTraces', 'inspectedBytes', 'totalBlocks', 'completedJobs', 'totalJobs', 'totalBlockBytes', 'inspectedSpans'];
    const keysWithin = (o: object, allowed: string[]): void => expect(Object.keys(o).filter((k) => !allowed.includes(k))).toEqual([]);
    const q = '{resource.service.name="checkout"} | rate() by (name)';
    const range = await json<{ series: { labels: object[]; samples: { timestampMs: string; value: number }[] }[]; metrics: object }>(
      await grafana(`/api/metrics/query_range?${qs({ q, start: `${START_S}`, end: `${NOW_S}`, step: '60s', exemplars: '100' })}`, { headers: { accept: 'application/json' } }),
    );
    expect(range.series.map((s) => s.labels)).toEqual(
      expect.arrayContaining([[{ key: 'name', value: { stringValue: 'GET /cart' } }], [{ key: 'name', value: { stringValue: 'SELECT cart' } }]]),
    );
    for (const s of range.series) {
      keysWithin(s, ['labels', 'samples', 'promLabels', 'exemplars']);
      for (const p of s.samples) {
        keysWithin(p, ['timestampMs', 'value']);
        expect(p.timestampMs).toMatch(/^\d+$/);
      }
    }
    keysWithin(range.metrics, searchMetrics);
    const instant = await json<{ series: { labels: object[]; value: number }[]; metrics: object }>(
      await grafana(`/api/metrics/query?${qs({ q, start: `${START_S}`, end: `${NOW_S}` })}`, { headers: { accept: 'application/json' } }),
    );
    keysWithin(instant, ['series', 'metrics']);
    expect(instant.series).toHaveLength(2);
    for (const s of instant.series) {
      keysWithin(s, ['labels', 'value', 'promLabels']);
      expect(s.value).toBeCloseTo(1 / 3600, 9);
    }
    keysWithin(instant.metrics, searchMetrics);
  });

  it('tag autocomplete v2: scoped tag names and typed values narrowed by q', async () => {
    const range = { start: `${START_S}`, end: `${NOW_S}` };
    const tags = await json<{ scopes: { name: string; tags: string[] }[] }>(await grafana(`/api/v2/search/tags?${qs({ ...range, scope: 'resource' })}`));
    expect(tags.scopes).toEqual([{ name: 'resource', tags: ['service.name'] }]);
    const all = await json<{ scopes: { name: string; tags: string[] }[] }>(await grafana(`/api/v2/search/tags?${qs(range)}`));
    expect(all.scopes.find((s) => s.name === 'span')?.tags).toContain('http.route');
    expect(all.scopes.find((s) => s.name === 'intrinsic')?.tags).toEqual(expect.arrayContaining(['duration', 'name', 'status']));
    const values = await json<{ tagValues: { type: string; value: string }[] }>(
      await grafana(`/api/v2/search/tag/resource.service.name/values?${qs({ ...range, q: '{span.http.route="/cart"}' })}`),
    );
    expect(values.tagValues).toEqual([{ type: 'string', value: 'checkout' }]);
    const names = await json<{ tagValues: { type: string; value: string }[] }>(await grafana(`/api/v2/search/tag/name/values?${qs(range)}`));
    expect(names.tagValues.map((v) => v.value).sort()).toEqual(['GET /cart', 'SELECT cart']);
  });
});

describe('Grafana Alertmanager data source (implementation: Prometheus)', () => {
  it('health check: the Mimir path is absent, /api/v2/status answers with a config Grafana can read', async () => {
    expect((await grafana('/alertmanager/api/v2/status')).status).not.toBe(200);
    const status = await json<{ cluster: { status: string }; config: { original: string }; versionInfo: { version: string }; uptime: string }>(await grafana('/api/v2/status'));
    expect(status.cluster.status).toBeTypeOf('string');
    expect(status.versionInfo.version).toMatch(/^0\.\d+\.\d+$/);
    expect(Number.isNaN(Date.parse(status.uptime))).toBe(false);
    const config = YAML.parse(status.config.original) as { route: { receiver: string }; receivers: { name: string }[] };
    expect(config.receivers.map((r) => r.name)).toContain(config.route.receiver);
  });

  it('alerts and groups with the filters the alert list sends', async () => {
    const alerts = await json<{ labels: Record<string, string>; status: { state: string }; fingerprint: string; receivers: { name: string }[] }[]>(
      await grafana(`/api/v2/alerts?${qs({ silenced: 'false', inhibited: 'false', active: 'true', filter: 'severity="critical"' })}`),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ labels: { alertname: 'HighErrorRate', severity: 'critical', job: 'api' }, status: { state: 'active' } });
    expect(alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const groups = await json<{ labels: Record<string, string>; receiver: { name: string }; alerts: unknown[] }[]>(await grafana('/api/v2/alerts/groups?silenced=false&inhibited=false&active=true'));
    expect(groups).toContainEqual(expect.objectContaining({ labels: { alertname: 'HighErrorRate' }, alerts: [expect.objectContaining({ fingerprint: alerts[0]!.fingerprint })] }));
  });

  it('silences: create (write scope), list, expire; a read-only token gets 403', async () => {
    const silence = {
      matchers: [{ name: 'alertname', value: 'HighErrorRate', isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'admin',
      comment: 'from Grafana',
    };
    const post = (auth: string): Promise<Response> => grafana('/api/v2/silences', { method: 'POST', auth, headers: { 'content-type': 'application/json' }, body: JSON.stringify(silence) });
    expect((await post(basicRead)).status).toBe(403);
    const { silenceID } = await json<{ silenceID: string }>(await post(basicWrite));
    const list = await json<{ id: string; status: { state: string } }[]>(await grafana('/api/v2/silences'));
    expect(list).toContainEqual(expect.objectContaining({ id: silenceID, status: { state: 'active' } }));
    const silenced = await json<{ status: { silencedBy: string[] } }[]>(await grafana('/api/v2/alerts?filter=alertname%3D%22HighErrorRate%22'));
    expect(silenced[0]!.status.silencedBy).toEqual([silenceID]);
    expect((await grafana(`/api/v2/silence/${silenceID}`, { method: 'DELETE', auth: basicWrite })).status).toBe(200);
    const after = await json<{ id: string; status: { state: string } }[]>(await grafana('/api/v2/silences'));
    expect(after).toContainEqual(expect.objectContaining({ id: silenceID, status: { state: 'expired' } }));
  });

  it('receivers', async () => {
    const receivers = await json<{ name: string }[]>(await grafana('/api/v2/receivers'));
    expect(receivers.map((r) => r.name)).toContain('default');
  });
});
