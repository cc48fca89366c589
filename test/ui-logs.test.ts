import pino from 'pino';
import { pinoLoki } from 'pino-loki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { waitFor } from './support/process.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from './support/server.js';
import { launchBrowser, screenshot, signIn } from './ui-support/browser.js';

const LINES = 5000;

// Explore logs end to end: pino → pino-loki (Loki push) → Ichigen → Loki query API → Chromium.
describe('web UI: Explore logs (pino-loki)', () => {
  let ts: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ts = await startTestServer();
    const { secret } = await ts.server.ctx.auth.tokens.create({ name: 'pino', scopes: ['ingest'], tenants: ['default'] });
    const stream = pinoLoki({ host: ts.url, basicAuth: { username: 'pino', password: secret }, labels: { app: 'checkout' }, batching: { interval: 0.2 }, silenceErrors: false });
    const log = pino({ level: 'debug' }, stream);
    for (let i = 0; i < LINES - 2; i++) log.info({ order: i }, `order ${i} placed`);
    log.warn({ order: 'x' }, 'payment slow');
    log.error({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }, 'payment failed');
    await waitFor(async () => {
      const r = (await (await ts.fetch(`/loki/api/v1/query?query=${encodeURIComponent('sum(count_over_time({app="checkout"}[10m]))')}`)).json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      return Number(r.data?.result?.[0]?.value[1] ?? 0) >= LINES ? true : undefined;
    }, 'lines stored', 40_000);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })).newPage();
    await signIn(page, ts.url, 'admin', TEST_ADMIN_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ts?.stop();
  });

  it('searches, colours levels, keeps 5,000 lines virtualised, and opens a line with its fields', async () => {
    await page.click('nav >> text=Logs');
    await page.fill('input[name=logql]', '{app="checkout"}');
    await page.click('form >> button:has-text("Run query")');
    await page.waitForSelector(`text=${LINES} lines`);
    // Only the rows in view are in the DOM.
    expect(await page.locator('.log-row').count()).toBeLessThan(120);
    await page.waitForSelector('.volume canvas');
    await page.locator('.log-row >> nth=0').waitFor();
    await screenshot(page, '40-explore-logs');
    // Scrolling to the oldest line renders it.
    await page.locator('.log-list').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForSelector('.log-row >> text=order 0 placed');
    // A line filter; the error line is coloured and opens with its labels, fields and trace link.
    await page.fill('input[name=logql]', '{app="checkout"} |= "payment"');
    await page.click('form >> button:has-text("Run query")');
    await page.waitForSelector('text=2 lines');
    expect(await page.locator('.log-row.lvl-error').count()).toBe(1);
    expect(await page.locator('.log-row.lvl-warn').count()).toBe(1);
    await page.click('.log-row.lvl-error');
    const details = page.locator('.log-details');
    await details.waitFor();
    expect(await details.textContent()).toContain('payment failed');
    expect(await details.textContent()).toContain('app');
    await screenshot(page, '41-explore-logs-line');
    expect(await page.getAttribute('.log-details a', 'href')).toBe('/explore/traces/4bf92f3577b34da6a3ce929d0e0e4736');
  });
});
