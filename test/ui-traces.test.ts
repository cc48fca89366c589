import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { waitFor } from './support/process.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from './support/server.js';
import { launchBrowser, screenshot, signIn } from './ui-support/browser.js';

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

// Explore traces end to end: OpenTelemetry JS SDK → OTLP/HTTP → Ichigen's trace store → Tempo API → Chromium.
describe('web UI: Explore traces (OpenTelemetry SDK)', () => {
  let ts: TestServer;
  let browser: Browser;
  let page: Page;
  let traceId: string;

  beforeAll(async () => {
    ts = await startTestServer();
    const { secret } = await ts.server.ctx.auth.tokens.create({ name: 'otel', scopes: ['ingest'], tenants: ['default'] });
    traceId = await sendTrace(ts.url, secret);
    await waitFor(async () => ((await ts.fetch(`/api/v2/traces/${traceId}`)).status === 200 && ((await (await ts.fetch(`/api/v2/traces/${traceId}`)).json()) as { trace: { resourceSpans?: unknown[] } }).trace.resourceSpans?.length === 3 ? true : undefined), 'trace stored', 20_000);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })).newPage();
    await signIn(page, ts.url, 'admin', TEST_ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await ts?.stop();
  });

  it('finds the trace with a TraceQL search and opens its waterfall', async () => {
    await page.click('nav >> text=Traces');
    await page.fill('input[name=traceql]', '{ resource.service.name = "checkout" && status = error }');
    await page.click('button:has-text("Search")');
    await page.waitForSelector(`td >> text=${traceId}`);
    expect(await page.locator('tbody tr').count()).toBe(1);
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
});
