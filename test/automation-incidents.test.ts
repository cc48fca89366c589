import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

// Runbook steps acknowledge and resolve real alert groups through the incidents module.
describe('runbooks acting on alert groups', () => {
  let ts: TestServer;
  // A real HTTP receiver for the escalation chain's webhook channel.
  let hook: Server;
  const received: Array<{ event: string; title: string; groupId: string; groupLabels: Record<string, string> }> = [];
  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as (typeof received)[number]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    ts = await startTestServer({ config: { incidents: { escalation_interval: '200ms' } } });
  });
  afterAll(async () => {
    await ts.stop();
    await new Promise((r) => hook.close(r));
  });
  const waitRun = (id: string) =>
    waitFor(async () => {
      const d = ((await (await ts.fetch(`/api/ichigen/v1/runs/${id}`)).json()) as { data: { status: string; steps: Array<{ name: string; status: string; output: string; result: Record<string, unknown> }> } }).data;
      return d.status === 'running' ? undefined : d;
    }, 'the run');
  const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('acknowledges then resolves a paged group', async () => {
    const page = await ts.fetch('/api/ichigen/v1/page', json('POST', { title: 'disk full on web-1', message: 'df says 95%' }));
    expect(page.status, await page.clone().text()).toBe(201);
    const group = ((await page.json()) as { data: { id: string; status: string } }).data;
    const put = await ts.fetch('/api/ichigen/v1/runbooks/ack-and-resolve', json('PUT', {
      params: [{ name: 'group', type: 'string', required: true }],
      steps: [
        { name: 'ack', action: 'incident.acknowledge', with: { groupId: '{{params.group}}' } },
        { name: 'fix', action: 'incident.resolve', with: { groupId: '{{params.group}}' } },
      ],
    }));
    expect(put.status, await put.clone().text()).toBe(201);
    const r = await ts.fetch('/api/ichigen/v1/runbooks/ack-and-resolve/runs', json('POST', { params: { group: group.id } }));
    const id = ((await r.json()) as { data: { id: string } }).data.id;
    const run = await waitFor(async () => {
      const d = ((await (await ts.fetch(`/api/ichigen/v1/runs/${id}`)).json()) as { data: { status: string; steps: Array<{ output: string }> } }).data;
      return d.status === 'running' ? undefined : d;
    }, 'the run');
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => s.output)).toEqual([`acknowledged alert group ${group.id}`, `resolved alert group ${group.id}`]);
    const g = ((await (await ts.fetch(`/api/ichigen/v1/alert-groups/${group.id}`)).json()) as { data: { status: string } }).data;
    expect(g.status).toBe('resolved');
  });

  it('pages on-call: the page step opens an alert group routed by its labels to an escalation chain, which notifies', async () => {
    const api = async <T>(path: string, body: unknown, method = 'POST'): Promise<T> => {
      const r = await ts.fetch(`/api/ichigen/v1${path}`, json(method, body));
      const text = await r.text();
      expect(r.status, text).toBeLessThan(300);
      return (JSON.parse(text) as { data: T }).data;
    };
    const addr = hook.address() as { port: number };
    const channel = await api<{ id: string }>('/channels', { name: 'storage-hook', kind: 'webhook', settings: { url: `http://127.0.0.1:${addr.port}/hook` } });
    const chain = await api<{ id: string }>('/escalation-chains', { name: 'storage', steps: [{ type: 'notify_channel', channel: channel.id }] });
    await api('/routes', { matchers: '{team="storage"}', chain: chain.id });
    await api('/runbooks/page-storage', {
      params: [{ name: 'host', type: 'string', required: true }, { name: 'team', type: 'string', default: 'storage' }],
      steps: [
        { name: 'page', action: 'incident.page', with: { title: 'cleanup failed on {{params.host}}', message: 'run {{run.id}} could not free space', labels: { team: '{{params.team}}', host: '{{params.host}}' } } },
        { name: 'note', action: 'http.webhook', with: { url: `http://127.0.0.1:${addr.port}/note`, body: { group: '{{steps.page.data.groupId}}' } } },
      ],
    }, 'PUT');

    const start = await api<{ id: string }>('/runbooks/page-storage/runs', { params: { host: 'db-1' } });
    const run = await waitRun(start.id);
    expect(run.status).toBe('succeeded');
    const groupId = run.steps[0]!.result.groupId as string;
    expect(run.steps[0]!.output).toBe(`paged: alert group ${groupId} "cleanup failed on db-1" (escalation chain ${chain.id})`);
    const group = ((await (await ts.fetch(`/api/ichigen/v1/alert-groups/${groupId}`)).json()) as { data: { title: string; status: string; chainId: string; alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> } }).data;
    expect(group).toMatchObject({ title: 'cleanup failed on db-1', status: 'firing', chainId: chain.id });
    expect(group.alerts[0]!.labels).toMatchObject({ team: 'storage', host: 'db-1', runbook: 'page-storage', run_id: start.id });
    expect(group.alerts[0]!.annotations.description).toBe(`run ${start.id} could not free space`);
    // The chain notifies the channel like for any alert; the next step saw the group id.
    const firing = await waitFor(() => received.find((m) => m.groupId === groupId && m.event === 'firing'), 'the chain\'s webhook notification');
    expect(firing.title).toBe('cleanup failed on db-1');
    expect(received.some((m) => (m as unknown as { group?: string }).group === groupId)).toBe(true);
    const timeline = ((await (await ts.fetch(`/api/ichigen/v1/alert-groups/${groupId}/timeline`)).json()) as { data: Array<{ kind: string; actor: string }> }).data;
    expect(timeline.map((e) => `${e.kind}:${e.actor}`)).toContain('created:runbook:page-storage');

    // A page no route matches still opens a group, with no chain, and says so.
    const other = await waitRun((await api<{ id: string }>('/runbooks/page-storage/runs', { params: { host: 'web-1', team: 'web' } })).id);
    expect(other.status).toBe('succeeded');
    expect(other.steps[0]!.output).toMatch(/no route matched; no escalation chain/);
    // Bad inputs are refused when the runbook is saved.
    const bad = await ts.fetch('/api/ichigen/v1/runbooks/bad-page', json('PUT', { steps: [{ name: 'p', action: 'incident.page', with: { title: '' } }] }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/title/);
  });
});
