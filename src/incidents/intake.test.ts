import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../self/index.js';
import { BACKENDS, openTestState } from '../../test/support/state-backends.js';
import { IncidentsCore } from './core.js';
import { alertFingerprint } from './fingerprint.js';
import type { AlertGroup, GroupChange } from './group.js';
import type { Integration } from './integrations.js';
import { readTimeline } from './timeline.js';

const MIN = 60_000;

describe.each(BACKENDS)('alert intake on %s', (backend) => {
  let state: Awaited<ReturnType<typeof openTestState>>;
  let core: IncidentsCore;
  let now = Date.UTC(2026, 10, 25, 12, 0, 0);
  const changes: [string, GroupChange, string][] = [];
  let am: Integration;

  beforeAll(async () => {
    state = await openTestState(backend);
    core = new IncidentsCore(state, () => now, { resolveTimeoutMs: 5 * MIN, maxAlertsPerRequest: 100 }, createLogger({ level: 'silent' }));
    core.onChange((g: AlertGroup, c, actor) => changes.push([g.id, c, actor]));
    am = (await core.integrations.create('default', { name: 'prom', kind: 'alertmanager', settings: { groupBy: ['alertname', 'cluster'] } }, now)).integration;
  });
  afterAll(async () => state.dispose());

  it('computes the Alertmanager fingerprint exactly (value from a real Alertmanager 0.25)', () => {
    expect(alertFingerprint({ alertname: 'X', b: '2', a: '1' })).toBe('f026040da62fef2a');
  });

  it('groups by labels, deduplicates repeats, and auto-resolves when endsAt passes', async () => {
    const a1 = { labels: { alertname: 'Down', cluster: 'eu', instance: 'a' }, annotations: { summary: 'a is down' } };
    const a2 = { labels: { alertname: 'Down', cluster: 'eu', instance: 'b' }, annotations: {} };
    const r = await core.intake.ingest(am, [a1, a2, a1], 'test');
    expect(r).toEqual({ accepted: 3, groupsCreated: 1 });
    now += 30_000;
    await core.intake.ingest(am, [a1, a2], 'test'); // refresh: dedup, no new group
    const open = await core.groups.list('default', { status: 'open' });
    expect(open).toHaveLength(1);
    const g = open[0]!;
    expect(g).toMatchObject({ status: 'firing', alertsFiring: 2, alertsTotal: 2, groupLabels: { alertname: 'Down', cluster: 'eu' }, title: 'Down: a is down' });
    const alerts = await core.groups.alerts(g.id);
    expect(alerts).toHaveLength(2);
    // Another cluster is another group.
    await core.intake.ingest(am, [{ labels: { alertname: 'Down', cluster: 'us', instance: 'c' }, annotations: {} }], 'test');
    expect(await core.groups.list('default', { status: 'open' })).toHaveLength(2);
    // Nobody refreshes for longer than the resolve timeout: both groups resolve on the sweep.
    now += 5 * MIN + 1;
    expect(await core.intake.sweep()).toBe(3);
    expect(await core.groups.list('default', { status: 'open' })).toHaveLength(0);
    const resolved = await core.groups.get('default', g.id);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'auto-resolve', alertsFiring: 0 });
    const tl = await readTimeline(state.db, g.id);
    expect(tl.map((e) => e.kind)).toEqual(['created', 'alert', 'alert', 'alert_resolved', 'alert_resolved', 'resolved']);
    expect(changes.filter((c) => c[0] === g.id).map((c) => c[1])).toEqual(['created', 'resolved']);
  });

  it('resolves an alert sent with endsAt in the past, and a firing one opens a new group later', async () => {
    const labels = { alertname: 'Flap', cluster: 'eu' };
    await core.intake.ingest(am, [{ labels, annotations: {}, endsAt: now + MIN }], 'test');
    const [g1] = await core.groups.list('default', { status: 'open' });
    await core.intake.ingest(am, [{ labels, annotations: {}, endsAt: now - 1 }], 'test');
    expect((await core.groups.get('default', g1!.id)).status).toBe('resolved');
    now += 1000;
    await core.intake.ingest(am, [{ labels, annotations: {}, startsAt: now, endsAt: now + MIN }], 'test');
    const [g2] = await core.groups.list('default', { status: 'open' });
    expect(g2!.id).not.toBe(g1!.id);
    await core.groups.resolve('default', g2!.id, 'alice');
    // The same still-firing instance does not page again after a person resolved it.
    await core.intake.ingest(am, [{ labels, annotations: {}, startsAt: now, endsAt: now + MIN }], 'test');
    expect(await core.groups.list('default', { status: 'open' })).toHaveLength(0);
  });

  it('acknowledge / silence with duration / unsilence / resolve, each on the timeline with who', async () => {
    await core.intake.ingest(am, [{ labels: { alertname: 'Disk', cluster: 'eu' }, annotations: {}, endsAt: now + 60 * MIN }], 'test');
    const [g] = await core.groups.list('default', { status: 'open' });
    expect((await core.groups.acknowledge('default', g!.id, 'alice')).status).toBe('acknowledged');
    expect((await core.groups.unacknowledge('default', g!.id, 'alice')).status).toBe('firing');
    const s = await core.groups.silence('default', g!.id, 'bob', 10 * MIN);
    expect(s.silencedUntil).toBe(now + 10 * MIN);
    now += 10 * MIN;
    expect(await core.groups.expireSilences()).toBe(1);
    expect((await core.groups.get('default', g!.id)).silencedUntil).toBeNull();
    await core.groups.silence('default', g!.id, 'bob', 60 * MIN);
    await core.groups.unsilence('default', g!.id, 'carol');
    await core.groups.resolve('default', g!.id, 'dave');
    await expect(core.groups.acknowledge('default', g!.id, 'x')).rejects.toThrow(/already resolved/);
    const tl = await readTimeline(state.db, g!.id);
    expect(tl.map((e) => `${e.kind}:${e.actor}`)).toEqual([
      'created:test', 'alert:test', 'acknowledged:alice', 'unacknowledged:alice', 'silenced:bob', 'unsilenced:system', 'silenced:bob', 'unsilenced:carol', 'resolved:dave',
    ]);
  });

  it('suppresses groups by silence, inhibition and maintenance; an unsuppressed alert lifts it', async () => {
    const silenceId = await core.silences.upsert('default', { matchers: [{ name: 'team', value: 'db.*', isRegex: true }], startsAt: new Date(now).toISOString(), endsAt: new Date(now + 60 * MIN).toISOString(), createdBy: 'x', comment: 'maint' }, now);
    expect(silenceId).toMatch(/^[0-9a-f-]{36}$/);
    await core.intake.ingest(am, [{ labels: { alertname: 'Slow', cluster: 'eu', team: 'dba' }, annotations: {}, endsAt: now + MIN }], 'test');
    let [g] = await core.groups.list('default', { status: 'open' });
    expect(g!.suppressed).toBe('silenced');
    await core.intake.ingest(am, [{ labels: { alertname: 'Slow', cluster: 'eu', team: 'web' }, annotations: {}, endsAt: now + MIN }], 'test');
    [g] = await core.groups.list('default', { status: 'open' });
    expect(g!.suppressed).toBeNull();
    // Negative regex matchers are accepted; a matcher set matching everything is refused.
    await expect(core.silences.upsert('default', { matchers: [{ name: 'x', value: 'y', isRegex: false, isEqual: false }], startsAt: new Date(now).toISOString(), endsAt: new Date(now + MIN).toISOString(), createdBy: 'x', comment: 'c' }, now)).rejects.toThrow(/empty label set/);
    await core.silences.expire('default', silenceId, now);

    await core.inhibits.create('default', { sourceMatchers: 'severity="critical"', targetMatchers: 'severity="warning"', equal: ['cluster'] }, now);
    await core.intake.ingest(am, [{ labels: { alertname: 'NodeDown', cluster: 'ap', severity: 'critical' }, annotations: {}, endsAt: now + MIN }], 'test');
    await core.intake.ingest(am, [{ labels: { alertname: 'HighLatency', cluster: 'ap', severity: 'warning' }, annotations: {}, endsAt: now + MIN }], 'test');
    await core.intake.ingest(am, [{ labels: { alertname: 'HighLatency', cluster: 'sa', severity: 'warning' }, annotations: {}, endsAt: now + MIN }], 'test');
    const groups = await core.groups.list('default', { status: 'open' });
    const byKey = Object.fromEntries(groups.map((x) => [`${x.groupLabels.alertname}/${x.groupLabels.cluster}`, x.suppressed]));
    expect(byKey).toMatchObject({ 'NodeDown/ap': null, 'HighLatency/ap': 'inhibited', 'HighLatency/sa': null });

    const i2 = await core.integrations.setMaintenance('default', am.id, now + 30 * MIN);
    await core.intake.ingest(i2, [{ labels: { alertname: 'Deploy', cluster: 'eu' }, annotations: {}, endsAt: now + MIN }], 'test');
    const dep = (await core.groups.list('default', { status: 'open' })).find((x) => x.groupLabels.alertname === 'Deploy');
    expect(dep!.suppressed).toBe('maintenance');
    am = await core.integrations.setMaintenance('default', am.id, null);
  });

  it('groups by template, and rejects bad input with clear errors', async () => {
    const wh = (await core.integrations.create('default', { name: 'tmpl', kind: 'webhook', settings: { groupingTemplate: '{{ labels.service }}-{{ labels.env | "prod" }}' } }, now)).integration;
    await core.intake.ingest(wh, [{ labels: { alertname: 'A', service: 'api' }, annotations: {}, endsAt: now + MIN }, { labels: { alertname: 'B', service: 'api', env: 'prod' }, annotations: {}, endsAt: now + MIN }], 'test');
    const gs = (await core.groups.list('default', { status: 'open', integrationId: wh.id }));
    expect(gs).toHaveLength(1);
    expect(gs[0]!.groupLabels).toEqual({ grouping: 'api-prod' });
    await expect(core.integrations.create('default', { name: 'bad', kind: 'webhook', settings: { groupingTemplate: '{{ labels.a ' } }, now)).rejects.toThrow(/unbalanced/);
    await expect(core.integrations.create('default', { name: 'bad2', kind: 'webhook', settings: { nope: 1 } }, now)).rejects.toThrow(/nope/);
    await expect(core.intake.ingest(wh, Array.from({ length: 101 }, () => ({ labels: { a: 'b' }, annotations: {} })), 'test')).rejects.toThrow(/limit is 100/);
  });
});
