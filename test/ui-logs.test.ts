import pino from 'pino';
import { pinoLoki } from 'pino-loki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';
import { openAsAdmin, screenshot } from './ui-support/browser.js';

const LINES = 5000;

/** The bits of the browser's DOM the page functions below use (tests compile without DOM types). */
interface Dom {
  getComputedStyle(el: unknown): { color: string; getPropertyValue(name: string): string };
  document: { documentElement: unknown };
}

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
    // A second stream with one line per millisecond (pino's own timestamp hook), so the lines
    // around a line have one order for "show context".
    let tick = Date.now() - 60_000;
    const billing = pino({ level: 'info', timestamp: () => `,"time":${tick++}` }, pinoLoki({ host: ts.url, basicAuth: { username: 'pino', password: secret }, labels: { app: 'billing' }, batching: { interval: 0.2 }, silenceErrors: false }));
    for (let i = 0; i < 200; i++) billing.info({ invoice: i }, `invoice ${i} sent`);
    await waitFor(async () => {
      const r = (await (await ts.fetch(`/loki/api/v1/query?query=${encodeURIComponent('sum(count_over_time({app=~"checkout|billing"}[10m]))')}`)).json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      return Number(r.data?.result?.[0]?.value[1] ?? 0) >= LINES + 200 ? true : undefined;
    }, 'lines stored', 40_000);
    ({ browser, page } = await openAsAdmin(ts.url));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await ts?.stop();
  });

  const editor = (): ReturnType<Page['locator']> => page.locator('.logql-editor .cm-content');
  /** Replaces the editor's text by typing it (brackets and quotes close themselves as typed). */
  async function typeQuery(q: string): Promise<void> {
    await editor().click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.type(q);
    await page.keyboard.press('Escape');
    expect(await editor().textContent()).toBe(q);
  }

  it('searches, colours levels, keeps 5,000 lines virtualised, and opens a line with its fields', async () => {
    await page.click('nav >> text=Logs');
    await typeQuery('{app="checkout"}');
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
    await typeQuery('{app="checkout"} |= "payment"');
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

  it('highlights LogQL, completes label names and values from the Loki API, and marks syntax errors', async () => {
    await editor().click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ap');
    await page.waitForSelector('.cm-tooltip-autocomplete >> text=app');
    await page.keyboard.press('Enter');
    await page.keyboard.type('="');
    await page.waitForSelector('.cm-tooltip-autocomplete >> text=billing');
    expect(await page.locator('.cm-tooltip-autocomplete li').allTextContents()).toEqual(expect.arrayContaining(['billing', 'checkout']));
    await page.keyboard.type('bil');
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.type(' | ');
    await page.waitForSelector('.cm-tooltip-autocomplete >> text=logfmt');
    await page.keyboard.type('json');
    await page.keyboard.press('Escape');
    expect(await editor().textContent()).toBe('{app="billing"} | json');
    // Colours come from Loki's grammar: the parser stage, the label and the string differ.
    const colour = (text: string): Promise<string> => page.locator(`.logql-editor .cm-line span:text-is('${text}')`).first().evaluate((el) => (globalThis as unknown as Dom).getComputedStyle(el).color);
    const [kw, str] = [await colour('json'), await colour('"billing"')];
    const vars = await page.evaluate(() => ['--syn-keyword', '--syn-string'].map((v) => (globalThis as unknown as Dom).getComputedStyle((globalThis as unknown as Dom).document.documentElement).getPropertyValue(v).trim()));
    const rgb = (hex: string): string => `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;
    expect([kw, str]).toEqual(vars.map(rgb));
    await page.keyboard.press('Shift+Enter');
    await page.waitForSelector('text=200 lines');
    await screenshot(page, '42-explore-logs-editor');
    await page.keyboard.press('End');
    await page.keyboard.type(' | line_format (');
    await page.waitForSelector('.cm-lintRange-error');
  });

  it('shows the lines around a line in its own stream, and loads more', async () => {
    await typeQuery('{app="billing"} |= "invoice 100 "');
    await page.click('form >> button:has-text("Run query")');
    await page.waitForSelector('text=1 lines');
    await page.click('.log-row >> text=invoice 100 sent');
    await page.click('button:has-text("Show context")');
    const dialog = page.locator('[role=dialog]');
    await dialog.locator('.log-row.anchor').waitFor();
    const rows = await dialog.locator('.log-row').allTextContents();
    // 25 older lines, the line, 25 newer, oldest first.
    expect(rows).toHaveLength(51);
    expect(rows[0]).toContain('invoice 75 sent');
    expect(rows[24]).toContain('invoice 99 sent');
    expect(rows[25]).toContain('invoice 100 sent');
    expect(rows[26]).toContain('invoice 101 sent');
    expect(rows[50]).toContain('invoice 125 sent');
    expect(await dialog.textContent()).toMatch(/\{app="billing", hostname="[^"]+", level="info"\}/);
    await screenshot(page, '43-explore-logs-context');
    await dialog.locator('button:has-text("older lines")').click();
    await expect.poll(() => dialog.locator('.log-row').count()).toBe(76);
    expect(await dialog.locator('.log-row >> nth=0').textContent()).toContain('invoice 50 sent');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });
});
