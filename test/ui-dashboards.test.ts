import pino from 'pino';
import { pinoLoki } from 'pino-loki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';
import { openAsAdmin, screenshot } from './ui-support/browser.js';

type Vector = { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };

const LATENCY = 'sum by (le) (rate(ichigen_http_request_duration_seconds_bucket[1m]))';

// Heatmap and logs panels end to end: the histogram is Ichigen's own request-duration
// histogram (self-scraped every second, real HTTP traffic), the lines come through pino-loki.
describe('web UI: heatmap and logs panels', () => {
  let ts: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ts = await startTestServer({ config: { metrics: { self_scrape_interval: '1s' } } });
    const { secret } = await ts.server.ctx.auth.tokens.create({ name: 'pino', scopes: ['ingest'], tenants: ['default'] });
    const log = pino({ level: 'info' }, pinoLoki({ host: ts.url, basicAuth: { username: 'pino', password: secret }, labels: { app: 'shop' }, batching: { interval: 0.2 }, silenceErrors: false }));
    for (let i = 0; i < 40; i++) {
      if (i % 10 === 0) log.error({ order: i }, `order ${i} failed: card declined`);
      else log.info({ order: i }, `order ${i} placed`);
    }
    // Requests of several durations for the histogram: cheap reads, and slower queries.
    await waitFor(async () => {
      await Promise.all([ts.fetch('/api/v1/labels'), ts.fetch('/api/v1/query?query=sum(rate(ichigen_http_requests_total[1m]))'), ts.fetch('/loki/api/v1/labels')]);
      const r = (await (await ts.fetch(`/api/v1/query?query=${encodeURIComponent(`count(${LATENCY} > 0)`)}`)).json()) as Vector;
      return Number(r.data.result[0]?.value[1] ?? 0) >= 2 ? true : undefined;
    }, 'a request-duration histogram with two non-empty buckets', 60_000);
    await waitFor(async () => {
      const r = (await (await ts.fetch(`/loki/api/v1/query?query=${encodeURIComponent('sum(count_over_time({app="shop"}[10m]))')}`)).json()) as Vector;
      return Number(r.data.result[0]?.value[1] ?? 0) >= 40 ? true : undefined;
    }, 'log lines stored', 30_000);
    ({ browser, page } = await openAsAdmin(ts.url));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ts?.stop();
  });

  it('adds a heatmap of histogram buckets and a logs panel, saves, and both come back after a reload', async () => {
    await page.click('nav >> text=Dashboards');
    await page.click('button:has-text("New dashboard")');
    await page.fill('input[name=new-dashboard-title]', 'Service health');
    await page.click('form >> button:has-text("Create")');
    await page.waitForURL(/\/dashboards\/[^/]+$/);
    // The last five minutes: five-second heatmap columns, so the minute of data fills several.
    await page.click('button:has-text("Last 1h")');
    await page.click('.picker-presets >> text=Last 5m');
    await page.click('button:has-text("Edit")');
    await page.click('button:has-text("Add panel")');
    await page.fill('input[name=panel-title]', 'Request latency');
    await page.selectOption('select[name=panel-type]', 'heatmap');
    await page.selectOption('select[name=panel-unit]', 'seconds');
    await page.locator('.modal .promql-editor .cm-content').click();
    await page.keyboard.type(LATENCY);
    await page.keyboard.press('Escape');
    await page.click('.modal >> button:has-text("Apply")');
    await page.click('button:has-text("Add panel")');
    await page.fill('input[name=panel-title]', 'Failed orders');
    await page.selectOption('select[name=panel-type]', 'logs');
    // The query editor follows the panel type: LogQL for a logs panel.
    await page.locator('.modal .logql-editor .cm-content').click();
    await page.keyboard.type('{app="shop"} |= "failed"');
    await page.keyboard.press('Escape');
    await page.click('.modal >> button:has-text("Apply")');
    await page.click('.page-actions >> button:has-text("Save")');
    await page.waitForSelector('.page-actions >> text=v2');
    await page.reload();
    const heat = page.locator('.dash-panel[aria-label="Request latency"] .heatmap canvas');
    await heat.waitFor();
    expect(await heat.getAttribute('aria-label')).toMatch(/^Heatmap of \d+ buckets over \d+ steps$/);
    // Hovering a cell names its time, bucket bounds (seconds) and value.
    const box = (await heat.boundingBox())!;
    await page.mouse.move(box.x + box.width - 20, box.y + box.height - 30);
    await page.waitForSelector('.heatmap-tip');
    expect(await page.textContent('.heatmap-tip')).toMatch(/\(-Inf, [\d.]+(ms|µs)\]: /);
    const logs = page.locator('.dash-panel[aria-label="Failed orders"] .log-row');
    await expect.poll(() => logs.count()).toBe(4);
    expect(await page.locator('.dash-panel[aria-label="Failed orders"] .log-row.lvl-error').count()).toBe(4);
    await screenshot(page, '26-dashboard-heatmap-logs');
    // A line opens its query in Explore logs.
    await logs.first().click();
    await page.waitForURL(/\/explore\/logs\?/);
    await page.waitForSelector('text=4 lines');
  });

  it('imports Grafana heatmap and logs panels', async () => {
    const grafana = {
      title: 'Imported service',
      time: { from: 'now-5m', to: 'now' },
      panels: [
        { type: 'heatmap', title: 'Latency', gridPos: { x: 0, y: 0, w: 12, h: 8 }, fieldConfig: { defaults: { unit: 's' } }, targets: [{ expr: LATENCY, format: 'heatmap' }] },
        { type: 'logs', title: 'Shop logs', datasource: { type: 'loki', uid: 'loki' }, gridPos: { x: 12, y: 0, w: 12, h: 8 }, targets: [{ expr: '{app="shop"}' }] },
        // LogQL metric queries in metric panels (the panel's data source is Loki).
        { type: 'stat', title: 'Failures', datasource: { type: 'loki', uid: 'loki' }, gridPos: { x: 0, y: 8, w: 6, h: 4 }, targets: [{ expr: 'sum(count_over_time({app="shop"} |= "failed" [10m]))' }] },
        { type: 'timeseries', title: 'Lines by level', datasource: { type: 'loki', uid: 'loki' }, gridPos: { x: 6, y: 8, w: 18, h: 8 }, targets: [{ expr: 'sum by (level) (count_over_time({app="shop"} | json [1m]))', legendFormat: '{{level}}' }] },
      ],
    };
    await page.click('nav >> text=Dashboards');
    await page.click('button:has-text("Import Grafana JSON")');
    await page.fill('textarea[name=grafana-json]', JSON.stringify(grafana));
    await page.click('button:has-text("Check")');
    await page.click('button:has-text("Import 4 panels")');
    await page.waitForSelector('.dash-panel[aria-label="Latency"] .heatmap canvas');
    await expect.poll(() => page.locator('.dash-panel[aria-label="Shop logs"] .log-row').count()).toBeGreaterThan(10);
    await expect.poll(() => page.textContent('.dash-panel[aria-label="Failures"] .stat-big')).toBe('4');
    await page.waitForSelector('.dash-panel[aria-label="Lines by level"] canvas');
    const legend = (await page.locator('.dash-panel[aria-label="Lines by level"] .legend li').allTextContents()).join(' ');
    expect(legend).toContain('info');
    expect(legend).toContain('error');
    await screenshot(page, '27-dashboard-logql-metrics');
  });
});
