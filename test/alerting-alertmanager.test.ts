import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, startPrometheus, type Peer } from './support/alerting-peers.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

/** The shape of a JSON value: keys and value types, recursively (arrays by their first element). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = k === 'labels' || k === 'annotations' ? 'object' : shape((v as Record<string, unknown>)[k]);
    return out;
  }
  return typeof v;
}

const json = { 'content-type': 'application/json' };

describe('Alertmanager API v2 compared with a real Alertmanager 0.25', () => {
  let ts: TestServer;
  let am: Peer;

  beforeAll(async () => {
    [ts, am] = await Promise.all([startTestServer(), startAlertmanager('route:\n  receiver: default\n  group_by: [alertname]\nreceivers:\n  - name: default\n')]);
  });
  afterAll(async () => {
    await am?.stop();
    await ts?.stop();
  });

  const both = async (p: string, init?: RequestInit): Promise<[Response, Response]> => Promise.all([ts.fetch(p, init), fetch(am.url + p, init)]);

  it('accepts the same alerts and answers GET alerts, groups, silences and status in the same shape', async () => {
    const alerts = [
      { labels: { alertname: 'Shape', instance: 'a', severity: 'page' }, annotations: { summary: 's' }, generatorURL: 'http://prom/graph' },
      { labels: { alertname: 'Shape', instance: 'b', severity: 'page' }, annotations: {} },
    ];
    const [p1, p2] = await both('/api/v2/alerts', { method: 'POST', headers: json, body: JSON.stringify(alerts) });
    expect([p1.status, p2.status]).toEqual([200, 200]);

    const [a1, a2] = await both('/api/v2/alerts');
    const byFp = (x: Record<string, unknown>[]) => x.sort((a, b) => String(a.fingerprint).localeCompare(String(b.fingerprint)));
    const ours = byFp((await a1.json()) as Record<string, unknown>[]);
    const theirs = byFp((await a2.json()) as Record<string, unknown>[]);
    expect(shape(ours)).toEqual(shape(theirs));
    const fp = (x: Record<string, unknown>[]) => x.map((a) => a.fingerprint).sort();
    expect(fp(ours)).toEqual(fp(theirs));

    const [g1, g2] = await both('/api/v2/alerts/groups');
    const og = (await g1.json()) as { labels: unknown; alerts: unknown[] }[];
    const tg = (await g2.json()) as { labels: unknown; alerts: unknown[] }[];
    expect(shape(og)).toEqual(shape(tg));
    expect(og.map((g) => [g.labels, g.alerts.length])).toEqual(tg.map((g) => [g.labels, g.alerts.length]));

    const silence = { matchers: [{ name: 'instance', value: 'a|x', isRegex: true, isEqual: true }], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), createdBy: 'test', comment: 'shape' };
    const [s1, s2] = await both('/api/v2/silences', { method: 'POST', headers: json, body: JSON.stringify(silence) });
    const sid1 = ((await s1.json()) as { silenceID: string }).silenceID;
    const sid2 = ((await s2.json()) as { silenceID: string }).silenceID;
    expect(sid1).toMatch(/^[0-9a-f-]{36}$/);
    const [l1, l2] = await both('/api/v2/silences');
    expect(shape(await l1.json())).toEqual(shape(await l2.json()));
    const [one1, one2] = await Promise.all([ts.fetch(`/api/v2/silence/${sid1}`), fetch(`${am.url}/api/v2/silence/${sid2}`)]);
    expect(shape(await one1.json())).toEqual(shape(await one2.json()));

    // The silenced alert is "suppressed" with silencedBy on both; filters and ?silenced=false agree.
    const state = async (base: (p: string) => Promise<Response>, q: string) =>
      ((await (await base(`/api/v2/alerts${q}`)).json()) as { labels: { instance: string }; status: { state: string; silencedBy: string[] } }[]).map((a) => `${a.labels.instance}:${a.status.state}:${a.status.silencedBy.length}`).sort();
    const oursF = (p: string) => ts.fetch(p);
    const theirsF = (p: string) => fetch(am.url + p);
    for (const q of ['', '?silenced=false', '?filter=instance%3D~%22a%7Cb%22', '?filter=instance!%3D%22a%22&active=true', '?active=false']) {
      expect(await state(oursF, q), q).toEqual(await state(theirsF, q));
    }

    const [d1, d2] = await Promise.all([ts.fetch(`/api/v2/silence/${sid1}`, { method: 'DELETE' }), fetch(`${am.url}/api/v2/silence/${sid2}`, { method: 'DELETE' })]);
    expect([d1.status, d2.status]).toEqual([200, 200]);
    const [e1, e2] = await Promise.all([ts.fetch(`/api/v2/silence/${sid1}`), fetch(`${am.url}/api/v2/silence/${sid2}`)]);
    expect(((await e1.json()) as { status: { state: string } }).status.state).toBe('expired');
    expect(((await e2.json()) as { status: { state: string } }).status.state).toBe('expired');

    const [st1, st2] = await both('/api/v2/status');
    const os = (await st1.json()) as Record<string, unknown>;
    const tsj = (await st2.json()) as Record<string, unknown>;
    expect(shape(os)).toEqual(shape(tsj));
    expect((os.cluster as { status: string }).status).toBe('disabled');
  });

  it('refuses bad alerts with 400 like Alertmanager, and needs credentials', async () => {
    for (const body of ['[{"labels":{}}]', 'not json', '[{"labels":{"a":"b"},"startsAt":"2026-01-02T00:00:00Z","endsAt":"2026-01-01T00:00:00Z"}]', '{"labels":{"a":"b"}}']) {
      const [r1, r2] = await both('/api/v2/alerts', { method: 'POST', headers: json, body });
      expect([r1.status, body], body).toEqual([r2.status, body]);
    }
    const r = await fetch(`${ts.url}/api/v2/alerts`, { method: 'POST', headers: json, body: '[]' });
    expect(r.status).toBe(401);
  });
});

describe('a real Prometheus 2.42 sends alerts to Ichigen', () => {
  let ts: TestServer;
  let prom: Peer | undefined;

  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await prom?.stop(); // the sender stops before the receiver
    await ts?.stop();
  });

  it('through an integration URL and token: the alert group appears with Prometheus labels', async () => {
    const created = await ts.fetch('/api/ichigen/v1/integrations', { method: 'POST', headers: json, body: JSON.stringify({ name: 'prom', kind: 'alertmanager', settings: { groupBy: ['alertname'] } }) });
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as { data: { id: string; token: string } };
    const host = new URL(ts.url).host;
    const config = `global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - api_version: v2\n      path_prefix: /api/ichigen/v1/integrations/${data.id}\n      authorization:\n        credentials: ${data.token}\n      static_configs:\n        - targets: ['${host}']\n`;
    const rules = `groups:\n  - name: g\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1)\n        labels:\n          severity: page\n        annotations:\n          summary: 'value is {{ $value }}'\n`;
    prom = await startPrometheus(config, { 'rules.yml': rules });
    const group = await waitFor(async () => {
      const r = (await (await ts.fetch('/api/ichigen/v1/alert-groups?status=open')).json()) as { data: { id: string; title: string; integrationId: string }[] };
      return r.data.find((g) => g.integrationId === data.id);
    }, 'the alert group from Prometheus', 30_000);
    expect(group.title).toBe('AlwaysFiring: value is 1');
    const detail = (await (await ts.fetch(`/api/ichigen/v1/alert-groups/${group.id}`)).json()) as { data: { alerts: { labels: Record<string, string>; generatorURL: string }[] } };
    expect(detail.data.alerts[0]!.labels).toEqual({ alertname: 'AlwaysFiring', severity: 'page' });
    expect(detail.data.alerts[0]!.generatorURL).toContain('/graph?g0.expr=vector');
    // A wrong token is refused.
    const bad = await fetch(`${ts.url}/api/ichigen/v1/integrations/${data.id}/api/v2/alerts`, { method: 'POST', headers: { ...json, authorization: 'Bearer nope' }, body: '[]' });
    expect(bad.status).toBe(401);
    await prom.stop();
    prom = undefined;
  });
});
