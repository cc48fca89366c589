import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from './support/server.js';
import { launchBrowser, screenshot, signIn } from './ui-support/browser.js';

// The web UI end to end: a real Ichigen serving the built UI, driven by Debian's Chromium.
describe('web UI (Chromium)', () => {
  let ts: TestServer;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ts = await startTestServer();
    browser = await launchBrowser();
    ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await ctx.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await ts?.stop();
  });

  it('serves the app publicly but keeps the API and unknown paths authenticated', async () => {
    const index = await fetch(`${ts.url}/explore/metrics`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(ts.url + asset!, { headers: { 'accept-encoding': 'br' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${ts.url}/api/ichigen/v1/users`)).status).toBe(401);
    expect((await fetch(`${ts.url}/no/such/route`)).status).toBe(401);
  });

  it('refuses a wrong password, then signs in and shows the overview', async () => {
    await page.goto(`${ts.url}/settings/tokens`);
    await page.waitForURL(/\/login\?next=/);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[role=alert]')).toContain('Invalid username or password');
    await screenshot(page, '00-login-error');
    await page.fill('input[name=password]', TEST_ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    // Back to the page asked for before signing in.
    await page.waitForURL(/\/settings\/tokens$/);
    await page.click('nav >> text=Overview');
    await page.waitForSelector('.stat-value');
    await screenshot(page, '01-overview');
  });

  it('creates an API token, shows the secret once, and the secret really works', async () => {
    await page.click('nav >> text=API tokens');
    await page.fill('input[name=token-name]', 'ui-test-reader');
    await page.check('text=read — query data');
    await page.click('form >> button[type=submit]');
    const secret = (await page.locator('.card-success pre').textContent())!.trim();
    expect(secret).toMatch(/^igt_/);
    await screenshot(page, '02-token-created');
    const me = await fetch(`${ts.url}/api/ichigen/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { data: { name: string; scopes: string[] } }).data).toMatchObject({ name: 'ui-test-reader' });
    // Revoke it from the table; the API then refuses it.
    page.once('dialog', (d) => void d.accept());
    await page.locator('tr', { hasText: 'ui-test-reader' }).locator('button', { hasText: 'Revoke' }).click();
    await expect.poll(async () => (await fetch(`${ts.url}/api/ichigen/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } })).status, { timeout: 10_000 }).toBe(401);
  });

  it('creates a viewer who cannot see admin pages, in Japanese and dark theme', async () => {
    await page.click('nav >> text=Users');
    await page.fill('input[name=new-username]', 'vera');
    await page.fill('input[name=new-password]', 'vera-password-1');
    await page.selectOption('form select', 'viewer');
    await page.click('form >> button[type=submit]');
    await page.waitForSelector('td >> text=vera');
    await screenshot(page, '03-users');
    await page.goto(`${ts.url}/settings/connect`);
    await page.waitForSelector('text=Prometheus remote write');
    await screenshot(page, '04-connect');

    const viewer = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const vp = await viewer.newPage();
    await signIn(vp, ts.url, 'vera', 'vera-password-1');
    // Japanese from the browser's language; admin-only navigation hidden.
    expect(await vp.textContent('nav.sidebar')).toContain('概要');
    expect(await vp.locator('nav >> text=ユーザー').count()).toBe(0);
    await vp.goto(`${ts.url}/settings/users`);
    await vp.waitForSelector('text=このページは管理者のみ閲覧できます。');
    await vp.click('button.avatar');
    await vp.click('.menu >> text=ダーク');
    expect(await vp.getAttribute('html', 'data-theme')).toBe('dark');
    await vp.goto(`${ts.url}/`);
    await vp.waitForSelector('.stat-value');
    await screenshot(vp, '05-overview-ja-dark');
    // The theme survives a reload; sign-out ends the session.
    await vp.reload();
    expect(await vp.getAttribute('html', 'data-theme')).toBe('dark');
    await vp.click('button.avatar');
    await vp.click('.menu >> text=サインアウト');
    await vp.waitForURL(/\/login/);
    const status = await vp.evaluate(async () => (await fetch('/api/ichigen/v1/auth/me')).status);
    expect(status).toBe(401);
    await viewer.close();
  });

  it('works at phone width with the navigation behind a menu button', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 800 }, locale: 'en-US' });
    const pp = await phone.newPage();
    await signIn(pp, ts.url, 'admin', TEST_ADMIN_PASSWORD);
    expect(await pp.isVisible('button.nav-toggle')).toBe(true);
    await pp.click('button.nav-toggle');
    await pp.click('nav >> text=Send data');
    await pp.waitForURL(/\/settings\/connect$/);
    await screenshot(pp, '06-phone-connect');
    await phone.close();
  });
});
