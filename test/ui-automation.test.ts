import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { runCli, waitFor, type Proc } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';
import { openAsAdmin, screenshot } from './ui-support/browser.js';

// Events and runbook runs in the UI: events posted to the API start runs on a real agent
// process; a person approves one and rejects another in Chromium.
describe('web UI: events and runbook runs (events API → rule → approval in Chromium → agent)', () => {
  let ts: TestServer;
  let agent: Proc;
  let browser: Browser;
  let page: Page;

  const api = async <T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> => {
    const r = await ts.fetch(`/api/ichigen/v1${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (JSON.parse(text) as { data: T }).data;
  };
  const runs = () => api<Array<{ id: string; status: string; params: Record<string, string>; trigger: { eventId?: string } }>>('/runs?runbook=restart-web');

  beforeAll(async () => {
    ts = await startTestServer();
    const { secret } = await api<{ secret: string }>('/agents/tokens', { name: 'web-1' });
    agent = runCli(['agent', '--server', ts.url, '--name', 'web-1', '--label', 'role=web'], { ICHIGEN_AGENT_TOKEN: secret });
    await waitFor(async () => ((await api<unknown[]>('/agents')).length > 0 ? true : undefined), 'the agent');
    await api('/runbooks/restart-web', {
      params: [{ name: 'host', type: 'string', required: true, pattern: '[a-z0-9-]+' }],
      steps: [
        { name: 'ask', action: 'approval', with: { message: 'Restart the web service after a failed deploy?' } },
        { name: 'restart', action: 'agent.command', with: { targets: { labels: { role: 'web' } }, command: ['echo', 'restarted', '{{params.host}}'] } },
      ],
    }, 'PUT');
    await api('/automation/rules/deploy-failed', { pattern: { source: ['ops.deploy'], 'detail-type': ['Deploy Failed'] }, runbook: 'restart-web', input: { inputPathsMap: { h: '$.detail.host' }, inputTemplate: { host: '<h>' } } }, 'PUT');
    await api('/events', { entries: [{ source: 'ops.deploy', detailType: 'Deploy Failed', detail: { host: 'web-1', version: '2.4.1', errors: 12 } }, { source: 'ops.deploy', detailType: 'Deploy Succeeded', detail: { host: 'web-2', version: '2.4.1', errors: 0 } }] });
    await waitFor(async () => ((await runs()).some((r) => r.status === 'waiting_approval') ? true : undefined), 'a run waiting for approval');
    ({ browser, page } = await openAsAdmin(ts.url));
  });

  afterAll(async () => {
    await browser?.close();
    agent?.kill('SIGTERM');
    await agent?.exited;
    await ts?.stop();
  });

  it('approves a waiting run from the list; the detail shows each step, its output, exit code, approver and audit log', async () => {
    await page.click('nav >> text=Runbook runs');
    const row = page.locator('tr:has(.run-waiting_approval)');
    await row.waitFor();
    expect(await page.textContent('.runs-table')).toContain('event → rule deploy-failed');
    await screenshot(page, '40-runbook-runs-waiting');
    await row.locator('button:has-text("Approve")').click();
    await page.locator('.runs-table .run-succeeded').waitFor({ timeout: 15_000 });
    await page.click('.runs-table >> text=restart-web');
    await page.locator('[data-step=restart] .run-output').waitFor();
    expect((await page.textContent('[data-step=restart] .run-output'))?.trim()).toBe('restarted web-1');
    expect(await page.textContent('[data-step=restart]')).toMatch(/succeeded\s*0/);
    expect(await page.textContent('[data-step=ask]')).toContain('approved by admin (api)');
    expect(await page.textContent('.approval-decision')).toContain('approved by admin (api)');
    expect(await page.textContent('.kv-table')).toContain('web-1');
    await page.locator('.audit-log >> text=runbook.run.finished').waitFor();
    expect(await page.textContent('.audit-log')).toContain('runbook.run.approved');
    await screenshot(page, '41-runbook-run-detail');

    // The triggering event, as rules see it, with the run it started.
    await page.click('text=ops.deploy · Deploy Failed');
    await page.locator('.event-json').waitFor();
    expect(await page.textContent('.event-json')).toContain('"version": "2.4.1"');
    expect(await page.textContent('.plain-list')).toContain('restart-web');
  });

  it('rejects a run from its page', async () => {
    await api('/events', { entries: [{ source: 'ops.deploy', detailType: 'Deploy Failed', detail: { host: 'web-3', version: '2.4.2', errors: 3 } }] });
    const run = await waitFor(async () => (await runs()).find((r) => r.params.host === 'web-3' && r.status === 'waiting_approval'), 'the second run');
    await page.goto(`${ts.url}/automation/runs/${run.id}`);
    await page.locator('button:has-text("Reject")').click();
    await page.locator('.badge.run-rejected').waitFor();
    expect((await api<{ status: string; approval: { decidedBy: string } }>(`/runs/${run.id}`)).approval.decidedBy).toBe('admin');
    expect(await page.locator('[data-step=restart]').count()).toBe(0);
  });

  it('searches events by source, text and EventBridge pattern, and shows an event\'s detail', async () => {
    await page.click('nav >> text=Events');
    await page.locator('.events-table tbody tr').first().waitFor();
    // Alert-group-free server: the three events posted above, newest first.
    await page.fill('input[name=source]', 'ops.deploy');
    await page.click('button:has-text("Search")');
    await expect.poll(() => page.locator('.events-table tbody tr[data-event]').count()).toBe(3);
    await page.fill('input[name=source]', '');
    await page.fill('textarea[name=pattern]', '{"detail": {"errors": [{"numeric": [">", 5]}]}}');
    await page.click('button:has-text("Search")');
    await expect.poll(() => page.locator('.events-table tbody tr[data-event]').count()).toBe(1);
    await page.locator('.events-table tbody tr[data-event]').first().click();
    expect(await page.textContent('.events-table')).toContain('"errors": 12');
    await screenshot(page, '42-events');
    await page.fill('textarea[name=pattern]', '{"detail": ');
    await page.click('button:has-text("Search")');
    await page.locator('.note-error').waitFor();
    expect(await page.textContent('.note-error')).toMatch(/pattern/i);
  });
});
