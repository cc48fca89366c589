import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startNodeExporter, type Peer } from './support/peers.js';
import { freePort } from './support/postgres.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';
import { openAsAdmin, screenshot } from './ui-support/browser.js';

// The targets page on a server scraping a real node_exporter, a port nobody listens on, and an
// address relabelling drops.
describe('web UI: scrape targets (real node_exporter)', { retry: 2 }, () => {
  let ts: TestServer;
  let node: Peer;
  let browser: Browser;
  let page: Page;
  let closed: number;

  beforeAll(async () => {
    node = await startNodeExporter();
    closed = await freePort();
    ts = await startTestServer({
      config: {
        metrics: {
          self_scrape_interval: '1s',
          scrape_configs: [
            {
              job_name: 'node',
              scrape_interval: '1s',
              scrape_timeout: '1s',
              static_configs: [{ targets: [`127.0.0.1:${node.port}`, `127.0.0.1:${closed}`], labels: { env: 'lab' } }],
              relabel_configs: [{ source_labels: ['__address__'], regex: `.*:${closed}`, action: 'drop' }],
            },
            { job_name: 'offline', scrape_interval: '1s', scrape_timeout: '1s', static_configs: [{ targets: [`127.0.0.1:${closed}`] }] },
          ],
        },
      },
    });
    // Both jobs have been scraped at least once.
    await waitFor(async () => {
      const r = (await (await ts.fetch('/api/v1/query?query=count(up)')).json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      return Number(r.data?.result?.[0]?.value[1] ?? 0) >= 3 ? true : undefined;
    }, 'first scrapes', 20_000);
    ({ browser, page } = await openAsAdmin(ts.url));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ts?.stop();
    await node?.stop();
  });

  it('lists targets by job with their health, filters them, and shows what relabelling dropped', async () => {
    await page.click('nav >> text=Scrape targets');
    await page.waitForSelector('main h1:text-is("Scrape targets")');
    const node = page.locator('section[aria-label="node"]');
    await node.waitFor();
    expect(await node.locator('tbody tr').count()).toBe(1);
    expect(await node.textContent()).toContain(`http://127.0.0.1:${nodePort()}/metrics`);
    expect(await node.textContent()).toContain('env="lab"');
    expect(await node.textContent()).toContain('1 of 1 up');
    const offline = page.locator('section[aria-label="offline"]');
    expect(await offline.locator('.badge-firing').textContent()).toBe('down');
    expect(await offline.textContent()).toMatch(/ECONNREFUSED|refused/);
    expect(await page.locator('section[aria-label="ichigen"]').count()).toBe(1);
    // Only the failing ones.
    await page.click('[role=tab]:has-text("down")');
    await expect.poll(() => page.locator('section.target-pool').count()).toBe(1);
    expect(await page.locator('section.target-pool').getAttribute('aria-label')).toBe('offline');
    await page.click('[role=tab]:has-text("All")');
    await page.fill('input[type=search]', 'env="lab"');
    await expect.poll(() => page.locator('section.target-pool').count()).toBe(1);
    await page.fill('input[type=search]', '');
    await page.click('summary:has-text("Dropped by relabelling (1)")');
    expect(await page.textContent('.dropped-targets')).toContain(`__address__="127.0.0.1:${closed}"`);
    await screenshot(page, '25-scrape-targets');
  });

  const nodePort = (): number => node.port;
});
