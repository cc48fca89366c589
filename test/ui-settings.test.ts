import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startVictoriaMetrics, type Peer } from './support/peers.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';
import { openAsAdmin, screenshot, signIn } from './ui-support/browser.js';

// Settings → data sources: a real VictoriaMetrics as the remote metric backend, configured
// with credentials in its URLs that the page (and its API) must never show.
describe('web UI: data sources and retention (remote VictoriaMetrics)', () => {
  let vm: Peer;
  let ts: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    vm = await startVictoriaMetrics();
    const withCreds = (u: string, p: string): string => `${u.replace('http://', 'http://ops:s3cret-pw@')}${p}`;
    ts = await startTestServer({
      config: {
        metrics: { backend: 'remote', remote_write_url: withCreds(vm.url, '/api/v1/write?extra_label=via=ichigen'), remote_query_url: withCreds(vm.url, ''), remote_bearer_token: 'vm-bearer-secret', remote_timeout: '20s' },
        logs: { retention: '7d', retention_bytes: '10GiB' },
      },
    });
    ({ browser, page } = await openAsAdmin(ts.url));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ts?.stop();
    await vm?.stop();
  });

  it('shows each signal’s backend and retention without any credential', async () => {
    // The backend is in use: PromQL is answered by VictoriaMetrics through the configured URL.
    await waitFor(async () => ((await ts.fetch('/api/v1/query?query=1')).ok ? true : undefined), 'remote query API', 20_000);
    await page.click('nav >> text=Data sources & retention');
    const metrics = page.locator('section.datasource[aria-label=Metrics]');
    await metrics.waitFor();
    const text = (await metrics.textContent())!;
    expect(text).toContain('remote backend');
    expect(text).toContain(`${vm.url}/api/v1/write`);
    expect(text).toMatch(/Bearer token setyes/);
    expect(text).toContain('20s');
    const all = (await page.textContent('main'))!;
    for (const secret of ['s3cret-pw', 'ops:', 'vm-bearer-secret', 'extra_label']) expect(all).not.toContain(secret);
    const logs = (await page.locator('section.datasource[aria-label=Logs]').textContent())!;
    expect(logs).toContain('embedded');
    expect(logs).toMatch(/Kept for7d/);
    expect(logs).toMatch(/Size cap10 GiB/);
    expect(await page.locator('section.datasource[aria-label=Traces]').textContent()).toMatch(/Kept for14d/);
    await screenshot(page, '06-data-sources');
  });

  it('is for admins only: hidden from a viewer, and its API refuses them', async () => {
    await ts.server.ctx.auth.users.create({ username: 'val', password: 'val-password-1', role: 'viewer' });
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const vp = await ctx.newPage();
    await signIn(vp, ts.url, 'val', 'val-password-1');
    expect(await vp.locator('nav >> text=Data sources & retention').count()).toBe(0);
    await vp.goto(`${ts.url}/settings/sources`);
    await vp.waitForSelector('text=Only administrators can see this page.');
    expect(await vp.evaluate(async () => (await fetch('/api/ichigen/v1/status/datasources')).status)).toBe(403);
    await ctx.close();
  });
});
