import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AutomationModule } from '../src/automation/index.js';
import { createDatabase } from './support/postgres.js';
import { runCli, waitFor, type Proc } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

interface Run {
  id: string;
  status: string;
  replica: string | null;
  error: string;
  trigger: { kind: string; eventId?: string };
  params: Record<string, string>;
  steps: Array<{ status: string; exitCode: number | null; output: string }>;
  liveOutput?: string;
}

// Two Ichigen replicas share one real PostgreSQL; a real agent process is connected to
// replica B only. Events and schedule ticks reach both replicas, runs start on either.
describe('automation on two replicas sharing PostgreSQL', () => {
  let a: TestServer;
  let b: TestServer;
  let agent: Proc | undefined;
  // Every agent started (a retried test starts another): all are stopped at the end.
  const procs: Proc[] = [];
  let dir: string;
  let marks: string;
  let replicaB: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ichigen-replicas-'));
    marks = path.join(dir, 'marks');
    writeFileSync(marks, '');
    const url = await createDatabase(inject('pgUrl'), `automation_replicas_${process.pid}`);
    const config = { state: { url }, automation: { run_lease: '2s' } };
    a = await startTestServer({ config });
    b = await startTestServer({ config });
  });
  afterAll(async () => {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await Promise.all([a?.stop(), b?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async <T>(ts: TestServer, p: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> => {
    const r = await ts.fetch(`/api/ichigen/v1${p}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${text}`);
    return (JSON.parse(text) as { data: T }).data;
  };
  const automation = (ts: TestServer): AutomationModule => ts.server.modules.find((m) => m.name === 'automation') as unknown as AutomationModule;
  const finished = (runs: Run[]): boolean => runs.every((r) => !['running', 'waiting_approval'].includes(r.status));
  const runsOf = (runbook: string) => api<Run[]>(a, `/runs?runbook=${runbook}&limit=500`);
  const markLines = (prefix: string): string[] => readFileSync(marks, 'utf8').split('\n').filter((l) => l.startsWith(prefix));

  it('an agent on one replica runs steps for runs on either; each event runs once, whichever replica stores it and however often it is sent', async () => {
    const { secret } = await api<{ secret: string }>(a, '/agents/tokens', { name: 'worker-1' });
    agent = runCli(['agent', '--server', b.url, '--name', 'worker-1', '--label', 'role=worker', '--concurrency', '4'], { ICHIGEN_AGENT_TOKEN: secret });
    procs.push(agent);
    // Replica A lists the agent connected to B (the registry is in PostgreSQL).
    const listed = await waitFor(async () => (await api<Array<{ name: string; replica: string }>>(a, '/agents')).find((x) => x.name === 'worker-1'), 'A to list the agent connected to B');
    replicaB = listed.replica;
    expect((await api<Array<{ replica: string }>>(b, '/agents'))[0]!.replica).toBe(replicaB);

    await api(a, '/runbooks/mark', {
      params: [{ name: 'n', type: 'string', required: true, pattern: '[a-z0-9:-]+' }],
      steps: [{ name: 'mark', action: 'agent.command', with: { targets: { labels: { role: 'worker' } }, env: { MARKS: marks }, script: 'echo "$ICHIGEN_PARAM_N" >> "$MARKS"; echo "marked $ICHIGEN_PARAM_N"' } }],
    }, 'PUT');
    const rule = await api<{ id: string }>(a, '/automation/rules/on-ping', {
      pattern: { source: ['ops.replicas'], 'detail-type': ['Ping'] },
      runbook: 'mark',
      input: { inputPathsMap: { n: '$.detail.n' }, inputTemplate: { n: '<n>' } },
    }, 'PUT');
    // Replica B learns the rule made on A (notification, or its 5 s poll).
    await waitFor(() => automation(b).rules.installed(rule.id) || undefined, 'B to install the rule', 10_000);

    const entry = (i: number) => ({ entries: [{ id: `ping-${i}`, source: 'ops.replicas', detailType: 'Ping', detail: { n: `ev-${i}` } }] });
    // Events 0–9 reach A first, 10–19 reach B first; then every one is sent again to the other replica.
    for (let i = 0; i < 20; i++) await api(i < 10 ? a : b, '/events', entry(i));
    for (let i = 0; i < 20; i++) await api(i < 10 ? b : a, '/events', entry(i));
    // 20–29: sent to both replicas at the same moment.
    await Promise.all(Array.from({ length: 10 }, (_, k) => [api(a, '/events', entry(20 + k)), api(b, '/events', entry(20 + k))]).flat());

    const runs = await waitFor(async () => {
      const r = await runsOf('mark');
      return r.length >= 30 && finished(r) ? r : undefined;
    }, '30 finished runs', 60_000);
    await new Promise((r) => setTimeout(r, 500)); // nothing more may come
    const all = await runsOf('mark');
    expect(all).toHaveLength(30);
    expect(all.map((r) => r.status)).toEqual(Array(30).fill('succeeded'));
    expect(new Set(all.map((r) => r.trigger.eventId)).size).toBe(30);
    // The host ran each event's command exactly once.
    expect(markLines('ev-').sort()).toEqual(Array.from({ length: 30 }, (_, i) => `ev-${i}`).sort());
    for (const r of runs) expect((await api<Run>(b, `/runs/${r.id}`)).steps[0]!.output).toBe(`marked ${r.params.n}\n`);
    // Runs stored by A (0–9) were executed by A through the agent on B; 10–19 by B itself.
    const byEvent = new Map(all.map((r) => [r.trigger.eventId!, r]));
    for (let i = 0; i < 20; i++) {
      const owner = byEvent.get(`ping-${i}`)!.replica;
      if (i < 10) expect(owner).not.toBe(replicaB);
      else expect(owner).toBe(replicaB);
    }
  });

  it('a schedule ticking on both replicas runs once per tick', async () => {
    const rule = await api<{ id: string }>(b, '/automation/rules/every-2s', { schedule: '*/2 * * * * *', runbook: 'mark', input: { inputPathsMap: { n: '$.id' }, inputTemplate: { n: '<n>' } } }, 'PUT');
    await waitFor(() => (automation(a).rules.nextTick(rule.id) !== undefined ? true : undefined), 'A to schedule the rule made on B', 10_000);
    await waitFor(async () => ((await runsOf('mark')).filter((r) => r.trigger.kind === 'schedule').length >= 4 ? true : undefined), 'four ticks', 30_000);
    await api(a, '/automation/rules/every-2s', undefined, 'DELETE');
    await waitFor(() => (automation(b).rules.nextTick(rule.id) === undefined ? true : undefined), 'B to drop the rule deleted on A', 10_000);
    const ticks = await waitFor(async () => {
      const r = (await runsOf('mark')).filter((x) => x.trigger.kind === 'schedule');
      return finished(r) ? r : undefined;
    }, 'the scheduled runs to finish');
    expect(ticks.every((r) => r.status === 'succeeded')).toBe(true);
    const ids = ticks.map((r) => r.trigger.eventId!);
    expect(new Set(ids).size).toBe(ids.length);
    // One stored tick event, one run and one command on the host per tick.
    const events = await api<{ events: Array<{ id: string }> }>(a, '/events?source=ichigen.scheduler&limit=1000');
    expect(events.events.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(markLines('ichigen:schedule:').sort()).toEqual([...ids].sort());
    const times = ids.map((id) => Number(id.split(':').pop())).sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(2000);
  });

  it('output is visible on both replicas while a step runs, and a cancel on either stops it', async () => {
    await api(a, '/runbooks/slow', { steps: [{ name: 'wait', action: 'agent.command', timeout: '60s', with: { targets: { labels: { role: 'worker' } }, script: 'echo started; sleep 30; echo finished' } }] }, 'PUT');
    const run = await api<Run>(a, '/runbooks/slow/runs', {});
    expect(run.replica).not.toBe(replicaB);
    // A executes the run; the agent is on B. B shows the output A saved.
    await waitFor(async () => ((await api<Run>(b, `/runs/${run.id}`)).liveOutput?.includes('started') === true ? true : undefined), 'B to show the streamed output', 15_000);
    await api(b, `/runs/${run.id}/cancel`, {});
    const done = await waitFor(async () => {
      const r = await api<Run>(a, `/runs/${run.id}`);
      return r.status === 'running' ? undefined : r;
    }, 'the cancel to reach the agent', 20_000);
    expect(done.status).toBe('canceled');
    expect(done.error).toMatch(/canceled by test-admin/);
    expect(done.steps[0]!.output).toContain('started');
    expect(done.steps[0]!.output).not.toContain('finished');
  });

  it('a run whose replica died is marked interrupted once by a live replica when its lease runs out', async () => {
    const db = a.server.ctx.state.db;
    const now = Date.now();
    const id = `dead-${now}`;
    await db.insertInto('runbook_runs').values({ id, tenant: 'default', runbook: 'mark', definition: JSON.stringify({ name: 'mark', description: '', params: [], steps: [{ name: 'mark', action: 'agent.command', continueOnError: false, with: {} }] }), status: 'running', trigger: JSON.stringify({ kind: 'manual', actor: 'x' }), params: '{}', next_step: 0, approval: null, error: '', created_at: now, finished_at: null, dedup_key: null, owner: 'a-replica-that-died', lease_until: now + 1500, cancel_requested: null }).execute();
    await db.insertInto('runbook_run_steps').values({ run_id: id, idx: 0, name: 'mark', action: 'agent.command', status: 'running', exit_code: null, output: 'half', result: '{}', started_at: now, finished_at: null }).execute();
    const r = await waitFor(async () => {
      const x = await api<Run>(a, `/runs/${id}`);
      return x.status === 'interrupted' ? x : undefined;
    }, 'the sweep', 15_000);
    expect(Date.now()).toBeGreaterThanOrEqual(now + 1500);
    expect(r.error).toMatch(/stopped renewing its claim/);
    expect(r.steps[0]).toMatchObject({ status: 'interrupted', output: 'half' });
    await new Promise((res) => setTimeout(res, 1500)); // both replicas sweep; one records it
    const audit = await api<{ entries: Array<{ action: string }> }>(b, `/audit?target=${id}`);
    expect(audit.entries.map((e) => e.action)).toEqual(['runbook.run.interrupted']);
  });

  it('a token revoked on one replica disconnects its agent from the other', async () => {
    const tokens = await api<Array<{ id: string; name: string }>>(a, '/agents/tokens');
    await api(a, `/agents/tokens/${tokens.find((t) => t.name === 'worker-1')!.id}`, undefined, 'DELETE');
    expect(await agent!.exited).toBe(3);
    await waitFor(async () => ((await api<unknown[]>(a, '/agents')).length === 0 ? true : undefined), 'the agent to leave the registry');
  });
});
