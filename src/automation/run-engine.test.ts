import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openTestState } from '../../test/support/state-backends.js';
import { toEnvelope } from '../events/index.js';
import { createLogger } from '../self/index.js';
import { listAudit } from '../state/index.js';
import type { AgentDispatcher } from './agent/agent-dispatcher.js';
import { FakeClock } from './fake-clock.js';
import { transformInput } from './input-transform.js';
import { RunEngine } from './run-engine.js';
import type { RunbookDefinition } from './runbook.js';

const log = createLogger({ level: 'silent' });

function engineOn(state: Awaited<ReturnType<typeof openTestState>>, clock: FakeClock, agents: AgentDispatcher): RunEngine {
  return new RunEngine({ state, log, clock, agents, incidents: () => undefined, aws: { endpoint: '', region: '', pollIntervalMs: 10 }, defaultStepTimeoutMs: 10_000, approvalKey: () => Promise.resolve('k'.repeat(64)), publicUrl: 'http://ichigen.example', replica: 'test-replica', leaseMs: 30_000 });
}

const never: AgentDispatcher = { run: () => Promise.reject(new Error('no agents in this test')) };

describe('run engine', () => {
  it('renders step inputs from params and earlier steps, calls webhooks, follows conditions', async () => {
    const state = await openTestState('sqlite');
    const seen: Array<{ path: string; body: string; auth: string }> = [];
    const srv = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', body, auth: String(req.headers.authorization) });
        res.statusCode = req.url === '/fail' ? 500 : 200;
        res.end(req.url === '/fail' ? 'boom' : JSON.stringify({ ticket: 'OPS-7' }));
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const engine = engineOn(state, new FakeClock(Date.now()), never);
      const def: RunbookDefinition = {
        name: 'ticket',
        description: '',
        params: [{ name: 'host', type: 'string', required: true }],
        steps: [
          { name: 'open', action: 'http.webhook', continueOnError: false, with: { url: `${base}/tickets`, headers: { authorization: 'Bearer t' }, body: { host: '{{params.host}}', event: '{{event.detail-type}}' } } },
          { name: 'note', action: 'http.webhook', when: { previous: 'succeeded', outputMatches: 'OPS-\\d+' }, continueOnError: false, with: { url: `${base}/note`, body: 'run {{run.id}} got {{steps.open.output}}' } },
          { name: 'bad', action: 'http.webhook', continueOnError: true, with: { url: `${base}/fail` } },
          { name: 'after-bad', action: 'http.webhook', when: { previous: 'failed' }, continueOnError: false, with: { url: `${base}/recover`, method: 'PUT' } },
        ],
      };
      const run = await engine.start('default', def, { host: 'web-1' }, { kind: 'event', event: { 'detail-type': 'Disk Full' } });
      await engine.idle();
      const done = (await engine.runs.get('default', run.id))!;
      expect(done.steps.map((s) => [s.name, s.status])).toEqual([['open', 'succeeded'], ['note', 'succeeded'], ['bad', 'failed'], ['after-bad', 'succeeded']]);
      // continueOnError: the failed step does not fail the run.
      expect(done.status).toBe('succeeded');
      expect(JSON.parse(seen[0]!.body)).toEqual({ host: 'web-1', event: 'Disk Full' });
      expect(seen[0]!.auth).toBe('Bearer t');
      expect(seen[1]!.body).toContain(`run ${run.id} got HTTP 200`);
      expect(seen[1]!.body).toContain('OPS-7');
      expect(done.steps[2]!.output).toContain('HTTP 500');
      await expect(engine.start('default', def, {}, { kind: 'manual' })).rejects.toThrow(/needs parameter "host"/);
      await expect(engine.start('default', def, { host: 'x', extra: 1 }, { kind: 'manual' })).rejects.toThrow(/no parameter "extra"/);
    } finally {
      srv.close();
      await state.dispose();
    }
  });

  it('after a restart, a run in flight is marked interrupted (not re-run) and a run waiting for approval continues', async () => {
    const state = await openTestState('sqlite');
    const clock = new FakeClock(Date.now());
    let calls = 0;
    const hanging: AgentDispatcher = { run: () => ((calls++), new Promise(() => undefined)) };
    const def: RunbookDefinition = { name: 'two', description: '', params: [], steps: [{ name: 's1', action: 'agent.command', continueOnError: false, with: { targets: { labels: { a: 'b' } }, command: ['true'] } }] };
    const gated: RunbookDefinition = {
      name: 'gated',
      description: '',
      params: [],
      steps: [
        { name: 'ok', action: 'approval', continueOnError: false, with: { expiresIn: '1h' } },
        { name: 'go', action: 'agent.command', continueOnError: false, with: { targets: { labels: { a: 'b' } }, command: ['echo', 'go'] } },
      ],
    };
    try {
      const first = engineOn(state, clock, hanging);
      const inFlight = await first.start('default', def, {}, { kind: 'manual', actor: 'alice' });
      const waiting = await first.start('default', gated, {}, { kind: 'manual', actor: 'alice' });
      await new Promise((r) => setTimeout(r, 50));
      expect((await first.runs.get('default', waiting.id))!.status).toBe('waiting_approval');
      // "Crash": the first engine is abandoned mid-step; a new one starts on the same database.
      let ran = 0;
      const agents: AgentDispatcher = { run: (_t, _l, job) => ((ran++), Promise.resolve([{ agent: 'h', exitCode: 0, output: job.argv!.join(' ') }])) };
      const second = engineOn(state, clock, agents);
      expect(await second.recover()).toEqual([inFlight.id]);
      const r1 = (await second.runs.get('default', inFlight.id))!;
      expect(r1.status).toBe('interrupted');
      expect(r1.steps[0]!.status).toBe('interrupted');
      expect(r1.error).toMatch(/not resumed/);
      expect(calls).toBe(1);
      const audit = await listAudit(state.db, { tenant: 'default', limit: 10, action: 'runbook.run.interrupted' });
      expect(audit.map((a) => a.target)).toEqual([inFlight.id]);

      const link = (await listAudit(state.db, { tenant: 'default', limit: 10, action: 'runbook.run.approval_requested' }))[0]!.details.link as string;
      const u = new URL(link);
      await second.checkLink(waiting.id, Number(u.searchParams.get('step')), Number(u.searchParams.get('exp')), u.searchParams.get('sig')!);
      await expect(second.checkLink(waiting.id, 1, Number(u.searchParams.get('exp')), u.searchParams.get('sig')!)).rejects.toThrow(/invalid approval link/);
      await second.decide('default', waiting.id, 'approved', 'bob', 'api');
      await second.idle();
      const r2 = (await second.runs.get('default', waiting.id))!;
      expect(r2.status).toBe('succeeded');
      expect(r2.steps.map((s) => [s.name, s.status, s.output])).toEqual([['ok', 'approved', 'approved by bob (api)'], ['go', 'succeeded', 'echo go']]);
      expect(ran).toBe(1);
      await expect(second.decide('default', waiting.id, 'approved', 'bob', 'api')).rejects.toThrow(/not waiting for approval/);
      // An expired link is refused.
      clock.advance(2 * 3600_000);
      await expect(second.checkLink(waiting.id, 0, Number(u.searchParams.get('exp')), u.searchParams.get('sig')!)).rejects.toThrow(/expired/);
      await second.stop();
    } finally {
      await state.dispose();
    }
  });
});

describe('input transformation', () => {
  const env = toEnvelope({ id: 'e1', tenant: 'default', time: 0, source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification', resources: ['arn:x'], detail: { 'instance-id': 'i-1', state: 'stopped', tags: { role: 'web' } } });
  it('constant params, InputPath and InputPathsMap + InputTemplate', () => {
    expect(transformInput({ params: { a: 1 } }, env, 'r', 0)).toEqual({ a: 1 });
    expect(transformInput({ inputPath: '$.detail.tags' }, env, 'r', 0)).toEqual({ role: 'web' });
    expect(() => transformInput({ inputPath: '$.detail.state' }, env, 'r', 0)).toThrow(/does not select an object/);
    expect(transformInput({ inputPathsMap: { id: '$.detail.instance-id', st: '$.detail.state', all: '$.detail.tags' }, inputTemplate: { host: '<id>', note: 'state <st> on <id>', tags: '<all>', rule: '<aws.events.rule-name>', unknown: '<nope>' } }, env, 'stop-rule', 0)).toEqual({
      host: 'i-1',
      note: 'state stopped on i-1',
      tags: { role: 'web' },
      rule: 'stop-rule',
      unknown: '<nope>',
    });
  });
});
