import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { readmeZabbixScript, runZabbixScript } from './support/zabbix-media-type.js';

interface Group {
  id: string;
  title: string;
  status: string;
  groupLabels: Record<string, string>;
}

describe('Zabbix webhook integration (the README media type script)', () => {
  let ts: TestServer;
  let base: Record<string, string>;
  let integrationId: string;
  const script = readmeZabbixScript();

  beforeAll(async () => {
    ts = await startTestServer();
    const r = await ts.fetch('/api/ichigen/v1/integrations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'zabbix', kind: 'zabbix' }) });
    const i = ((await r.json()) as { data: { id: string; token: string } }).data;
    integrationId = i.id;
    base = { url: `${ts.url}/api/ichigen/v1/integrations/${i.id}/webhook`, token: i.token };
  });
  afterAll(async () => ts?.stop());

  const groups = async (status = 'open'): Promise<Group[]> => ((await (await ts.fetch(`/api/ichigen/v1/alert-groups?status=${status}&integration=${integrationId}`)).json()) as { data: Group[] }).data;
  const detail = async (id: string) =>
    ((await (await ts.fetch(`/api/ichigen/v1/alert-groups/${id}`)).json()) as { data: Group & { alerts: { labels: Record<string, string>; annotations: Record<string, string>; status: string; generatorURL: string }[] } }).data;

  /** The parameters as Zabbix resolves the README's macros for one notification. */
  const problem = (over: Record<string, string> = {}): Record<string, string> => ({
    ...base,
    event_id: '4711',
    event_name: 'High CPU utilization (over 90% for 5m)',
    event_nseverity: '3',
    event_value: '1',
    event_update_status: '0',
    event_update_action: '{EVENT.UPDATE.ACTION}',
    event_date: '2026.12.07',
    event_time: '10:15:00',
    event_tags: JSON.stringify([{ tag: 'scope', value: 'performance' }, { tag: 'component', value: 'cpu' }]),
    event_opdata: 'Current utilization: 97.2 %',
    host_name: 'web-01',
    host_ip: '10.0.0.11',
    trigger_id: '23002',
    trigger_description: 'CPU utilization is too high.',
    zabbix_url: 'https://zabbix.example.com/',
    alert_subject: 'Problem: High CPU utilization (over 90% for 5m)',
    alert_message: 'Problem started at 10:15:00 on 2026.12.07\nProblem name: High CPU utilization\nHost: web-01\nSeverity: Average',
    ...over,
  });

  it('problem opens a group, an update with a new severity refreshes the same alert, recovery resolves it', async () => {
    expect(await runZabbixScript(script, problem())).toEqual({ ok: true, result: 'OK' });
    const [g] = await groups();
    expect(g!.title).toBe('High CPU utilization (over 90% for 5m): Problem: High CPU utilization (over 90% for 5m)');
    expect(g!.groupLabels).toEqual({ alertname: 'High CPU utilization (over 90% for 5m)', host: 'web-01' });
    let d = await detail(g!.id);
    expect(d.alerts[0]!.labels).toEqual({ alertname: 'High CPU utilization (over 90% for 5m)', severity: 'average', host: 'web-01', zabbix_event_id: '4711', zabbix_trigger_id: '23002', scope: 'performance', component: 'cpu' });
    expect(d.alerts[0]!.annotations).toMatchObject({ operational_data: 'Current utilization: 97.2 %', host_ip: '10.0.0.11', started: '2026.12.07 10:15:00' });
    expect(d.alerts[0]!.annotations.last_update).toBeUndefined();
    expect(d.alerts[0]!.generatorURL).toBe('https://zabbix.example.com/tr_events.php?triggerid=23002&eventid=4711');

    // Someone raised the severity in Zabbix: an update notification.
    const update = problem({ event_nseverity: '5', event_update_status: '1', event_update_action: 'changed severity from Average to Disaster', alert_subject: 'Updated problem: High CPU utilization' });
    expect((await runZabbixScript(script, update)).ok).toBe(true);
    d = await detail(g!.id);
    expect(d.alerts).toHaveLength(1);
    expect(d.alerts[0]!.labels.severity).toBe('disaster');
    expect(d.alerts[0]!.annotations.last_update).toBe('changed severity from Average to Disaster');
    expect(await groups()).toHaveLength(1);

    // A second host's problem from the same trigger is its own group.
    expect((await runZabbixScript(script, problem({ event_id: '4712', host_name: 'web-02' }))).ok).toBe(true);
    expect((await groups()).map((x) => x.groupLabels.host).sort()).toEqual(['web-01', 'web-02']);

    // Recovery: {EVENT.VALUE} 0, the problem's {EVENT.ID}, the severity as it is now.
    expect((await runZabbixScript(script, problem({ event_value: '0', event_nseverity: '5', alert_subject: 'Resolved in 5m: High CPU utilization' }))).ok).toBe(true);
    expect((await groups()).map((x) => x.groupLabels.host)).toEqual(['web-02']);
    expect((await detail(g!.id)).status).toBe('resolved');
  });

  it('ignores macros Zabbix could not resolve, and the script fails (so Zabbix retries) on a wrong token or payload', async () => {
    const unresolved = problem({ event_id: '5000', event_tags: '{EVENT.TAGSJSON}', host_ip: '{HOST.IP}', event_opdata: '*UNKNOWN*', zabbix_url: '{$ZABBIX.URL}', event_name: 'Disk full', host_name: 'db-01' });
    expect((await runZabbixScript(script, unresolved)).ok).toBe(true);
    const g = (await groups()).find((x) => x.groupLabels.host === 'db-01')!;
    const d = await detail(g.id);
    expect(d.alerts[0]!.labels).toEqual({ alertname: 'Disk full', severity: 'average', host: 'db-01', zabbix_event_id: '5000', zabbix_trigger_id: '23002' });
    expect(d.alerts[0]!.annotations.host_ip).toBeUndefined();
    expect(d.alerts[0]!.annotations.operational_data).toBeUndefined();
    expect(d.alerts[0]!.generatorURL).toBe('');

    const wrong = await runZabbixScript(script, { ...problem(), token: 'igi_wrong' });
    expect(wrong.ok).toBe(false);
    expect(wrong.error).toMatch(/^Ichigen answered HTTP 401: .*wrong integration token/);
    const { event_id: _drop, ...noEvent } = problem();
    const bad = await runZabbixScript(script, noEvent);
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/^Ichigen answered HTTP 400: .*event_id/);
  });
});
