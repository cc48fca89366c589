import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

// Runbook steps acknowledge and resolve real alert groups through the incidents module.
describe('runbooks acting on alert groups', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts.stop();
  });
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
});
