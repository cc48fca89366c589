import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from './support/server.js';
import { launchBrowser, screenshot, signIn } from './ui-support/browser.js';

/** Every page of the app, and a text its empty state shows on a server without data. */
const PAGES: ReadonlyArray<readonly [path: string, expects?: string]> = [
  ['/'],
  ['/dashboards'],
  ['/explore/metrics', 'remote_write:'],
  ['/explore/logs', '[OUTPUT]'],
  ['/explore/traces', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
  ['/explore/traces?view=graph', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
  ['/explore/targets'],
  ['/alerts', 'alertmanagers'],
  ['/alerts/rules', 'groups:'],
  ['/alerts/silences'],
  ['/alerts/schedules'],
  ['/alerts/chains'],
  ['/alerts/integrations'],
  ['/alerts/notifications'],
  ['/automation/runs'],
  ['/automation/events'],
  ['/settings/connect', 'remote_write:'],
  ['/settings/users'],
  ['/settings/tokens'],
  ['/settings/sources'],
  ['/settings/profile'],
];

interface Audit {
  readonly overflow: number;
  readonly h1: string;
  readonly unnamed: string[];
}

/**
 * Runs in the page (a script: the tests compile without DOM types): horizontal overflow, the
 * page title, and visible controls without an accessible name.
 */
const AUDIT = `(() => {
  const nameOf = (el) => {
    const aria = el.getAttribute('aria-label') ?? '';
    if (aria.trim() !== '') return aria;
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    const id = el.getAttribute('id');
    const forLabel = id ? document.querySelector('label[for="' + id + '"]') : null;
    if (forLabel?.textContent?.trim()) return forLabel.textContent;
    const wrap = el.closest('label');
    if (wrap?.textContent?.trim()) return wrap.textContent;
    if (el.textContent?.trim()) return el.textContent;
    return el.getAttribute('title') ?? el.getAttribute('placeholder') ?? '';
  };
  const controls = [...document.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea, [role=tab], [tabindex="0"]')].filter((el) => el.offsetParent !== null);
  return {
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    h1: document.querySelector('main h1')?.textContent ?? '',
    unnamed: controls.filter((el) => nameOf(el).trim() === '').map((el) => el.outerHTML.slice(0, 120)),
  };
})()`;

const active = (page: Page, what: 'className' | 'id' | 'name'): Promise<string> => page.evaluate(what === 'name' ? "document.activeElement?.getAttribute('name') ?? ''" : `document.activeElement?.${what} ?? ''`) as Promise<string>;

// Every page, signed in as admin on a server with no data yet: at 1280×800 and at phone width,
// in English and Japanese, named controls only, no sideways scrolling, and the empty states that
// tell how to send the first data.
describe('web UI: every page at desktop and phone width', () => {
  let ts: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ts = await startTestServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await ts?.stop();
  });

  const open = async (width: number, height: number, locale: string): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width, height }, locale });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await signIn(page, ts.url, 'admin', TEST_ADMIN_PASSWORD);
    return page;
  };

  for (const [width, height, locale, tag] of [
    [1280, 800, 'en-US', 'desktop-en'],
    [390, 844, 'ja-JP', 'phone-ja'],
  ] as const) {
    it(`${tag}: every page renders its title, named controls and no sideways scroll`, { timeout: 240_000 }, async () => {
      const page = await open(width, height, locale);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      for (const [p, expects] of PAGES) {
        await page.goto(`${ts.url}${p}`);
        await page.waitForSelector('main h1');
        if (expects) await page.waitForSelector(`main pre >> text=${expects}`);
        await page.waitForLoadState('networkidle');
        const a = (await page.evaluate(AUDIT)) as Audit;
        expect(a.h1.trim(), p).not.toBe('');
        expect(a.overflow, `${p} scrolls sideways by ${a.overflow}px`).toBeLessThanOrEqual(0);
        expect(a.unnamed, `${p} has controls without a name`).toEqual([]);
        await screenshot(page, `90-${tag}${p.replace(/[/?=]/g, '_')}`);
      }
      expect(errors).toEqual([]);
    });
  }

  it('is usable from the keyboard: skip link, navigation and the menu at phone width', async () => {
    const page = await open(390, 844, 'en-US');
    await page.goto(`${ts.url}/alerts/silences`);
    await page.waitForSelector('main h1');
    // The first Tab reaches the skip link, Enter moves focus to the content.
    await page.keyboard.press('Tab');
    expect(await active(page, 'className')).toBe('skip');
    await page.keyboard.press('Enter');
    expect(await active(page, 'id')).toBe('main');
    // The menu button opens the navigation; a link in it is reached by Tab and followed with Enter.
    await page.focus('button.nav-toggle');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.shell.nav-open');
    await page.focus('nav >> text=Escalation chains');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/alerts\/chains$/);
    await page.waitForSelector('main h1:text-is("Escalation chains")');
    // In a form, Tab goes field by field.
    await page.goto(`${ts.url}/alerts/silences`);
    await page.focus('main button:has-text("New silence")');
    await page.keyboard.press('Enter');
    await page.focus('input[name=matcher-name-0]');
    await page.keyboard.type('alertname');
    await page.keyboard.press('Tab');
    expect(await active(page, 'name')).toBe('matcher-op-0');
    // A dialog takes focus, Escape closes it, and focus goes back to where it was.
    const created = (await (await ts.fetch('/api/ichigen/v1/dashboards', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Keys' }) })).json()) as { data: { id: string } };
    await page.goto(`${ts.url}/dashboards/${created.data.id}`);
    await page.focus('main button:has-text("Edit")');
    await page.keyboard.press('Enter');
    await page.focus('main button:has-text("Add panel")');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[role=dialog]');
    expect(await active(page, 'name')).toBe('panel-title');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[role=dialog]', { state: 'detached' });
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Add panel');
  });
});
