import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { pinoLoki } from 'pino-loki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startNodeExporter, startPrometheus, type Peer } from './support/peers.js';
import { waitFor } from './support/process.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from './support/server.js';
import { openAsAdmin, screenshot, signIn } from './ui-support/browser.js';

type Vector = { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };

/** Server spans of two services through the OpenTelemetry SDK (batched, OTLP/HTTP JSON); every third api request fails. */
async function sendRequests(url: string, token: string, n: number): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, headers: { authorization: `Bearer ${token}` } });
  const providers = ['api', 'worker'].map((s) => new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': s }), spanProcessors: [new BatchSpanProcessor(exporter)] }));
  for (let i = 0; i < n; i++) {
    const span = providers[0]!.getTracer('ui-test').startSpan('GET /items', { kind: SpanKind.SERVER }, context.active());
    if (i % 3 === 0) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    if (i % 2 === 0) providers[1]!.getTracer('ui-test').startSpan('job', { kind: SpanKind.CONSUMER }, trace.setSpan(context.active(), span)).end();
  }
  for (const p of providers) await p.forceFlush();
  await exporter.shutdown();
}

// The overview end to end: Prometheus 2.42 remote write, pino-loki and the OpenTelemetry SDK feed a
// real Ichigen whose own metrics are self-scraped every second; Chromium reads the figures.
describe('web UI: overview (real senders)', () => {
  let ts: TestServer;
  let node: Peer;
  let prom: Peer;
  let browser: Browser;
  let page: Page;
  const query = async (q: string): Promise<Vector['data']['result']> => ((await (await ts.fetch(`/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as Vector).data.result;

  beforeAll(async () => {
    ts = await startTestServer({ config: { metrics: { self_scrape_interval: '1s' }, traces: { span_metrics_interval: '1s' } } });
    const { secret } = await ts.server.ctx.auth.tokens.create({ name: 'senders', scopes: ['ingest'], tenants: ['default'] });
    node = await startNodeExporter();
    prom = await startPrometheus(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:${node.port}']
remote_write:
  - url: ${ts.url}/api/v1/write
    authorization:
      credentials: ${secret}
    queue_config: { batch_send_deadline: 200ms, min_backoff: 50ms, max_backoff: 1s }
`);
    // The counters' first self-scraped values come before any data, so the data is an increase.
    await waitFor(async () => ((await query('ichigen_ingested_total')).length === 3 ? true : undefined), 'first self-scrape', 20_000);
    const log = pino({ level: 'info' }, pinoLoki({ host: ts.url, basicAuth: { username: 'pino', password: secret }, labels: { app: 'shop' }, batching: { interval: 0.2 }, silenceErrors: false }));
    for (let i = 0; i < 300; i++) log.info({ i }, `line ${i}`);
    await sendRequests(ts.url, secret, 30);
    // Counters need a second written value for rate(): more requests after a span-metrics write.
    await new Promise((r) => setTimeout(r, 1500));
    await sendRequests(ts.url, secret, 30);
    // Two refused ingest requests: a wrong token, and a body that is not a remote-write request.
    expect((await fetch(`${ts.url}/api/v1/write`, { method: 'POST', headers: { authorization: 'Bearer wrong' }, body: 'x' })).status).toBe(401);
    expect((await fetch(`${ts.url}/loki/api/v1/push`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: '{"streams":[{"stream":{},"values":[["x"]]}]}' })).status).toBe(400);
    await waitFor(async () => {
      const r = await query('sum by (signal) (rate(ichigen_ingested_total[5m])) > 0');
      return r.length === 3 ? true : undefined;
    }, 'samples, lines and spans in the self-scraped counters', 60_000);
    await waitFor(async () => ((await query('sum(rate(traces_spanmetrics_calls_total{service="api"}[5m])) > 0')).length === 1 ? true : undefined), 'span metrics of api', 30_000);
    await waitFor(async () => ((await query('sum(rate(ichigen_ingest_rejected_requests_total[5m])) > 0')).length === 1 ? true : undefined), 'refused requests scraped', 30_000);
    ({ browser, page } = await openAsAdmin(ts.url));
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await prom?.stop();
    await node?.stop();
    await ts?.stop();
  });

  it('counts what each store accepted in ichigen_ingested_total', async () => {
    const text = await (await ts.fetch('/metrics')).text();
    const value = (signal: string): number => Number(new RegExp(`^ichigen_ingested_total\\{signal="${signal}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('log_lines')).toBe(300);
    expect(value('spans')).toBe(90);
    expect(value('samples')).toBeGreaterThan(100);
    const refused = (signal: string): number => Number(new RegExp(`^ichigen_ingest_rejected_requests_total\\{signal="${signal}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    expect([refused('samples'), refused('log_lines'), refused('spans')]).toEqual([1, 1, 0]);
  });

  it('shows the busiest services, ingest rates with the refused requests, and storage use', async () => {
    await page.click('nav >> text=Overview');
    const services = page.locator('section:has(#ov-services)');
    await services.locator('tbody tr').first().waitFor();
    const rows = await services.locator('tbody tr').allTextContents();
    expect(rows[0]).toMatch(/^ api/);
    expect(rows[0]).toMatch(/req\/(s|min)/);
    // A third of api's requests failed.
    expect(rows[0]).toMatch(/3\d(\.\d)?%/);
    expect(rows.some((r) => r.includes('worker'))).toBe(true);
    const ingest = page.locator('section:has(#ov-ingest)');
    await ingest.locator('.stat').first().waitFor();
    const stats = await ingest.locator('.stat').allTextContents();
    expect(stats[0]).toMatch(/[1-9][\d.]*k? samples\/(s|min)Metric samples/);
    expect(stats[1]).toMatch(/[1-9][\d.]* lines\/(s|min)Log lines/);
    expect(stats[2]).toMatch(/[1-9][\d.]* spans\/(s|min)Spans/);
    expect(stats[3]).toMatch(/^[1-9][\d.]* req\/(s|min|h)Rejected ingest requests/);
    expect(await ingest.locator('.stat-bad').count()).toBe(1);
    await ingest.locator('canvas').first().waitFor();
    const storage = await page.locator('section:has(#ov-storage) tbody').textContent();
    expect(storage).toMatch(/Metricsembedded\d/);
    expect(storage).toContain('15d');
    expect(storage).toContain('30d');
    await screenshot(page, '02-overview-services-ingest-storage');
  });

  it('fits a phone, and storage status is readable while data sources are admin-only', async () => {
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP' })).newPage();
    await signIn(phone, ts.url, 'admin', TEST_ADMIN_PASSWORD);
    await phone.locator('section:has(#ov-services) tbody tr').first().waitFor();
    expect(await phone.textContent('#ov-ingest')).toBe('取り込み（直近 5 分）');
    // Nothing wider than the screen but the tables' own scroll boxes.
    expect(await phone.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(phone, '03-overview-phone-ja');
    await phone.close();
    const { secret: read } = await ts.server.ctx.auth.tokens.create({ name: 'reader', scopes: ['read'], tenants: ['default'] });
    const as = (token: string, p: string): Promise<Response> => fetch(`${ts.url}${p}`, { headers: { authorization: `Bearer ${token}` } });
    const storage = (await (await as(read, '/api/ichigen/v1/status/storage')).json()) as { data: { metrics: { bytes: number }; logs: { bytes: number } } };
    expect(storage.data.metrics.bytes).toBeGreaterThan(0);
    expect(storage.data.logs.bytes).toBeGreaterThan(0);
    expect((await as(read, '/api/ichigen/v1/status/datasources')).status).toBe(403);
    const ds = (await (await as(ts.adminToken, '/api/ichigen/v1/status/datasources')).json()) as { data: { metrics: { backend: string; selfScrapeIntervalMs: number } } };
    expect(ds.data.metrics).toMatchObject({ backend: 'embedded', selfScrapeIntervalMs: 1000 });
  });
});
