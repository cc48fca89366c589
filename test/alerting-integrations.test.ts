import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

const json = { 'content-type': 'application/json' };

describe('integrations: webhooks, heartbeat, manual paging, maintenance', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer({ config: { incidents: { sweep_interval: '300ms', escalation_interval: '300ms' } } });
  });
  afterAll(async () => ts?.stop());

  const api = async <T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> => {
    const r = await ts.fetch(`/api/ichigen/v1${path}`, { method, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text === '' ? {} : (JSON.parse(text) as { data: T }).data) as T;
  };
  const integration = (name: string, kind: string, settings: unknown = {}) => api<{ id: string; token: string }>('/integrations', { name, kind, settings });
  const open = async (integrationId: string) => (await api<{ id: string; title: string; status: string; suppressed: string | null }[]>(`/alert-groups?status=open&integration=${integrationId}`));
  const hook = (i: { id: string; token: string }, body: unknown, auth = `Bearer ${i.token}`) =>
    fetch(`${ts.url}/api/ichigen/v1/integrations/${i.id}/webhook`, { method: 'POST', headers: { ...json, authorization: auth }, body: JSON.stringify(body) });

  it('takes Alertmanager / Grafana webhook payloads: firing opens a group, resolved closes it', async () => {
    const i = await integration('grafana', 'grafana');
    const alert = { status: 'firing', labels: { alertname: 'HighCPU', grafana_folder: 'infra' }, annotations: { summary: 'cpu 95%' }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', fingerprint: 'abc', values: { A: 95 } };
    const payload = { receiver: 'ichigen', status: 'firing', orgId: 1, alerts: [alert], groupLabels: { alertname: 'HighCPU' }, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://grafana', version: '1', groupKey: '{}', truncatedAlerts: 0, title: '[FIRING:1] HighCPU', state: 'alerting', message: '' };
    expect((await hook(i, payload)).status).toBe(202);
    expect((await open(i.id)).map((g) => g.title)).toEqual(['HighCPU: cpu 95%']);
    expect((await hook(i, payload, 'Bearer wrong')).status).toBe(401);
    expect((await hook(i, { alerts: [{ status: 'nope', labels: {} }] })).status).toBe(400);
    expect((await hook(i, { ...payload, status: 'resolved', alerts: [{ ...alert, status: 'resolved', endsAt: new Date().toISOString() }] })).status).toBe(202);
    expect(await open(i.id)).toEqual([]);
  });

  it('generic JSON webhook: labels from a path, grouping template, resolve template, token in the query string', async () => {
    const i = await integration('uptime', 'webhook', { labelsPath: 'monitor', groupingTemplate: '{{ payload.monitor.service }}', resolveTemplate: '{{ payload.state }}', titleTemplate: '{{ payload.monitor.service }} is {{ payload.state }}' });
    const send = (body: unknown) => fetch(`${ts.url}/api/ichigen/v1/integrations/${i.id}/webhook?token=${i.token}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    expect((await send({ monitor: { service: 'checkout', url: 'https://x' }, state: 'down' })).status).toBe(202);
    expect((await send({ monitor: { service: 'checkout', url: 'https://x' }, state: 'down' })).status).toBe(202);
    const groups = await open(i.id);
    expect(groups.map((g) => g.title)).toEqual(['checkout is down']);
    expect((await send({ monitor: { service: 'checkout', url: 'https://x' }, state: 'resolved' })).status).toBe(202);
    expect(await open(i.id)).toEqual([]);
    expect((await send([1, 2])).status).toBe(400);
  });

  it('heartbeat: silence raises HeartbeatMissing, the next ping resolves it', async () => {
    const i = await integration('cron', 'heartbeat', { heartbeatTimeoutMs: 1000 });
    const ping = () => fetch(`${ts.url}/api/ichigen/v1/integrations/${i.id}/heartbeat`, { headers: { authorization: `Bearer ${i.token}` } });
    expect((await ping()).status).toBe(200);
    const g = await waitFor(async () => (await open(i.id))[0], 'heartbeat alert', 10_000);
    expect(g.title).toMatch(/^HeartbeatMissing: no heartbeat from cron for \ds$/);
    expect((await ping()).status).toBe(200);
    expect((await api<{ status: string }>(`/alert-groups/${g.id}`)).status).toBe('resolved');
  });

  it('manual paging and maintenance windows', async () => {
    const page = await api<{ id: string; title: string; status: string }>('/page', { title: 'Database is slow', message: 'customers report timeouts', labels: { service: 'db' } });
    expect(page).toMatchObject({ title: 'Database is slow', status: 'firing' });
    const detail = await api<{ alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] }>(`/alert-groups/${page.id}`);
    expect(detail.alerts[0]!.labels).toMatchObject({ alertname: 'Database is slow', service: 'db' });
    expect(detail.alerts[0]!.annotations.description).toBe('customers report timeouts');
    const second = await api<{ id: string }>('/page', { title: 'Database is slow' });
    expect(second.id).not.toBe(page.id);

    const i = await integration('deploys', 'alertmanager');
    await api(`/integrations/${i.id}/maintenance`, { duration: '1h' }, 'PUT');
    const post = (labels: Record<string, string>) => fetch(`${ts.url}/api/ichigen/v1/integrations/${i.id}/api/v2/alerts`, { method: 'POST', headers: { ...json, authorization: `Bearer ${i.token}` }, body: JSON.stringify([{ labels }]) });
    expect((await post({ alertname: 'DeployFailed' })).status).toBe(200);
    expect((await open(i.id))[0]!.suppressed).toBe('maintenance');
    await api(`/integrations/${i.id}/maintenance`, { duration: null }, 'PUT');
    expect((await post({ alertname: 'Other' })).status).toBe(200);
    expect((await open(i.id)).find((g) => g.title === 'Other')!.suppressed).toBeNull();
    // Silencing a group with a duration through the API, then unsilencing it.
    const g = (await open(i.id)).find((x) => x.title === 'Other')!;
    expect((await api<{ silencedUntil: number }>(`/alert-groups/${g.id}/silence`, { duration: '30m' })).silencedUntil).toBeGreaterThan(Date.now());
    expect((await api<{ silencedUntil: number | null }>(`/alert-groups/${g.id}/unsilence`, {})).silencedUntil).toBeNull();
    const bad = await ts.fetch(`/api/ichigen/v1/alert-groups/${g.id}/silence`, { method: 'POST', headers: json, body: JSON.stringify({ duration: 'forever' }) });
    expect(bad.status).toBe(400);
  });
});
