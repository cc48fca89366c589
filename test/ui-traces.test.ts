import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, RandomIdGenerator, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { pinoLoki } from 'pino-loki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';
import { openAsAdmin, screenshot } from './ui-support/browser.js';

/** Sends one three-service trace with the OpenTelemetry JS SDK over OTLP/HTTP JSON; returns its id. */
async function sendTrace(url: string, token: string): Promise<string> {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, headers: { authorization: `Bearer ${token}` } });
  const mk = (service: string): BasicTracerProvider => new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const web = mk('web');
  const checkout = mk('checkout');
  const db = mk('postgres');
  const root = web.getTracer('ui-test').startSpan('GET /checkout', { kind: SpanKind.SERVER, attributes: { 'http.route': '/checkout', 'http.status_code': 500 } });
  const rootCtx = trace.setSpan(context.active(), root);
  const call = checkout.getTracer('ui-test').startSpan('POST /orders', { kind: SpanKind.SERVER, attributes: { 'order.items': 3 } }, rootCtx);
  const query = db.getTracer('ui-test').startSpan('INSERT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }, trace.setSpan(rootCtx, call));
  await new Promise((r) => setTimeout(r, 15));
  query.addEvent('row inserted', { rows: 1 });
  query.end();
  call.setStatus({ code: SpanStatusCode.ERROR, message: 'payment declined' });
  call.end();
  root.end();
  for (const p of [db, checkout, web]) await p.forceFlush();
  await exporter.shutdown();
  return root.spanContext().traceId;
}

/**
 * A call chain as HTTP instrumentation records it: each hop is a client span in the caller and
 * a server span in the callee (what the service graph pairs). The orders server span fails.
 */
