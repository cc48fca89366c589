import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeExporter, startPrometheus, startVmagent, type Peer } from './support/peers.js';
import { REPO_ROOT, waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The README's "Send data" blocks, exactly as written there (only the server address and the
 * token filled in), run with the real clients: Prometheus 2.42 and vmagent 1.79 from Debian,
 * the OpenTelemetry JS SDK exporters configured by the environment alone, pino-loki, curl.
 * A README edit that breaks a sender fails here.
 */

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

function readmeBlock(name: string): string {
  const m = new RegExp(`<!-- readme-sender: ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(README);
  if (!m) throw new Error(`README has no readme-sender: ${name} block`);
  return m[1]!;
}

let ts: TestServer;
let token: string;
const peers: Peer[] = [];

/** The block with this server's address and an ingest token in place of the README's placeholders. */
function filled(name: string): string {
  const host = new URL(ts.url).host;
  return readmeBlock(name).replaceAll('http://ichigen.example:8910', ts.url).replaceAll('ichigen.example:8910', host).replaceAll('<INGEST_TOKEN>', token);
}

async function promQuery(query: string): Promise<{ metric: Record<string, string> }[]> {
  const res = await ts.fetch(`/api/v1/query?query=${encodeURIComponent(query)}`);
  return ((await res.json()) as { data: { result: { metric: Record<string, string> }[] } }).data.result;
}

async function logLines(selector: string): Promise<string[]> {
  const res = await ts.fetch(`/loki/api/v1/query_range?query=${encodeURIComponent(selector)}&start=${Date.now() - 3_600_000}000000&limit=100`);
  const body = (await res.json()) as { data: { result: { values: [string, string][] }[] } };
  return body.data.result.flatMap((r) => r.values.map(([, l]) => l));
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

beforeAll(async () => {
  ts = await startTestServer();
  token = (await ts.server.ctx.auth.tokens.create({ name: 'readme-senders', scopes: ['ingest'], tenants: ['default'] })).secret;
}, 60_000);

afterAll(async () => {
  for (const p of peers) await p.stop();
  await ts?.stop();
});

describe('README senders, run as written', () => {
  it('Prometheus: remote_write and alerting blocks deliver scraped samples and a firing alert', async () => {
    const node = await startNodeExporter();
    peers.push(node);
    const config = [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'rule_files: [rules.yml]',
      `scrape_configs: [{ job_name: readme-node, static_configs: [{ targets: ['127.0.0.1:${node.port}'] }] }]`,
      filled('prometheus'),
    ].join('\n');
    const rules = 'groups: [{ name: readme, rules: [{ alert: ReadmeSnippetAlert, expr: vector(1), labels: { severity: warning } }] }]\n';
    const prom = await startPrometheus(config, { 'rules.yml': rules });
    peers.push(prom);
    await waitFor(async () => ((await promQuery('node_load1{job="readme-node"}')).length === 1 ? true : undefined), 'remote-written node_load1', 60_000);
    await waitFor(
      async () => {
        const res = await ts.fetch('/api/v2/alerts?filter=alertname%3D%22ReadmeSnippetAlert%22');
        const alerts = (await res.json()) as { labels: Record<string, string> }[];
        return alerts.length === 1 && alerts[0]!.labels.severity === 'warning' ? true : undefined;
      },
      'the alert Prometheus sent',
      60_000,
    );
  }, 150_000);

  it('vmagent: the documented flags remote-write its scrapes', async () => {
    const node = await startNodeExporter();
    peers.push(node);
    const flags = filled('vmagent')
      .replace(/\\\n/g, ' ')
      .trim()
      .split(/\s+/);
    expect(flags[0]).toBe('vmagent');
    const byName = new Map(flags.slice(1).map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)] as const));
    expect([...byName.keys()].sort()).toEqual(['-promscrape.config', '-remoteWrite.bearerToken', '-remoteWrite.url']);
    const scrape = `scrape_configs: [{ job_name: readme-vmagent, scrape_interval: 1s, static_configs: [{ targets: ['127.0.0.1:${node.port}'] }] }]\n`;
    const vm = await startVmagent(byName.get('-remoteWrite.url')!, scrape, [`-remoteWrite.bearerToken=${byName.get('-remoteWrite.bearerToken')!}`]);
    peers.push(vm);
    await waitFor(async () => ((await promQuery('node_load1{job="readme-vmagent"}')).length === 1 ? true : undefined), 'vmagent samples', 60_000);
  }, 150_000);

  it('OpenTelemetry: the exporter environment alone sends traces, metrics and logs', async () => {
    const env = Object.fromEntries(
      filled('otlp-env')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
    );
    expect(Object.keys(env).sort()).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_PROTOCOL']);
    // An application with the SDK and the OTLP exporters, none given a URL or header in code.
    const app = `
      import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
      import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
      import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
      import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
      import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
      import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
      import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
      import { resourceFromAttributes } from '@opentelemetry/resources';
      const resource = resourceFromAttributes({ 'service.name': 'readme-otel' });
      const traces = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
      const span = traces.getTracer('readme').startSpan('GET /readme', { kind: 1 });
      span.end();
      const logs = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor(new OTLPLogExporter())] });
      logs.getLogger('readme').emit({ body: 'hello from the README', severityText: 'INFO', severityNumber: 9 });
      const meters = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: 60000 })] });
      meters.getMeter('readme').createCounter('readme_requests').add(3);
      await Promise.all([traces.shutdown(), logs.shutdown(), meters.shutdown()]);
      console.log(span.spanContext().traceId);
    `;
    const { code, out } = await run(process.execPath, ['--input-type=module', '-e', app], env);
    expect(code, out).toBe(0);
    const traceId = out.trim().split('\n').at(-1)!;
    expect((await ts.fetch(`/api/traces/${traceId}`)).status).toBe(200);
    expect(await logLines('{service_name="readme-otel"}')).toEqual(['hello from the README']);
    expect(await promQuery('readme_requests_total{job="readme-otel"}')).toHaveLength(1);
  }, 90_000);

  it('pino-loki: the documented transport ships the log line', async () => {
    const { code, out } = await run(process.execPath, ['--input-type=module', '-e', filled('pino-loki')], { ICHIGEN_TOKEN: token });
    expect(code, out).toBe(0);
    await waitFor(async () => ((await logLines('{app="checkout"}')).length === 1 ? true : undefined), 'the pino-loki line', 30_000);
    const [line] = await logLines('{app="checkout"}');
    expect(JSON.parse(line!)).toMatchObject({ orderId: 42, msg: 'order placed' });
  }, 60_000);

  it('curl: the documented Loki push answers 204 and the line is stored', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', `${filled('loki-curl').trim()} -w '%{http_code}'`], { env: { ...process.env, ICHIGEN_TOKEN: token } }, (e, stdout, stderr) =>
        e ? reject(new Error(`${e.message}: ${stderr}`)) : resolve(stdout),
      ),
    );
    expect(out).toBe('204');
    expect(await logLines('{app="demo"}')).toEqual(['hello from curl']);
  }, 30_000);
});
