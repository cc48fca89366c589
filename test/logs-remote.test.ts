import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import pino from 'pino';
import { pinoLoki } from 'pino-loki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

const BACKEND_TOKEN = 'loki-backend-secret';

interface Pushed {
  readonly tenant: string | undefined;
  readonly stream: Record<string, string>;
  readonly values: Array<[string, string] | [string, string, Record<string, string>]>;
}

/**
 * A stand-in for Loki that checks each request against the documented HTTP API (push JSON
 * shape, credentials, X-Scope-OrgID) and answers in Loki's documented shapes from what was
 * pushed to it. Loki cannot run here; this is the contract Ichigen's remote store relies on.
 */
class FakeLoki {
  readonly pushed: Pushed[] = [];
  readonly queries: Array<{ path: string; params: Record<string, string>; tenant: string | undefined }> = [];
  readonly problems: string[] = [];
  refuse: { status: number; body: string } | undefined;
  private server!: Server;
  private wss!: WebSocketServer;

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname !== '/loki/api/v1/tail' || req.headers.authorization !== `Bearer ${BACKEND_TOKEN}`) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const line = `tail of ${u.searchParams.get('query')} for ${String(req.headers['x-scope-orgid'])}`;
        ws.send(JSON.stringify({ streams: [{ stream: { app: 'shop' }, values: [[String(Date.now() * 1e6), line]] }] }));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://x');
    const tenant = req.headers['x-scope-orgid'] as string | undefined;
    if (req.headers.authorization !== `Bearer ${BACKEND_TOKEN}`) {
      this.problems.push(`${u.pathname}: authorization ${String(req.headers.authorization)}`);
      res.writeHead(401).end('no org id');
      return;
    }
    if (req.method === 'POST' && u.pathname === '/loki/api/v1/push') {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) this.problems.push(`push content-type ${String(req.headers['content-type'])}`);
      if (this.refuse) {
        res.writeHead(this.refuse.status, { 'content-type': 'text/plain' }).end(this.refuse.body);
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { streams: Array<{ stream: Record<string, string>; values: Pushed['values'] }> };
      for (const s of body.streams) {
        for (const v of s.values) if (typeof v[0] !== 'string' || !/^\d+$/.test(v[0]) || typeof v[1] !== 'string' || (v.length === 3 && typeof v[2] !== 'object')) this.problems.push(`push value ${JSON.stringify(v)}`);
        this.pushed.push({ tenant, stream: s.stream, values: s.values });
      }
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'GET') {
      this.problems.push(`${req.method} ${u.pathname}`);
      res.writeHead(405).end();
      return;
    }
    const params = Object.fromEntries(u.searchParams);
    this.queries.push({ path: u.pathname, params, tenant });
    const mine = this.pushed.filter((p) => p.tenant === tenant);
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    if (u.pathname === '/loki/api/v1/labels') return json(200, { status: 'success', data: [...new Set(mine.flatMap((p) => Object.keys(p.stream)))].sort() });
    if (u.pathname === '/loki/api/v1/query_range' && params.query?.includes('syntax error')) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('parse error at line 1, col 1: syntax error: unexpected IDENTIFIER');
      return;
    }
    if (u.pathname === '/loki/api/v1/query_range') {
      const result = mine.map((p) => ({ stream: p.stream, values: p.values.map((v) => [v[0], v[1]]) }));
      return json(200, { status: 'success', data: { resultType: 'streams', result, stats: { summary: { totalEntriesReturned: result.length } } } });
    }
    if (u.pathname === '/loki/api/v1/query') {
      const n = mine.reduce((a, p) => a + p.values.length, 0);
      return json(200, { status: 'success', data: { resultType: 'vector', result: [{ metric: { app: 'shop' }, value: [Number(params.time ?? 0), String(n)] }], stats: {} } });
    }
    json(404, { message: `unknown path ${u.pathname}` });
  }
}

