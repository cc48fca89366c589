import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from './support/server.js';
import { openAsAdmin, screenshot } from './ui-support/browser.js';

/** Sends one alert with Alertmanager's own CLI (a real Alertmanager API v2 client). */
function amtoolAdd(base: string, httpConfig: string, labels: string[], summary: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('amtool', ['alert', 'add', ...labels, `--annotation=summary=${summary}`, `--alertmanager.url=${base}`, `--http.config.file=${httpConfig}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`amtool exited ${code}: ${err}`));
    });
  });
}

// Alert groups in the UI, with alerts sent by amtool through the Alertmanager API.
describe('web UI: alert groups (amtool → Ichigen → Chromium)', () => {
  let ts: TestServer;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    ts = await startTestServer();
    dir = mkdtempSync(path.join(tmpdir(), 'ichigen-ui-alerts-'));
    const { secret } = await ts.server.ctx.auth.tokens.create({ name: 'amtool', scopes: ['ingest'], tenants: ['default'] });
    const httpConfig = path.join(dir, 'http.yml');
    writeFileSync(httpConfig, `authorization:\n  credentials: ${secret}\n`);
    await amtoolAdd(ts.url, httpConfig, ['alertname=HighErrorRate', 'service=checkout', 'severity=critical'], '5xx above 5% on checkout');
    await amtoolAdd(ts.url, httpConfig, ['alertname=DiskFull', 'instance=db-1', 'severity=warning'], 'Disk 92% full');
    ({ browser, page } = await openAsAdmin(ts.url));
  });

  afterAll(async () => {
    await browser?.close();
    await ts?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the firing groups, acknowledges one and shows it on the timeline', async () => {
    await page.click('nav >> text=Alert groups');
    await page.waitForSelector('text=HighErrorRate: 5xx above 5% on checkout');
    expect(await page.locator('tbody tr').count()).toBe(2);
    await screenshot(page, '10-alert-groups');
    await page.click('text=HighErrorRate: 5xx above 5% on checkout');
    await page.waitForSelector('text=Timeline');
    expect(await page.textContent('.detail-grid')).toContain('service=checkout');
    await page.click('button:has-text("Acknowledge")');
    await page.waitForSelector('.badge-acknowledged');
    await page.waitForSelector('.timeline >> text=acknowledged');
    await screenshot(page, '11-alert-group-acknowledged');
    // The server agrees: the group is acknowledged by the signed-in user.
    const groups = (await (await ts.fetch('/api/ichigen/v1/alert-groups')).json()) as { data: Array<{ title: string; status: string; acknowledgedBy: string | null }> };
    expect(groups.data.find((g) => g.title.startsWith('HighErrorRate'))).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'admin' });
  });

  it('resolves groups in bulk from the list', async () => {
    await page.click('.crumbs >> text=Alert groups');
    await page.waitForSelector('tbody tr');
    await page.check('th input[type=checkbox]');
    await page.click('.bulk >> button:has-text("Resolve")');
    await page.waitForSelector('text=Nothing needs attention');
    await page.click('[role=tab]:has-text("Resolved")');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    const groups = (await (await ts.fetch('/api/ichigen/v1/alert-groups?status=resolved')).json()) as { data: unknown[] };
    expect(groups.data).toHaveLength(2);
  });

  it('shows who is on call now and takes over with an override', async () => {
    const created = await ts.fetch('/api/ichigen/v1/schedules', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Primary', timeZone: 'UTC', layers: [{ kind: 'rotation', name: 'weekly', start: '2026-01-05T09:00', frequency: 'weekly', users: ['admin'] }] }),
    });
    expect(created.status).toBe(201);
    await page.click('nav >> text=On-call schedules');
    const card = page.locator('section.schedule[aria-label=Primary]');
    await card.locator('.oncall-now >> text=admin').waitFor();
    expect(await card.locator('.strip-bar').count()).toBeGreaterThan(0);
    await page.fill('input[name=override-user]', 'vera');
    await page.click('button:has-text("Override")');
    await card.locator('.oncall-now >> text=vera').waitFor();
    expect(await card.locator('.oncall-now').textContent()).not.toContain('admin');
    await screenshot(page, '12-oncall-schedules');
    await page.click('nav >> text=Overview');
    await page.waitForSelector('text=Primary:');
    expect(await page.textContent('.card:has-text("On call now")')).toContain('vera');
  });
});