async function sendChain(url: string, token: string): Promise<string> {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, headers: { authorization: `Bearer ${token}` } });
  // Trace ids with leading zeros (random ids have one 1 time in 16): Tempo's search answer
  // drops them, and the page must still show and open the id as sent.
  const ids = new RandomIdGenerator();
  const idGenerator = { generateTraceId: () => `00${ids.generateTraceId().slice(2)}`, generateSpanId: () => ids.generateSpanId() };
  const mk = (service: string): BasicTracerProvider => new BasicTracerProvider({ idGenerator, resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const providers = { frontend: mk('frontend'), orders: mk('orders'), payments: mk('payments') };
  const span = (svc: keyof typeof providers, name: string, kind: SpanKind, parent?: ReturnType<typeof trace.setSpan>): ReturnType<ReturnType<BasicTracerProvider['getTracer']>['startSpan']> => providers[svc].getTracer('ui-test').startSpan(name, { kind }, parent);
  const root = span('frontend', 'GET /shop', SpanKind.SERVER);
  const c1 = span('frontend', 'POST orders', SpanKind.CLIENT, trace.setSpan(context.active(), root));
  const s1 = span('orders', 'POST /orders', SpanKind.SERVER, trace.setSpan(context.active(), c1));
  const c2 = span('orders', 'POST payments', SpanKind.CLIENT, trace.setSpan(context.active(), s1));
  const s2 = span('payments', 'POST /charge', SpanKind.SERVER, trace.setSpan(context.active(), c2));
  await new Promise((r) => setTimeout(r, 5));
  s2.end();
  c2.end();
  s1.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  s1.end();
  c1.end();
  root.end();
  for (const p of Object.values(providers)) await p.forceFlush();
  await exporter.shutdown();
  return root.spanContext().traceId;
}

type Prom = { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };

// Explore traces end to end: OpenTelemetry JS SDK → OTLP/HTTP → Ichigen's trace store → Tempo API → Chromium.
describe('web UI: Explore traces (OpenTelemetry SDK)', () => {
  let ts: TestServer;
  let browser: Browser;
  let page: Page;
  let traceId: string;
  let chainId: string;

  beforeAll(async () => {
    // Span metrics written every second, so the service graph has a rate within the test.
    ts = await startTestServer({ config: { traces: { span_metrics_interval: '1s' } } });
    const { secret } = await ts.server.ctx.auth.tokens.create({ name: 'otel', scopes: ['ingest'], tenants: ['default'] });
    traceId = await sendTrace(ts.url, secret);
    await waitFor(async () => ((await ts.fetch(`/api/v2/traces/${traceId}`)).status === 200 && ((await (await ts.fetch(`/api/v2/traces/${traceId}`)).json()) as { trace: { resourceSpans?: unknown[] } }).trace.resourceSpans?.length === 3 ? true : undefined), 'trace stored', 20_000);
    const prom = async (q: string): Promise<Prom['data']['result']> => ((await (await ts.fetch(`/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as Prom).data.result;
    chainId = await sendChain(ts.url, secret);
    await waitFor(async () => ((await prom('traces_service_graph_request_total')).length === 2 ? true : undefined), 'service graph edges', 20_000);
    // A second request after a write: the counters grow, so rate() has two samples to work with.
    chainId = await sendChain(ts.url, secret);
    await waitFor(async () => ((await prom('sum(increase(traces_service_graph_request_total[1m])) > 0')).length === 1 ? true : undefined), 'service graph rate', 20_000);
    // orders logs the trace id (pino → pino-loki), under Loki's usual service_name label.
    const log = pino({ level: 'info' }, pinoLoki({ host: ts.url, basicAuth: { username: 'otel', password: secret }, labels: { service_name: 'orders' }, batching: { interval: 0.1 }, silenceErrors: false }));
    log.error({ trace_id: chainId }, 'order rejected: card declined');
    log.info('unrelated line');
    await waitFor(async () => {
      const r = (await (await ts.fetch(`/loki/api/v1/query?query=${encodeURIComponent('sum(count_over_time({service_name="orders"}[10m]))')}`)).json()) as Prom;
      return Number(r.data.result[0]?.value[1] ?? 0) >= 2 ? true : undefined;
    }, 'orders logs stored', 20_000);
    // payments logs through the OpenTelemetry logs SDK: the trace id travels as OTLP's
    // traceId field (structured metadata trace_id in Loki 3's mapping), not in the line.
    const logs = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'payments' }),
      processors: [new SimpleLogRecordProcessor(new OTLPLogExporter({ url: `${ts.url}/v1/logs`, headers: { authorization: `Bearer ${secret}` } }))],
    });
    const inChain = trace.setSpanContext(context.active(), { traceId: chainId, spanId: 'a1b2c3d4e5f60718', traceFlags: TraceFlags.SAMPLED });
    logs.getLogger('ui-test').emit({ body: 'charge refused by issuer', severityNumber: SeverityNumber.WARN, context: inChain });
    logs.getLogger('ui-test').emit({ body: 'unrelated payments line', severityNumber: SeverityNumber.INFO });
    await logs.forceFlush();
    await logs.shutdown();
    await waitFor(async () => {
      const r = (await (await ts.fetch(`/loki/api/v1/query?query=${encodeURIComponent('sum(count_over_time({service_name="payments"}[10m]))')}`)).json()) as Prom;
      return Number(r.data.result[0]?.value[1] ?? 0) >= 2 ? true : undefined;
    }, 'payments logs stored', 20_000);
    ({ browser, page } = await openAsAdmin(ts.url));
  });

  afterAll(async () => {
    await browser?.close();
    await ts?.stop();
  });

  it('finds the trace with a TraceQL search and opens its waterfall', async () => {
    await page.click('nav >> text=Traces');
    await page.fill('input[name=traceql]', '{ resource.service.name = "checkout" && status = error }');
    await page.click('form >> button:has-text("Search")');
    await page.waitForSelector(`td >> text=${traceId}`);
    // The page's first search ({} on opening) finds the call-chain traces too; this one only ours.
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.textContent('tbody')).toContain('GET /checkout');
    await screenshot(page, '30-explore-traces-search');
    await page.click('tbody >> text=GET /checkout');
    await page.waitForSelector('.wf-row');
    const rows = await page.locator('.wf-row').allTextContents();
    expect(rows).toHaveLength(3);
    // Parent before child, indented by depth; the erroring span is marked; all on the critical path.
    expect(rows[0]).toContain('GET /checkout');
    expect(rows[1]).toContain('POST /orders');
    expect(rows[2]).toContain('INSERT orders');
    expect(await page.getAttribute('.wf-row >> nth=2', 'aria-level')).toBe('3');
    expect(await page.locator('.wf-row.err').count()).toBe(1);
    expect(await page.locator('.wf-bar.crit').count()).toBe(3);
  });

  it('shows a span’s attributes, events and resource', async () => {
    await page.click('.wf-row:has-text("INSERT orders")');
    const details = page.locator('.span-details');
    await details.waitFor();
    const text = await details.textContent();
    expect(text).toContain('db.system');
    expect(text).toContain('postgresql');
    expect(text).toContain('row inserted');
    expect(text).toContain('service.name');
    await screenshot(page, '31-trace-waterfall');
    await page.click('.wf-row:has-text("POST /orders")');
    expect(await details.textContent()).toContain('payment declined');
  });

  it('draws the service graph from span metrics, and a service opens its traces', async () => {
    await page.click('nav >> text=Traces');
    await page.click('[role=tab]:has-text("Service graph")');
    await page.locator('.sg-node').first().waitFor();
    expect((await page.locator('.sg-node .sg-name').allTextContents()).sort()).toEqual(['frontend', 'orders', 'payments']);
    // Left to right by call depth.
    const x = async (name: string): Promise<number> => Number(await page.locator(`.sg-node:has-text("${name}") rect`).getAttribute('x'));
    expect(await x('frontend')).toBeLessThan(await x('orders'));
    expect(await x('orders')).toBeLessThan(await x('payments'));
    const rows = await page.locator('table.table tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    // frontend → orders failed (the orders server span is an error); orders → payments did not.
    const edge = rows.find((r) => r.startsWith(' frontend'))!;
    expect(edge).toContain('orders');
    expect(edge).toMatch(/\d+(\.\d+)?%/);
    expect(await page.locator('.sg-edge.err').count()).toBe(1);
    await screenshot(page, '32-service-graph');
    // Keyboard: a node is a link; Enter on it shows that service's traces.
    await page.locator('.sg-node:has-text("payments")').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector(`td >> text=${chainId}`);
    expect(await page.inputValue('input[name=traceql]')).toBe('{ resource.service.name = "payments" }');
  });

  it('links a span to its logs by trace id and to its operation’s span metrics', async () => {
    await page.goto(`${ts.url}/explore/traces/${chainId}`);
    await page.click('.wf-row:has-text("POST /orders")');
    await page.click('button:has-text("Logs with this trace id")');
    await page.waitForURL(/\/explore\/logs/);
    await page.waitForSelector('text=1 lines');
    expect(await page.locator('.logql-editor .cm-content').textContent()).toBe(`{service_name="orders"} |= "${chainId}"`);
    expect(await page.textContent('.log-row')).toContain('order rejected');
    await page.goBack();
    await page.click('.wf-row:has-text("POST /orders")');
    await page.click('a:has-text("Call rate of this operation")');
    await page.waitForURL(/\/explore\/metrics/);
    await expect.poll(() => page.locator('.legend li').count()).toBeGreaterThan(0);
    expect(await page.textContent('.legend')).toContain('status_code="STATUS_CODE_ERROR"');
    expect(await page.locator('.promql-editor .cm-content').textContent()).toContain('span_name="POST /orders"');
    await screenshot(page, '33-span-metrics-link');
  });

  it('links a span to OTLP logs by their trace_id metadata', async () => {
    await page.goto(`${ts.url}/explore/traces/${chainId}`);
    await page.click('.wf-row:has-text("POST /charge")');
    await page.click('button:has-text("Logs with this trace id")');
    await page.waitForURL(/\/explore\/logs/);
    await page.waitForSelector('text=1 lines');
    expect(await page.locator('.logql-editor .cm-content').textContent()).toBe(`{service_name="payments"} | trace_id="${chainId}"`);
    expect(await page.textContent('.log-row')).toContain('charge refused by issuer');
  });
});