// logs.backend: remote — pushes of every kind go to Loki's push API and the Loki query API is
// passed through, checked against a stand-in that holds the documented contract.
describe('remote log store (Loki)', () => {
  const loki = new FakeLoki();
  let ts: TestServer;
  let ingest: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-remote-logs-'));
  const rules = path.join(dir, 'logql-rules.yml');

  beforeAll(async () => {
    await loki.start();
    writeFileSync(rules, 'groups:\n  - name: shop-logs\n    interval: 1s\n    rules:\n      - record: shop:log_lines:count5m\n        expr: sum by (app) (count_over_time({app="shop"}[5m]))\n');
    ts = await startTestServer({
      config: { rules: { logql_files: [rules] }, logs: { backend: 'remote', remote_push_url: `${loki.url}/loki/api/v1/push`, remote_query_url: loki.url, remote_bearer_token: BACKEND_TOKEN, remote_tenant_header: true, remote_timeout: '5s' } },
    });
    ingest = (await ts.server.ctx.auth.tokens.create({ name: 'senders', scopes: ['ingest'], tenants: ['team-a'] })).secret;
  });

  afterAll(async () => {
    await ts?.stop();
    await loki.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes pino-loki and OpenTelemetry logs to Loki with the tenant, labels and structured metadata', async () => {
    const log = pino({ level: 'info' }, pinoLoki({ host: ts.url, basicAuth: { username: 'senders', password: ingest }, labels: { app: 'shop' }, batching: { interval: 0.1 }, silenceErrors: false }));
    log.warn({ order: 7 }, 'order 7 slow');
    await waitFor(async () => (loki.pushed.some((p) => p.values.some((v) => v[1].includes('order 7 slow'))) ? true : undefined), 'pino line at the backend', 15_000);
    const pinoPush = loki.pushed.find((p) => p.values.some((v) => v[1].includes('order 7 slow')))!;
    expect(pinoPush.tenant).toBe('team-a');
    expect(pinoPush.stream).toMatchObject({ app: 'shop' });

    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout' }),
      processors: [new SimpleLogRecordProcessor(new OTLPLogExporter({ url: `${ts.url}/v1/logs`, headers: { authorization: `Bearer ${ingest}` } }))],
    });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    provider.getLogger('remote-test').emit({ body: 'payment captured', context: trace.setSpanContext(context.active(), { traceId, spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED }) });
    await provider.forceFlush();
    await provider.shutdown();
    const otlp = loki.pushed.find((p) => p.values.some((v) => v[1] === 'payment captured'))!;
    expect(otlp.stream).toMatchObject({ service_name: 'checkout' });
    expect(otlp.values[0]![2]).toMatchObject({ trace_id: traceId, span_id: 'b7ad6b7169203331' });
    expect(loki.problems).toEqual([]);
  });

  it('passes the Loki query API to the backend unchanged, GET and form POST, and returns its answers', async () => {
    const auth = { authorization: `Bearer ${ts.adminToken}`, 'x-scope-orgid': 'team-a' };
    const q = new URLSearchParams({ query: '{app="shop"} |= "slow"', start: '1', end: String(Date.now() * 1e6), limit: '10', direction: 'backward' });
    const r = await fetch(`${ts.url}/loki/api/v1/query_range?${q.toString()}`, { headers: auth });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { data: { resultType: string; result: Array<{ values: [string, string][] }>; stats: unknown } };
    expect(body.data.resultType).toBe('streams');
    expect(body.data.result.flatMap((s) => s.values.map((v) => v[1]))).toContain(loki.pushed.find((p) => p.stream.app === 'shop')!.values[0]![1]);
    expect(loki.queries.at(-1)).toEqual({ path: '/loki/api/v1/query_range', params: Object.fromEntries(q), tenant: 'team-a' });

    // Grafana's Loki health check, as a form POST: forwarded as a GET with the same parameters.
    const form = await fetch(`${ts.url}/loki/api/v1/query`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=vector(1)%2Bvector(1)&time=1700000000' });
    expect(form.status).toBe(200);
    expect(loki.queries.at(-1)).toEqual({ path: '/loki/api/v1/query', params: { query: 'vector(1)+vector(1)', time: '1700000000' }, tenant: 'team-a' });

    const labels = (await (await fetch(`${ts.url}/loki/api/v1/labels`, { headers: auth })).json()) as { data: string[] };
    expect(labels.data).toEqual(expect.arrayContaining(['app', 'service_name']));

    // The backend's error, status and text as it gave them (Grafana shows Loki's message).
    const bad = await fetch(`${ts.url}/loki/api/v1/query_range?query=${encodeURIComponent('syntax error')}`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/^parse error at line 1/);
    // Still behind Ichigen's auth: no credentials, no backend call.
    const before = loki.queries.length;
    expect((await fetch(`${ts.url}/loki/api/v1/labels`)).status).toBe(401);
    expect(loki.queries.length).toBe(before);
  });

  it('runs LogQL rules on the backend and records their result', async () => {
    const expr = 'sum by (app) (count_over_time({app="shop"}[5m]))';
    await waitFor(async () => (loki.queries.some((q) => q.path === '/loki/api/v1/query' && q.params.query === expr) ? true : undefined), 'the rule query at the backend', 20_000);
    const recorded = await waitFor(async () => {
      const r = (await (await ts.fetch(`/api/v1/query?query=${encodeURIComponent('shop:log_lines:count5m')}`)).json()) as { data: { result: Array<{ metric: Record<string, string> }> } };
      return r.data.result[0];
    }, 'the recorded series', 20_000);
    expect(recorded.metric).toEqual({ __name__: 'shop:log_lines:count5m', app: 'shop' });
  });

  it('relays the backend live tail over WebSocket', async () => {
    const ws = new WebSocket(`${ts.url.replace(/^http/, 'ws')}/loki/api/v1/tail?query=${encodeURIComponent('{app="shop"}')}`, { headers: { authorization: `Bearer ${ts.adminToken}`, 'x-scope-orgid': 'team-a' } });
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (m: Buffer) => resolve(m.toString()));
      ws.once('error', reject);
      setTimeout(() => reject(new Error('no tail message in 10 s')), 10_000);
    });
    ws.close();
    const msg = JSON.parse(first) as { streams: Array<{ values: [string, string][] }> };
    expect(msg.streams[0]!.values[0]![1]).toBe('tail of {app="shop"} for team-a');
  });

  it('answers a refused push with the backend reason (400 not retried, 429 with Retry-After, 503 when unreachable) and never leaks the backend token', async () => {
    const push = (line: string): Promise<Response> =>
      fetch(`${ts.url}/loki/api/v1/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
        body: JSON.stringify({ streams: [{ stream: { app: 'shop' }, values: [[String(Date.now() * 1e6), line]] }] }),
      });
    loki.refuse = { status: 400, body: 'entry for stream {app="shop"} has timestamp too old' };
    const r400 = await push('refused');
    expect(r400.status).toBe(400);
    expect(await r400.text()).toMatch(/log backend answered 400 to a push: entry for stream .* too old/);
    loki.refuse = { status: 429, body: 'Ingestion rate limit exceeded' };
    const r429 = await push('limited');
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBeTruthy();
    loki.refuse = undefined;
    expect((await push('fine')).status).toBe(204);

    const ds = await (await ts.fetch('/api/ichigen/v1/status/datasources')).text();
    expect(JSON.parse(ds)).toMatchObject({ data: { logs: { backend: 'remote', bearerToken: true, tenantHeader: true } } });
    expect(ds).not.toContain(BACKEND_TOKEN);

    await loki.stop();
    const down = await push('nobody there');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBeTruthy();
    await loki.start();
  });
});
