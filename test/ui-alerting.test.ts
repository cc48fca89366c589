import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startPrometheus, type Peer } from './support/alerting-peers.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';
import { openAsAdmin, screenshot } from './ui-support/browser.js';

/** Runs Alertmanager's own CLI against Ichigen; resolves with its stdout. */
function amtool(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('amtool', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`amtool exited ${code}: ${err}`));
    });
  });
}

const RULES = `groups:
  - name: ichigen-self
    interval: 1s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: IchigenUp
        expr: up{job="ichigen"} == 1
        labels: { severity: info }
        annotations: { summary: "Ichigen scrapes itself" }
      - alert: NeverFires
        expr: up{job="nothing"} == 1
        for: 5m
`;

// Alerting and on-call pages against a real Ichigen: rules from a rule file over self-scraped
// metrics, silences with amtool (Alertmanager's CLI), an integration used by a real Prometheus.
describe('web UI: rules, silences, chains, integrations, notification rules', () => {
  let ts: TestServer;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let prom: Peer | undefined;
  let am: (args: string[]) => Promise<string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ichigen-ui-alerting-'));
    writeFileSync(path.join(dir, 'rules.yml'), RULES);
    ts = await startTestServer({ config: { metrics: { self_scrape_interval: '1s' }, rules: { files: [path.join(dir, 'rules.yml')], evaluation_interval: '1s', resend_delay: '1s' } } });
    const httpConfig = path.join(dir, 'http.yml');
    writeFileSync(httpConfig, `authorization:\n  credentials: ${ts.adminToken}\n`);
    am = (args) => amtool([...args, `--alertmanager.url=${ts.url}`, `--http.config.file=${httpConfig}`]);
    await am(['silence', 'add', 'alertname=Maintenance', 'instance=db-1', '--comment=db-1 patching', '--author=amtool', '--duration=2h']);
    await waitFor(async () => {
      const r = (await (await ts.fetch('/api/v1/rules')).json()) as { data: { groups: Array<{ rules: Array<{ name: string; state?: string }> }> } };
      return r.data.groups[0]?.rules.find((x) => x.name === 'IchigenUp')?.state === 'firing' ? true : undefined;
    }, 'IchigenUp firing', 30_000);
    await ts.fetch('/api/ichigen/v1/schedules', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Primary', timeZone: 'UTC', layers: [{ kind: 'rotation', name: 'weekly', start: '2026-01-05T09:00', frequency: 'weekly', users: ['admin'] }] }) });
    ({ browser, page } = await openAsAdmin(ts.url));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await prom?.stop();
    await ts?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists rules with their state, the firing alert, and filters by state', async () => {
    await page.click('nav >> text=Alert rules');
    const group = page.locator('section[aria-label=ichigen-self]');
    await group.waitFor();
    const firing = group.locator('li.rule:has-text("IchigenUp")');
    expect(await firing.locator('.badge').first().textContent()).toBe('Firing');
    expect(await firing.locator('.rule-alerts').textContent()).toContain('job=ichigen');
    expect(await group.locator('li.rule:has-text("NeverFires") .badge').first().textContent()).toBe('Inactive');
    expect(await group.locator('li.rule:has-text("job:up:sum") .badge').first().textContent()).toBe('Recording');
    await screenshot(page, '11-alert-rules');
    await page.click('[role=tab]:has-text("Firing")');
    expect(await page.locator('li.rule').count()).toBe(1);
  });

  it('creates a silence seen by amtool, and expires amtool’s silence', async () => {
    await page.click('nav >> text=Silences');
    await page.waitForSelector('td >> text=db-1 patching');
    await page.click('button:has-text("New silence")');
    await page.fill('input[name=matcher-name-0]', 'alertname');
    await page.fill('input[name=matcher-value-0]', 'IchigenUp');
    await page.click('button:has-text("Add matcher")');
    await page.fill('input[name=matcher-name-1]', 'severity');
    await page.selectOption('select[name=matcher-op-1]', '=~');
    await page.fill('input[name=matcher-value-1]', 'info|debug');
    await page.fill('input[name=silence-duration]', '1h');
    await page.fill('input[name=silence-comment]', 'known: self-scrape alert');
    await page.click('button:has-text("Create silence")');
    await page.waitForSelector('td >> text=known: self-scrape alert');
    expect(await page.textContent('tbody')).toContain('{alertname="IchigenUp", severity=~"info|debug"}');
    const listed = JSON.parse(await am(['silence', 'query', '-o', 'json'])) as Array<{ comment: string; createdBy: string; matchers: Array<{ name: string; isRegex: boolean }> }>;
    const ours = listed.find((s) => s.comment === 'known: self-scrape alert')!;
    expect(ours.createdBy).toBe('admin');
    expect(ours.matchers.find((m) => m.name === 'severity')?.isRegex).toBe(true);
    await screenshot(page, '12-silences');
    page.once('dialog', (d) => void d.accept());
    await page.click('tr:has-text("db-1 patching") >> button:has-text("Expire")');
    await page.waitForSelector('td >> text=db-1 patching', { state: 'detached' });
    expect(await am(['silence', 'query', '-q'])).not.toContain((listed.find((s) => s.comment === 'db-1 patching') as unknown as { id: string }).id);
  });

  it('creates an integration whose URL and token a real Prometheus sends alerts to', async () => {
    await page.click('nav >> text=Integrations');
    await page.click('button:has-text("New integration")');
    await page.fill('input[name=integration-name]', 'prod-prometheus');
    await page.selectOption('select[name=integration-kind]', 'alertmanager');
    await page.fill('input[name=integration-group-by]', 'alertname, instance');
    await page.click('form >> button:has-text("Create")');
    const shown = page.locator('[role=status]');
    await shown.waitFor();
    const blocks = await shown.locator('pre').allTextContents();
    const token = blocks[0]!.trim();
    expect(token).toMatch(/^igi_/);
    // The snippet is the alerting block Prometheus gets, as shown.
    const snippet = blocks[1]!;
    expect(snippet).toContain(`credentials: ${token}`);
    const section = page.locator('section.integration[aria-label=prod-prometheus]');
    expect(await section.textContent()).toMatch(/\/api\/ichigen\/v1\/integrations\/[^/]+\/api\/v2\/alerts/);
    await screenshot(page, '13-integrations');
    prom = await startPrometheus(`global:\n  evaluation_interval: 1s\nrule_files: ['rules.yml']\n${snippet.replace(/^# prometheus.yml\n/, '')}\n`, {
      'rules.yml': 'groups:\n  - name: g\n    rules:\n      - alert: FromProm\n        expr: vector(1)\n        labels: { instance: prom-1 }\n',
    });
    const id = /integrations\/([^/]+)\/api\/v2\/alerts/.exec((await section.textContent())!)![1]!;
    await waitFor(async () => {
      const r = (await (await ts.fetch('/api/ichigen/v1/alert-groups?status=open')).json()) as { data: Array<{ integrationId: string; groupLabels: Record<string, string> }> };
      return r.data.some((g) => g.integrationId === id && g.groupLabels.alertname === 'FromProm' && g.groupLabels.instance === 'prom-1') ? true : undefined;
    }, 'an alert group from Prometheus through the new integration', 40_000);
    await page.reload();
    await expect.poll(() => page.locator('section.integration[aria-label=prod-prometheus]').textContent()).not.toContain('Last alert: never');
  });

  it('builds an escalation chain step by step, reorders it, and saves it', async () => {
    await page.click('nav >> text=Escalation chains');
    await page.click('button:has-text("New chain")');
    await page.fill('input[name=chain-name]', 'Checkout on-call');
    await page.fill('input[name=step-0-users]', 'admin');
    await page.check('.step >> nth=0 >> input[type=checkbox]');
    await page.click('button:has-text("Add step")');
    await page.selectOption('select[name=step-1-type]', 'notify_schedule');
    await page.selectOption('select[name=step-1-schedule]', { label: 'Primary' });
    await page.click('button:has-text("Add step")');
    await page.fill('input[name=step-2-duration]', '10m');
    // The wait belongs between the two notifications: move it up.
    await page.click('button[aria-label="Move step 3 up"]');
    await page.click('button:has-text("Add step")');
    await page.selectOption('select[name=step-3-type]', 'repeat');
    await page.fill('input[name=step-3-times]', '2');
    await screenshot(page, '14-chain-editor');
    await page.click('form >> button:has-text("Save")');
    const chain = page.locator('section.chain[aria-label="Checkout on-call"]');
    await chain.waitFor();
    expect(await chain.locator('li').allTextContents()).toEqual(['Notify people: admin (important)', 'Wait 10m', 'Notify who is on call: Primary', 'Repeat from the start ×2']);
    const saved = (await (await ts.fetch('/api/ichigen/v1/escalation-chains')).json()) as { data: Array<{ name: string; steps: unknown[] }> };
    expect(saved.data.find((c) => c.name === 'Checkout on-call')!.steps).toEqual([
      { type: 'notify_users', users: ['admin'], important: true },
      { type: 'wait', duration: '10m' },
      { type: 'notify_schedule', schedule: expect.any(String), important: false },
      { type: 'repeat', times: 2 },
    ]);
  });

  it('edits my notification rules, refusing a bad phone number with the server’s reason', async () => {
    await page.click('nav >> text=My notifications');
    await page.waitForSelector('input[name=contact-email]');
    await page.fill('input[name=contact-email]', 'admin@example.com');
    await page.fill('input[name=contact-phone]', '0123');
    // Ordinary alerts: Slack, then SMS after five minutes.
    await page.selectOption('select[name=rules-0-method]', 'slack');
    await page.click('fieldset:has(legend:text-is("Ordinary alerts")) >> button:has-text("Add wait")');
    await page.click('fieldset:has(legend:text-is("Ordinary alerts")) >> button:has-text("Add notification")');
    await page.selectOption('select[name=rules-2-method]', 'sms');
    await page.check('input[name=quiet]');
    await page.fill('input[name=timezone]', 'Asia/Tokyo');
    await page.click('form >> button:has-text("Save")');
    await page.waitForSelector('[role=alert] >> text=E.164');
    await page.fill('input[name=contact-phone]', '+819012345678');
    await page.click('form >> button:has-text("Save")');
    await page.waitForSelector('[role=status] >> text=Saved.');
    await screenshot(page, '15-notification-rules');
    const s = (await (await ts.fetch('/api/ichigen/v1/users/admin/notification-settings')).json()) as { data: unknown };
    expect(s.data).toMatchObject({
      contact: { email: 'admin@example.com', phone: '+819012345678' },
      rules: [{ type: 'notify', method: 'slack' }, { type: 'wait', duration: '5m' }, { type: 'notify', method: 'sms' }],
      quietHours: { from: '22:00', to: '07:00' },
      timeZone: 'Asia/Tokyo',
    });
  });
});
