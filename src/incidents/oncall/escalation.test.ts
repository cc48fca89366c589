import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UserStore } from '../../auth/index.js';
import { createLogger } from '../../self/index.js';
import { BACKENDS, openTestState } from '../../../test/support/state-backends.js';
import { startCheckers, startSmtp, type Checkers } from '../../../test/support/notify-checkers.js';
import { createIncidentsModule, type IncidentsModule, type IncidentsModuleOptions } from '../module.js';
import { readTimeline } from '../timeline.js';
import { ChainStore } from './chains.js';
import { PeopleStore } from './people.js';
import { RouteStore } from './routes.js';
import { ScheduleStore } from './schedules.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 10, 0); // a Wednesday, 10:00 UTC

const options: IncidentsModuleOptions = {
  resolveTimeoutMs: 5 * MIN,
  maxAlertsPerRequest: 1000,
  sweepIntervalMs: 1000,
  escalationIntervalMs: 1000,
  linkSecret: 'test-secret',
  linkTtlMs: 3_600_000,
  notify: { maxAttempts: 3, retryBaseMs: 1000, timeoutMs: 5000, publicUrl: 'http://ichigen.example' },
};

describe.each(BACKENDS)('escalation and notifications on %s', (backend) => {
  let state: Awaited<ReturnType<typeof openTestState>>;
  let mod: IncidentsModule;
  let checkers: Checkers;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let now = T0;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    [state, checkers, smtp] = await Promise.all([openTestState(backend), startCheckers(), startSmtp()]);
    mod = createIncidentsModule({ state, log: createLogger({ level: 'silent' }), options, clock: () => now });
    const users = new UserStore(state.db);
    const people = new PeopleStore(state.db);
    const alice = await users.create({ username: 'alice', role: 'editor', email: 'alice@example.com' });
    const bob = await users.create({ username: 'bob', role: 'editor' });
    await people.saveSettings(alice.id, { contact: { phone: '+14155550100' }, rules: [{ type: 'notify', method: 'email' }, { type: 'wait', duration: '5m' }, { type: 'notify', method: 'sms' }] });
    await people.saveSettings(bob.id, { contact: { phone: '+14155550101', slackUserId: 'U0BOB' }, rules: [{ type: 'notify', method: 'slack' }], importantRules: [{ type: 'notify', method: 'voice' }] });
    const ch = mod.core;
    const channel = async (name: string, kind: string, settings: unknown): Promise<string> => {
      const { ChannelStore } = await import('../notify/channels.js');
      return (await new ChannelStore(state.db).create('default', { name, kind, settings }, now)).id;
    };
    await channel('smtp', 'email', { host: '127.0.0.1', port: smtp.port, from: 'ichigen@example.com' });
    await channel('twilio', 'twilio', { accountSid: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'tok', from: '+14155550000', apiUrl: `${checkers.url}/twilio` });
    await channel('slack', 'slack', { botToken: 'xoxb-test', apiUrl: `${checkers.url}/slack-api`, signingSecret: 'slack-secret' });
    ids.pd = await channel('pd', 'pagerduty', { routingKey: 'R'.repeat(32), eventsUrl: `${checkers.url}/pagerduty/v2/enqueue` });
    ids.teams = await channel('teams', 'teams', { webhookUrl: `${checkers.url}/teams` });
    ids.hook = await channel('hook', 'webhook', { url: `${checkers.url}/hook`, format: 'alertmanager' });
    ids.og = await channel('og', 'opsgenie', { apiKey: 'k', apiUrl: `${checkers.url}/opsgenie` });
    const sched = await new ScheduleStore(state.db).create('default', { name: 'primary', timeZone: 'Europe/Berlin', layers: [{ kind: 'rotation', start: '2026-11-25T09:00', frequency: 'daily', users: ['alice', 'bob'] }] }, now);
    const chain = await new ChainStore(state.db).create('default', {
      name: 'default',
      steps: [
        { type: 'notify_schedule', schedule: sched.id },
        { type: 'notify_channel', channel: ids.pd },
        { type: 'notify_channel', channel: ids.teams },
        { type: 'trigger_webhook', channel: ids.hook },
        { type: 'notify_channel', channel: ids.og },
        { type: 'wait', duration: '10m' },
        { type: 'notify_users', users: ['bob'], important: true },
      ],
    }, now);
    await new RouteStore(state.db).create('default', { chain: chain.id, isDefault: true });
    void ch;
  });
  afterAll(async () => {
    await mod?.stop();
    await Promise.all([state?.dispose(), checkers?.stop(), smtp?.stop()]);
  });

  const ingest = async (labels: Record<string, string>) => {
    const i = await mod.core.integrations.ensureDefault('default', now);
    await mod.core.intake.ingest(i, [{ labels, annotations: { summary: 'it broke' }, endsAt: now + 60 * MIN }], 'prometheus');
    return (await mod.core.groups.list('default', { status: 'open' })).find((g) => g.groupLabels.alertname === labels.alertname)!;
  };
  const got = (service: string) => checkers.received.filter((r) => r.service === service);

  it('escalates through the schedule, channels and a wait; users get their own rules; ack and resolve reach the bridges', async () => {
    const g = await ingest({ alertname: 'ApiDown', severity: 'critical' });
    await mod.tick();
    expect(checkers.rejected).toEqual([]);
    // alice is on call (Berlin 11:00, first day): email now, SMS after 5 minutes.
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.to).toEqual(['alice@example.com']);
    expect(smtp.mails[0]!.raw).toContain('Subject: [FIRING:1] ApiDown: it broke');
    expect(smtp.mails[0]!.raw).toMatch(/http:\/\/ichigen\.example\/api\/ichigen\/v1\/links\//);
    expect(got('pagerduty').map((r) => (r.body as { event_action: string; dedup_key: string }).event_action)).toEqual(['trigger']);
    expect((got('pagerduty')[0]!.body as { dedup_key: string }).dedup_key).toBe(g.id);
    expect(got('teams')).toHaveLength(1);
    const hook = got('hook')[0]!.body as { version: string; status: string; alerts: { labels: Record<string, string>; endsAt: string }[] };
    expect(hook).toMatchObject({ version: '4', status: 'firing', groupLabels: { alertname: 'ApiDown' } });
    expect(hook.alerts[0]!.endsAt).toBe('0001-01-01T00:00:00Z');
    expect(got('opsgenie').map((r) => r.path)).toEqual(['/v2/alerts']);
    expect(got('twilio')).toHaveLength(0);

    now += 5 * MIN;
    await mod.tick();
    const sms = got('twilio');
    expect(sms.map((r) => r.path)).toEqual([`/2010-04-01/Accounts/AC${'0123456789abcdef'.repeat(2)}/Messages.json`]);
    expect(sms[0]!.body).toMatchObject({ To: '+14155550100', From: '+14155550000' });
    expect((sms[0]!.body as { Body: string }).Body).toContain('[FIRING:1] ApiDown');

    now += 5 * MIN;
    await mod.tick();
    // Step 7: bob, important → voice call (not his Slack rule).
    expect(got('twilio').map((r) => r.path.split('/').pop())).toEqual(['Messages.json', 'Calls.json']);
    expect((got('twilio')[1]!.body as { Twiml: string }).Twiml).toMatch(/^<Response><Say>/);

    await mod.core.groups.acknowledge('default', g.id, 'alice');
    await mod.tick();
    await mod.core.groups.resolve('default', g.id, 'alice');
    // The state-change events reach the bridges through the event bus, which stores events in
    // batches: under load the resolve may be one pass later than the tick after it.
    await vi.waitFor(
      async () => {
        await mod.tick();
        expect(got('pagerduty').map((r) => (r.body as { event_action: string }).event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
        expect(got('opsgenie')).toHaveLength(3);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(got('opsgenie').map((r) => r.path)).toEqual(['/v2/alerts', `/v2/alerts/${g.id}/acknowledge?identifierType=alias`, `/v2/alerts/${g.id}/close?identifierType=alias`]);
    expect((got('hook').at(-1)!.body as { status: string }).status).toBe('resolved');
    expect(checkers.rejected).toEqual([]);

    const tl = await readTimeline(state.db, g.id);
    const sent = tl.filter((e) => e.kind === 'notification').map((e) => e.message);
    expect(sent.some((m) => /sent via email to alice \(email\)/.test(m))).toBe(true);
    expect(sent.some((m) => /sent via twilio to bob \(voice\)/.test(m))).toBe(true);
    expect(tl.filter((e) => e.kind === 'escalation').map((e) => e.message)[0]).toMatch(/on call in "primary": notify alice \(email, sms\)/);
  });

  it('retries a failing delivery with backoff and logs every attempt', async () => {
    checkers.failNext('pagerduty', 2);
    const g = await ingest({ alertname: 'Retry' });
    await mod.tick();
    const attempts = async () => (await state.db.selectFrom('incident_deliveries').selectAll().where('group_id', '=', g.id).where('channel_kind', '=', 'pagerduty').orderBy('id').execute()).map((d) => [Number(d.attempt), d.ok]);
    expect(await attempts()).toEqual([[1, 0]]);
    now += 1300; // first retry after ~1 s (±20 %)
    await mod.tick();
    expect(await attempts()).toEqual([[1, 0], [2, 0]]);
    now += 2500;
    await mod.tick();
    expect(await attempts()).toEqual([[1, 0], [2, 0], [3, 1]]);
    await mod.core.groups.resolve('default', g.id, 'test');
    await mod.tick();
  });

  it('notifications queued for later are skipped once the group is acknowledged', async () => {
    const before = got('twilio').length;
    const g = await ingest({ alertname: 'AckEarly' });
    await mod.tick();
    await mod.core.groups.acknowledge('default', g.id, 'alice');
    now += 11 * MIN;
    await mod.tick();
    expect(got('twilio').length).toBe(before);
    const tl = await readTimeline(state.db, g.id);
    expect(tl.some((e) => e.kind === 'notification' && /skipped: group is acknowledged/.test(e.message))).toBe(true);
    await mod.core.groups.resolve('default', g.id, 'test');
  });
});

describe('two replicas sharing PostgreSQL', () => {
  it('run every escalation step and send every notification exactly once', async () => {
    const state = await openTestState('postgres');
    const checkers = await startCheckers();
    let now = T0;
    const log = createLogger({ level: 'silent' });
    const a = createIncidentsModule({ state, log, options, clock: () => now });
    const b = createIncidentsModule({ state, log, options, clock: () => now });
    try {
      const { ChannelStore } = await import('../notify/channels.js');
      const hook = await new ChannelStore(state.db).create('default', { name: 'hook', kind: 'webhook', settings: { url: `${checkers.url}/hook` } }, now);
      const chain = await new ChainStore(state.db).create('default', { name: 'c', steps: [{ type: 'notify_channel', channel: hook.id }, { type: 'wait', duration: '1m' }, { type: 'trigger_webhook', channel: hook.id }] }, now);
      await new RouteStore(state.db).create('default', { chain: chain.id, isDefault: true });
      const i = await a.core.integrations.ensureDefault('default', now);
      // The same 40 alerts reach both replicas at once (as from two Prometheus servers): each group opens once, on one of them, which runs its first step.
      const alerts = Array.from({ length: 40 }, (_, n) => ({ labels: { alertname: `A${n}` }, annotations: {}, endsAt: now + 3_600_000 }));
      await Promise.all([a.core.intake.ingest(i, alerts, 'test'), b.core.intake.ingest(i, [...alerts].reverse(), 'test')]);
      for (let round = 0; round < 3; round++) {
        await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
        now += MIN;
      }
      await Promise.all([a.tick(), b.tick()]);
      const got = checkers.received.filter((r) => r.service === 'hook').map((r) => (r.body as { groupId: string }).groupId);
      expect(got).toHaveLength(80);
      expect(new Set(got).size).toBe(40);
      const perGroup = new Map<string, number>();
      for (const g of got) perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
      expect([...perGroup.values()].every((n) => n === 2)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await Promise.all([state.dispose(), checkers.stop()]);
    }
  });
});

describe('escalation step types (fake clock)', () => {
  it('round robin, team, time window, alert threshold, repeat, resolve and quiet hours', async () => {
    const state = await openTestState('sqlite');
    const checkers = await startCheckers();
    let now = T0; // Wednesday 10:00 UTC
    const mod = createIncidentsModule({ state, log: createLogger({ level: 'silent' }), options, clock: () => now });
    try {
      const { ChannelStore } = await import('../notify/channels.js');
      const users = new UserStore(state.db);
      const people = new PeopleStore(state.db);
      for (const u of ['rr1', 'rr2', 'quiet']) {
        const user = await users.create({ username: u, role: 'viewer' });
        await people.saveSettings(user.id, { contact: { webhookUrl: `${checkers.url}/user-${u}` }, rules: [{ type: 'notify', method: 'webhook' }], importantRules: [{ type: 'notify', method: 'webhook' }], ...(u === 'quiet' ? { quietHours: { from: '09:00', to: '12:00' }, timeZone: 'UTC' } : {}) });
      }
      const hook = await new ChannelStore(state.db).create('default', { name: 'hook', kind: 'webhook', settings: { url: `${checkers.url}/hook` } }, now);
      const team = await people.createTeam('default', { name: 'dbas', members: ['rr1', 'rr2'] });
      const chains = new ChainStore(state.db);
      const routes = new RouteStore(state.db);
      const chain = async (name: string, steps: unknown[], matchers: string) => routes.create('default', { chain: (await chains.create('default', { name, steps }, now)).id, matchers });
      await chain('rr', [{ type: 'round_robin', users: ['rr1', 'rr2'] }], '{kind="rr"}');
      await chain('team', [{ type: 'notify_team', team: team.id }], '{kind="team"}');
      await chain('window', [{ type: 'time_window', from: '22:00', to: '06:00', timeZone: 'UTC' }, { type: 'notify_channel', channel: hook.id }], '{kind="window"}');
      await chain('threshold', [{ type: 'alert_threshold', count: 2, window: '10m' }, { type: 'notify_channel', channel: hook.id }], '{kind="threshold"}');
      await chain('repeat', [{ type: 'notify_channel', channel: hook.id }, { type: 'wait', duration: '5m' }, { type: 'repeat', times: 1 }, { type: 'resolve' }], '{kind="repeat"}');
      await chain('quiet', [{ type: 'notify_users', users: ['quiet'] }], '{kind="quiet"}');
      await chain('quiet-important', [{ type: 'notify_users', users: ['quiet'], important: true }], '{kind="quiet-important"}');
      const i = await mod.core.integrations.create('default', { name: 'x', kind: 'alertmanager', settings: { groupBy: ['...'] } }, now);
      const fire = async (labels: Record<string, string>) => {
        await mod.core.intake.ingest(i.integration, [{ labels, annotations: {}, endsAt: now + 5 * 3_600_000 }], 'test');
        await mod.tick();
      };
      const paths = () => checkers.received.map((r) => r.service);
      const hookGroups = () => checkers.received.filter((r) => r.service === 'hook').map((r) => (r.body as { title: string }).title);

      for (const n of ['1', '2', '3']) await fire({ alertname: `rr${n}`, kind: 'rr' });
      expect(paths()).toEqual(['user-rr1', 'user-rr2', 'user-rr1']);
      await fire({ alertname: 'team', kind: 'team' });
      expect(paths().slice(3).sort()).toEqual(['user-rr1', 'user-rr2']);

      await fire({ alertname: 'window', kind: 'window' }); // 10:00 UTC is outside 22:00-06:00
      expect(hookGroups()).toEqual([]);

      await fire({ alertname: 'threshold', kind: 'threshold', n: '1' });
      expect(hookGroups()).toEqual([]);
      // The grouping is per alert here, so use a template-less second integration grouping by kind.
      const j = await mod.core.integrations.create('default', { name: 'y', kind: 'alertmanager', settings: { groupBy: ['kind'] } }, now);
      for (const n of ['1', '2', '3']) {
        await mod.core.intake.ingest(j.integration, [{ labels: { alertname: 'burst', kind: 'threshold', n }, annotations: {}, endsAt: now + 3_600_000 }], 'test');
        await mod.tick();
        expect(hookGroups().length, `after ${n} alerts`).toBe(n === '3' ? 1 : 0);
      }

      await fire({ alertname: 'rep', kind: 'repeat' });
      expect(hookGroups().filter((t) => t === 'rep')).toHaveLength(1);
      now += 5 * MIN;
      await mod.tick();
      expect(hookGroups().filter((t) => t === 'rep')).toHaveLength(2);
      now += 5 * MIN;
      await mod.tick();
      const rep = (await mod.core.groups.list('default', { status: 'resolved' })).find((g) => g.title === 'rep');
      expect(rep?.resolvedBy).toBe('escalation');

      const before = paths().length;
      await fire({ alertname: 'q', kind: 'quiet' }); // 10:10 inside 09:00-12:00 quiet hours: waits
      await fire({ alertname: 'qi', kind: 'quiet-important' }); // important: goes now
      expect(paths().slice(before)).toEqual(['user-quiet']);
      now = Date.UTC(2026, 10, 25, 12, 0);
      await mod.tick();
      // (By 12:00 the burst alerts expired: the hook channel also heard that group resolve.)
      expect(paths().slice(before).filter((p) => p !== 'hook')).toEqual(['user-quiet', 'user-quiet']);
      expect(checkers.rejected).toEqual([]);
    } finally {
      await mod.stop();
      await Promise.all([state.dispose(), checkers.stop()]);
    }
  });
});
