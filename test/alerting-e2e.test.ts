import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type Peer } from './support/alerting-peers.js';
import { startCheckers, startSmtp, type Checkers } from './support/notify-checkers.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

const json = { 'content-type': 'application/json' };
const PUBLIC = 'http://ichigen.test';

// Prometheus → Ichigen's Alertmanager API → alert group → escalation through a schedule →
// email (real SMTP server), Slack, Teams, PagerDuty and Twilio (format checkers) → the
// on-call person acknowledges with the signed link from the SMS, Slack resolves it.
describe('end to end: a real Prometheus alert pages the on-call person', () => {
  let ts: TestServer;
  let prom: Peer | undefined;
  let checkers: Checkers;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    [checkers, smtp] = await Promise.all([startCheckers(), startSmtp()]);
    ts = await startTestServer({ config: { server: { public_url: PUBLIC }, incidents: { escalation_interval: '200ms', sweep_interval: '1s', notify_retry_base: '200ms' } } });
  });
  afterAll(async () => {
    await prom?.stop(); // the sender stops before the receiver
    await ts?.stop();
    await Promise.all([checkers?.stop(), smtp?.stop()]);
  });

  const api = async <T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> => {
    const r = await ts.fetch(`/api/ichigen/v1${path}`, { method, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text === '' ? {} : (JSON.parse(text) as { data: T }).data) as T;
  };

  it('creates the group, escalates, notifies every channel, and takes acknowledge/resolve from a link and Slack', async () => {
    await ts.server.ctx.auth.users.create({ username: 'oncall-ann', role: 'editor', email: 'ann@example.com' });
    await api('/users/oncall-ann/notification-settings', { contact: { phone: '+14155550123', slackUserId: 'U0ANN' }, rules: [{ type: 'notify', method: 'email' }, { type: 'notify', method: 'sms' }, { type: 'notify', method: 'slack' }] }, 'PUT');
    await api('/channels', { name: 'smtp', kind: 'email', settings: { host: '127.0.0.1', port: smtp.port, from: 'ichigen@example.com' } });
    await api('/channels', { name: 'twilio', kind: 'twilio', settings: { accountSid: `AC${'ab'.repeat(16)}`, authToken: 'secret-token', from: '+14155550000', apiUrl: `${checkers.url}/twilio` } });
    await api('/channels', { name: 'slack', kind: 'slack', settings: { botToken: 'xoxb-1', apiUrl: `${checkers.url}/slack-api`, signingSecret: 'slack-signing' } });
    const teams = await api<{ id: string }>('/channels', { name: 'teams', kind: 'teams', settings: { webhookUrl: `${checkers.url}/teams` } });
    const pd = await api<{ id: string; settings: Record<string, string> }>('/channels', { name: 'pd', kind: 'pagerduty', settings: { routingKey: 'p'.repeat(32), eventsUrl: `${checkers.url}/pagerduty/v2/enqueue` } });
    expect(pd.settings.routingKey).toBe('***');
    const sched = await api<{ id: string }>('/schedules', { name: 'primary', timeZone: 'UTC', layers: [{ kind: 'rotation', start: '2020-01-01T00:00', frequency: 'weekly', users: ['oncall-ann'] }] });
    expect((await api<{ users: string[] }>(`/schedules/${sched.id}/oncall`)).users).toEqual(['oncall-ann']);
    const chain = await api<{ id: string }>('/escalation-chains', { name: 'page', steps: [{ type: 'notify_schedule', schedule: sched.id }, { type: 'notify_channel', channel: teams.id }, { type: 'notify_channel', channel: pd.id }] });
    await api('/routes', { matchers: '{severity="page"}', chain: chain.id });
    const integ = await api<{ id: string; token: string }>('/integrations', { name: 'prometheus', kind: 'alertmanager' });

    const host = new URL(ts.url).host;
    prom = await startPrometheus(
      `global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - path_prefix: /api/ichigen/v1/integrations/${integ.id}\n      authorization:\n        credentials: ${integ.token}\n      static_configs:\n        - targets: ['${host}']\n`,
      { 'rules.yml': 'groups:\n  - name: e2e\n    rules:\n      - alert: DiskFull\n        expr: vector(97)\n        labels:\n          severity: page\n        annotations:\n          summary: disk at {{ $value }}%\n' },
    );
    const group = await waitFor(async () => (await api<{ id: string; title: string; chainId: string }[]>('/alert-groups?status=open')).find((g) => g.title.startsWith('DiskFull')), 'alert group', 30_000);
    expect(group.title).toBe('DiskFull: disk at 97%');
    expect(group.chainId).toBe(chain.id);

    await waitFor(() => (smtp.mails.length > 0 && checkers.received.filter((r) => ['twilio', 'slack-api', 'teams', 'pagerduty'].includes(r.service)).length >= 4 ? true : undefined), 'notifications', 20_000);
    expect(checkers.rejected).toEqual([]);
    expect(smtp.mails[0]!.to).toEqual(['ann@example.com']);
    expect(smtp.mails[0]!.raw).toContain('DiskFull');
    const slack = checkers.received.find((r) => r.service === 'slack-api')!.body as { channel: string; blocks: { type: string; elements?: { action_id: string }[] }[] };
    expect(slack.channel).toBe('U0ANN');
    expect(slack.blocks.find((b) => b.type === 'actions')!.elements!.map((e) => e.action_id)).toEqual(['acknowledge', 'resolve']);
    const pdBody = checkers.received.find((r) => r.service === 'pagerduty')!.body as { event_action: string; dedup_key: string };
    expect(pdBody).toMatchObject({ event_action: 'trigger', dedup_key: group.id });

    // The SMS carries a signed acknowledge link: GET shows a form, POST acknowledges, no login.
    const sms = checkers.received.find((r) => r.service === 'twilio')!.body as { Body: string; To: string };
    expect(sms.To).toBe('+14155550123');
    const link = /Ack: (\S+)/.exec(sms.Body)![1]!.replace(PUBLIC, ts.url);
    const form = await fetch(link);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<form method="post">');
    expect((await api<{ status: string }>(`/alert-groups/${group.id}`)).status).toBe('firing');
    const tampered = await fetch(link.slice(0, -3) + 'AAA', { method: 'POST' });
    expect(tampered.status).toBe(403);
    const ack = await fetch(link, { method: 'POST' });
    expect(ack.status).toBe(200);
    expect((await api<{ status: string; acknowledgedBy: string }>(`/alert-groups/${group.id}`)).acknowledgedBy).toBe('link');

    // Slack's Resolve button: a correctly signed interaction resolves, a bad signature is refused.
    const payload = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0ANN', username: 'ann' }, actions: [{ action_id: 'resolve', value: group.id }] }))}`;
    const tsSec = String(Math.floor(Date.now() / 1000));
    const sign = (secret: string) => `v0=${createHmac('sha256', secret).update(`v0:${tsSec}:${payload}`).digest('hex')}`;
    const post = (sig: string) => fetch(`${ts.url}/api/ichigen/v1/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': tsSec, 'x-slack-signature': sig }, body: payload });
    expect((await post(sign('wrong-secret'))).status).toBe(403);
    expect((await api<{ status: string }>(`/alert-groups/${group.id}`)).status).toBe('acknowledged');
    expect((await post(sign('slack-signing'))).status).toBe(200);
    const done = await api<{ status: string; resolvedBy: string }>(`/alert-groups/${group.id}`);
    expect(done).toMatchObject({ status: 'resolved', resolvedBy: 'slack:ann' });

    // PagerDuty hears about the acknowledge and the resolve; the timeline has it all, with who.
    await waitFor(() => (checkers.received.filter((r) => r.service === 'pagerduty').length >= 3 ? true : undefined), 'PagerDuty follow-ups', 10_000);
    expect(checkers.received.filter((r) => r.service === 'pagerduty').map((r) => (r.body as { event_action: string }).event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    const timeline = await api<{ kind: string; actor: string }[]>(`/alert-groups/${group.id}/timeline`);
    const kinds = timeline.map((e) => `${e.kind}:${e.actor}`);
    expect(kinds).toContain('created:integration:prometheus');
    expect(kinds).toContain('acknowledged:link');
    expect(kinds).toContain('resolved:slack:ann');
    expect(timeline.filter((e) => e.kind === 'notification').length).toBeGreaterThanOrEqual(5);
    const deliveries = await api<{ ok: boolean }[]>(`/alert-groups/${group.id}/deliveries`);
    expect(deliveries.every((d) => d.ok)).toBe(true);
    await prom.stop();
    prom = undefined;
  });
});
