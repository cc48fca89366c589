import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpTypes } from '../src/receive/otlp/index.js';
import { freePort } from './support/postgres.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures/instrumented-service.cjs');

function startService(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`service exited ${code}: ${err}`)));
  });
}

async function stopService(c: ChildProcess | undefined): Promise<void> {
  if (!c || c.exitCode !== null) return;
  const exited = new Promise((r) => c.on('exit', r));
  c.kill('SIGTERM');
  await exited;
}

describe('two real instrumented Node HTTP services', () => {
  let ts: TestServer;
  let frontend: ChildProcess | undefined;
  let backend: ChildProcess | undefined;
  let frontendPort = 0;

  beforeAll(async () => {
    ts = await startTestServer({ config: { traces: { span_metrics_interval: '1s', flush_interval: '1s' } } });
    const backendPort = await freePort();
    frontendPort = await freePort();
    const common = { OTLP_URL: `${ts.url}/v1/traces`, OTLP_TOKEN: ts.adminToken };
    backend = await startService({ ...common, SERVICE_NAME: 'backend', PORT: String(backendPort) });
    frontend = await startService({ ...common, SERVICE_NAME: 'frontend', PORT: String(frontendPort), DOWNSTREAM: `http://127.0.0.1:${backendPort}` });
  }, 60_000);

  afterAll(async () => {
    await stopService(frontend);
    await stopService(backend);
    await ts.stop();
  });

  it('arrives as one trace, opens by id as OTLP protobuf, and shows in the service graph', { timeout: 60_000 }, async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`http://127.0.0.1:${frontendPort}/checkout`)).status).toBe(200);

    // Search finds the frontend's server spans; each trace holds the whole call chain.
    const q = encodeURIComponent('{ resource.service.name = "frontend" && kind = server }');
    const found = await waitFor(async () => {
      const r = (await (await ts.fetch(`/api/search?q=${q}&limit=10`)).json()) as { traces: Array<{ traceID: string; serviceStats: Record<string, { spanCount: number }> }> };
      const whole = r.traces.filter((t) => t.serviceStats.frontend?.spanCount === 2 && t.serviceStats.backend?.spanCount === 1);
      return whole.length === 3 ? whole : undefined;
    }, 'three whole traces');

    const res = await ts.fetch(`/api/traces/${found[0]!.traceID}`, { headers: { accept: 'application/protobuf' } });
    expect(res.status).toBe(200);
    const data = otlpTypes.tracesData.toObject(otlpTypes.tracesData.decode(Buffer.from(await res.arrayBuffer())), { bytes: String, enums: String, longs: String }) as {
      resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Array<{ traceId: string; spanId: string; parentSpanId?: string; kind: string }> }> }>;
    };
    const spans = data.resourceSpans.flatMap((rs) => {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name')!.value.stringValue!;
      return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, service })));
    });
    expect(spans).toHaveLength(3);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const feServer = spans.find((s) => s.service === 'frontend' && s.kind === 'SPAN_KIND_SERVER')!;
    const feClient = spans.find((s) => s.service === 'frontend' && s.kind === 'SPAN_KIND_CLIENT')!;
    const beServer = spans.find((s) => s.service === 'backend' && s.kind === 'SPAN_KIND_SERVER')!;
    expect(feServer.parentSpanId ?? '').toBe('');
    expect(feClient.parentSpanId).toBe(feServer.spanId);
    expect(beServer.parentSpanId).toBe(feClient.spanId);

    // Service graph and RED metrics, through the PromQL API.
    const promql = async (expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> => {
      const r = (await (await ts.fetch(`/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      return r.data.result;
    };
    const edge = await waitFor(async () => {
      const r = await promql('traces_service_graph_request_total{client="frontend",server="backend"}');
      return r.length === 1 && Number(r[0]!.value[1]) === 3 ? r : undefined;
    }, 'the frontend → backend edge');
    expect(edge[0]!.metric).toMatchObject({ client: 'frontend', server: 'backend' });
    // The frontend's server span ends last and may reach the next metrics write after the edge.
    const want = { 'frontend/SPAN_KIND_SERVER': 3, 'frontend/SPAN_KIND_CLIENT': 3, 'backend/SPAN_KIND_SERVER': 3 };
    const byKey = await waitFor(async () => {
      const calls = await promql('sum by (service, span_kind) (traces_spanmetrics_calls_total)');
      const got = Object.fromEntries(calls.map((c) => [`${c.metric.service}/${c.metric.span_kind}`, Number(c.value[1])]));
      return Object.entries(want).every(([k, v]) => got[k] === v) ? got : undefined;
    }, 'RED metrics of all three spans');
    expect(byKey).toMatchObject(want);
    const latency = await promql('traces_spanmetrics_latency_count{service="backend"}');
    expect(Number(latency[0]!.value[1])).toBe(3);
  });
});
