import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../src/state/index.js';
import { runCli, waitFor, type Proc } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

interface Run {
  id: string;
  status: string;
  error: string;
  approval: { decidedBy?: string } | null;
  steps: Array<{ name: string; status: string; exitCode: number | null; output: string; result: Record<string, unknown> }>;
  liveOutput?: string;
}

// A real `ichigen agent` process on loopback runs runbook steps sent by an in-process server.
describe('runbooks on a real ichigen agent', () => {
  let ts: TestServer;
  let agent: Proc;
  let tokenId: string;
  let secret: string;
  const procs: Proc[] = [];

  const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const put = async (path: string, body: unknown) => {
    const r = await ts.fetch(path, json('PUT', body));
    expect(r.status, await r.clone().text()).toBeLessThan(300);
    return r.json();
  };
  const getRun = async (id: string) => ((await (await ts.fetch(`/api/ichigen/v1/runs/${id}`)).json()) as { data: Run }).data;
  const waitRun = (id: string, statuses: string[], timeoutMs = 20_000) => waitFor(async () => {
    const r = await getRun(id);
    return statuses.includes(r.status) ? r : undefined;
  }, `run ${id} to reach ${statuses.join('|')}`, timeoutMs);
  const startRun = async (runbook: string, params: Record<string, unknown> = {}) => {
    const r = await ts.fetch(`/api/ichigen/v1/runbooks/${runbook}/runs`, json('POST', { params }));
    expect(r.status, await r.clone().text()).toBe(202);
    return ((await r.json()) as { data: Run }).data;
  };
  const startAgent = (token: string, extra: string[] = []) => {
    const p = runCli(['agent', '--server', ts.url, '--label', 'role=web', '--label', 'env=test', '--name', 'web-1', '--concurrency', '2', ...extra], { ICHIGEN_AGENT_TOKEN: token });
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    ts = await startTestServer();
    const r = await ts.fetch('/api/ichigen/v1/agents/tokens', json('POST', { name: 'web-1' }));
    expect(r.status).toBe(201);
    ({ id: tokenId, secret } = ((await r.json()) as { data: { id: string; secret: string } }).data);
    agent = startAgent(secret);
    await waitFor(async () => {
      const list = ((await (await ts.fetch('/api/ichigen/v1/agents')).json()) as { data: Array<{ name: string; labels: Record<string, string> }> }).data;
      return list.find((a) => a.name === 'web-1' && a.labels.role === 'web');
    }, 'the agent to connect');
    await put('/api/ichigen/v1/runbooks/disk-cleanup', {
      description: 'free disk space',
      params: [{ name: 'path', type: 'string', required: true, pattern: '/[a-z/]+' }, { name: 'threshold', type: 'number', default: 90 }],
      steps: [
        { name: 'check', action: 'agent.command', with: { targets: { labels: { role: 'web' } }, command: ['sh', '-c', 'echo "usage of $1 above $2"; echo warn >&2; exit 3', 'sh', '{{params.path}}', '{{params.threshold}}'] } },
        { name: 'clean', action: 'agent.command', when: { previous: 'failed', exitCode: [3] }, with: { targets: { labels: { role: 'web' } }, script: 'echo "cleaning $ICHIGEN_PARAM_PATH"' } },
        { name: 'never', action: 'agent.command', when: { previous: 'failed' }, with: { targets: { labels: { role: 'web' } }, script: 'echo should-not-run' } },
      ],
    });
  });

  afterAll(async () => {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await ts.stop();
  });

  it('an event matching a rule runs the runbook on the agent; outputs and exit codes land in the run and the audit log', async () => {
    await put('/api/ichigen/v1/automation/rules/disk-full', {
      pattern: { source: ['ops.test'], 'detail-type': ['Disk Full'], detail: { usage: [{ numeric: ['>=', 90] }] } },
      runbook: 'disk-cleanup',
      input: { inputPathsMap: { p: '$.detail.mount', u: '$.detail.usage' }, inputTemplate: { path: '<p>', threshold: '<u>' } },
    });
    const ev = await ts.fetch('/api/ichigen/v1/events', json('POST', { entries: [{ source: 'ops.test', detailType: 'Disk Full', detail: { mount: '/var/log', usage: 95 } }, { source: 'ops.test', detailType: 'Disk Full', detail: { mount: '/tmp', usage: 50 } }] }));
    expect(ev.status).toBe(201);
    const runs = await waitFor(async () => {
      const list = ((await (await ts.fetch('/api/ichigen/v1/runs?runbook=disk-cleanup')).json()) as { data: Run[] }).data;
      return list.length > 0 ? list : undefined;
    }, 'a run');
    expect(runs).toHaveLength(1);
    const run = await waitRun(runs[0]!.id, ['succeeded', 'failed']);
    // The first step fails with exit 3 (the run fails), the remediation step runs on that condition.
    expect(run.status).toBe('failed');
    expect(run.steps.map((s) => [s.name, s.status, s.exitCode])).toEqual([['check', 'failed', 3], ['clean', 'succeeded', 0], ['never', 'skipped', null]]);
    expect(run.steps[0]!.output).toContain('usage of /var/log above 95');
    expect(run.steps[0]!.output).toContain('warn');
    expect(run.steps[1]!.output).toContain('cleaning /var/log');
    const audit = await listAudit(ts.server.ctx.state.db, { tenant: 'default', limit: 50, action: 'runbook.run.finished' });
    const entry = audit.find((a) => a.target === run.id)!;
    expect(entry.details).toMatchObject({ runbook: 'disk-cleanup', status: 'failed', params: { path: '/var/log', threshold: 95 }, trigger: { kind: 'event', ruleName: 'disk-full' } });
    expect(JSON.stringify(entry.details.steps)).toContain('cleaning /var/log');
    expect(typeof entry.details.durationMs).toBe('number');
  });

  it('approval step: waits, then continues when approved through the signed link; rejected through the API stops', async () => {
    await put('/api/ichigen/v1/runbooks/restart-app', {
      params: [{ name: 'svc', type: 'string', enum: ['web', 'api'] }],
      steps: [
        { name: 'ask', action: 'approval', with: { message: 'restart?', expiresIn: '1h' } },
        { name: 'restart', action: 'agent.command', with: { targets: { labels: { env: 'test' } }, command: ['echo', 'restarted', '{{params.svc}}'] } },
      ],
    });
    const run = await startRun('restart-app', { svc: 'web' });
    const waiting = await waitRun(run.id, ['waiting_approval']);
    expect(waiting.steps).toHaveLength(0);
    const audit = await listAudit(ts.server.ctx.state.db, { tenant: 'default', limit: 20, action: 'runbook.run.approval_requested' });
    const link = String(audit.find((a) => a.target === run.id)!.details.link);
    const url = new URL(link, ts.url);
    const page = await fetch(`${ts.url}${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('restart?');
    const forged = await fetch(`${ts.url}${url.pathname}${url.search.replace(/sig=[^&]+/, 'sig=AAAA')}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'approve' }) });
    expect(forged.status).toBe(403);
    const ok = await fetch(`${ts.url}${url.pathname}${url.search}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'approve' }) });
    expect(ok.status).toBe(200);
    const twice = await fetch(`${ts.url}${url.pathname}${url.search}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'approve' }) });
    expect(twice.status).toBe(409);
    const done = await waitRun(run.id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(done.approval?.decidedBy).toBe('approval link');
    expect(done.steps.map((s) => s.status)).toEqual(['approved', 'succeeded']);
    expect(done.steps[1]!.output.trim()).toBe('restarted web');

    const rejected = await startRun('restart-app', { svc: 'api' });
    await waitRun(rejected.id, ['waiting_approval']);
    const rj = await ts.fetch(`/api/ichigen/v1/runs/${rejected.id}/reject`, { method: 'POST' });
    expect(rj.status).toBe(200);
    expect((await getRun(rejected.id)).status).toBe('rejected');
    expect((await startRun('restart-app', { svc: 'db' }).catch((e: Error) => e)) instanceof Error).toBe(true);
  });

  it('streams output, times out and cancels long steps', async () => {
    await put('/api/ichigen/v1/runbooks/slow', {
      params: [{ name: 'secs', type: 'number', default: 30 }],
      steps: [{ name: 'wait', action: 'agent.command', timeout: '20s', with: { targets: { labels: { role: 'web' } }, script: 'echo started; sleep "$ICHIGEN_PARAM_SECS"; echo finished' } }],
    });
    const run = await startRun('slow');
    await waitFor(async () => ((await getRun(run.id)).liveOutput?.includes('started') === true ? true : undefined), 'streamed output');
    expect((await ts.fetch(`/api/ichigen/v1/runs/${run.id}/cancel`, { method: 'POST' })).status).toBe(200);
    const canceled = await waitRun(run.id, ['canceled']);
    expect(canceled.steps[0]!.status).toBe('canceled');
    expect(canceled.steps[0]!.output).toContain('started');
    expect(canceled.steps[0]!.output).not.toContain('finished');

    await put('/api/ichigen/v1/runbooks/too-slow', { steps: [{ name: 'wait', action: 'agent.command', timeout: '1s', with: { targets: { labels: { role: 'web' } }, command: ['sleep', '30'] } }] });
    const slow = await startRun('too-slow');
    const timedOut = await waitRun(slow.id, ['failed']);
    expect(timedOut.steps[0]!.output).toMatch(/timed out/);
  });

  it('refuses anything that is not a stored runbook, and runbooks outside an agent allow-list', async () => {
    const adhoc = await ts.fetch('/api/ichigen/v1/runbooks/disk-cleanup/runs', json('POST', { command: 'rm -rf /' }));
    expect(adhoc.status).toBe(400);
    expect((await ts.fetch('/api/ichigen/v1/runbooks/nope/runs', json('POST', {}))).status).toBe(404);
    const badParam = await ts.fetch('/api/ichigen/v1/runbooks/disk-cleanup/runs', json('POST', { params: { path: '/tmp; rm -rf /' } }));
    expect(badParam.status).toBe(400);
    expect(((await badParam.json()) as { error: string }).error).toMatch(/does not match/);
    const badStep = await ts.fetch('/api/ichigen/v1/runbooks/bad', json('PUT', { steps: [{ name: 'x', action: 'shell.exec', with: {} }] }));
    expect(badStep.status).toBe(400);
    expect(((await badStep.json()) as { error: string }).error).toMatch(/unknown action "shell.exec"/);

    // A second agent that allows only one runbook refuses the others.
    const r = await ts.fetch('/api/ichigen/v1/agents/tokens', json('POST', { name: 'locked' }));
    const locked = ((await r.json()) as { data: { secret: string } }).data.secret;
    const p = runCli(['agent', '--server', ts.url, '--label', 'role=locked', '--name', 'locked-1', '--allow-runbook', 'only-this'], { ICHIGEN_AGENT_TOKEN: locked });
    procs.push(p);
    await waitFor(async () => ((await (await ts.fetch('/api/ichigen/v1/agents')).json()) as { data: Array<{ name: string }> }).data.find((a) => a.name === 'locked-1'), 'locked agent');
    await put('/api/ichigen/v1/runbooks/other', { steps: [{ name: 's', action: 'agent.command', with: { targets: { labels: { role: 'locked' } }, command: ['echo', 'hi'] } }] });
    const run = await waitRun((await startRun('other')).id, ['failed']);
    expect(run.steps[0]!.output).toMatch(/refused the job: runbook "other" is not allowed/);
  });

  it('stops at once on SIGTERM while waiting to reconnect to a server that is gone', { timeout: 90_000 }, async () => {
    const gone = runCli(['agent', '--server', 'http://127.0.0.1:9', '--name', 'lonely'], { ICHIGEN_AGENT_TOKEN: 'iag_whatever' });
    procs.push(gone);
    // Five failed connects (0.5 + 1 + 2 + 4 s apart): the agent now waits 16 s before the next.
    await waitFor(() => (gone.stdout().split('connection error').length > 5 ? true : undefined), 'five failed connects', 50_000);
    const t0 = Date.now();
    gone.kill('SIGTERM');
    expect(await gone.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('refuses wrong and revoked tokens', async () => {
    const wrong = runCli(['agent', '--server', ts.url, '--token', 'iag_wrongwrongwrongwrongwrongwrong']);
    procs.push(wrong);
    expect(await wrong.exited).toBe(2);
    expect(wrong.stdout()).toContain('refused the agent token');

    expect((await ts.fetch(`/api/ichigen/v1/agents/tokens/${tokenId}`, { method: 'DELETE' })).status).toBe(200);
    expect(await agent.exited).toBe(3);
    expect(agent.stdout()).toContain('revoked');
    const again = startAgent(secret);
    expect(await again.exited).toBe(2);
  });
});
