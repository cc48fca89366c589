import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../model/index.js';
import { DEFAULT_ENGINE_OPTIONS, Engine } from '../query/index.js';
import { MemoryMetricStore } from '../store/index.js';
import { AlertingRule } from './alerting-rule.js';
import { expandTemplate } from './go-template.js';
import { parseRuleFile } from './rule-file.js';
import { RuleGroup, type SentAlert } from './rule-group.js';

const MIN = 60_000;
const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULES = `groups:
  - name: availability
    interval: 1m
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: InstanceDown
        expr: up == 0
        for: 2m
        labels:
          severity: page
          instance_team: 'team-{{ $labels.job }}'
        annotations:
          summary: '{{ $labels.instance }} of {{ $labels.job }} is down'
          value: 'value {{ $value }} / {{ $value | humanize }}'
      - alert: LowCapacity
        expr: job:up:sum < 2
        labels:
          severity: warning
        annotations:
          summary: 'only {{ $value }} up ({{ humanizePercentage 0.5 }})'
`;

// Input series in promtool's expanding notation and the same samples for our store.
const SERIES: Record<string, string> = {
  'up{job="api", instance="a"}': '1 1 0 0 0 0 0 1 1 0 0 0',
  'up{job="api", instance="b"}': '1 1 1 1 0 0 1 1 1 1 1 1',
  'up{job="db", instance="c"}': '0 0 0 0 0 0 0 0 0 0 0 0',
};

function parseSelector(s: string): Record<string, string> {
  const m = /^(\w+)\{(.*)\}$/.exec(s)!;
  const out: Record<string, string> = { __name__: m[1]! };
  for (const p of m[2]!.split(',')) {
    const [k, v] = p.trim().split('=');
    out[k!] = JSON.parse(v!) as string;
  }
  return out;
}

describe('rule files', () => {
  it('reports every problem with its line, where promtool check rules also refuses the file', () => {
    const bad = `groups:
  - name: g
    rules:
      - alert: A
        expr: rate(x[5m]
      - record: 'bad name'
        expr: up
      - alert: B
        expr: up
        for: soon
        labels:
          'bad-label': x
  - name: g
    rules: []
`;
    const r = parseRuleFile('bad.yml', bad);
    expect(r.errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([
      [5, 'could not parse expression'],
      [6, 'invalid recording rule name'],
      [10, 'invalid for "soon"'],
      [12, 'invalid label name'],
      [13, 'groupname'],
    ]);
    const f = path.join(dir, 'bad.yml');
    writeFileSync(f, bad);
    expect(spawnSync('promtool', ['check', 'rules', f]).status).toBe(1);
    const good = path.join(dir, 'good.yml');
    writeFileSync(good, RULES);
    expect(parseRuleFile(good, RULES).errors).toEqual([]);
    expect(spawnSync('promtool', ['check', 'rules', good]).status).toBe(0);
  });

  it('expands Go templates like Prometheus', () => {
    const d = { labels: { job: 'api', instance: 'a:9100' }, value: 1234567.5, externalLabels: { cluster: 'eu' } };
    expect(expandTemplate('t', '{{ $labels.job }}/{{ .Labels.instance }} {{ $externalLabels.cluster }}', d)).toBe('api/a:9100 eu');
    expect(expandTemplate('t', '{{ $value }} {{ $value | humanize }} {{ humanize1024 2048 }}', d)).toBe('1.2345675e+06 1.235M 2ki');
    expect(expandTemplate('t', '{{ humanizePercentage 0.1234 }} {{ humanizeDuration 3725.5 }} {{ printf "%.2f" $value }}', d)).toBe('12.34% 1h 2m 5.5s 1234567.50');
    expect(expandTemplate('t', 'x {{- $labels.job | toUpper -}} y', d)).toBe('xAPIy');
    expect(expandTemplate('t', '{{ $nope }}', d)).toMatch(/^<error expanding template: t: undefined variable/);
  });

  it('keep_firing_for holds a firing alert after the series disappears', () => {
    const rule = new AlertingRule({ kind: 'alerting', name: 'K', expr: 'x', forMs: 0, keepFiringForMs: 3 * MIN, labels: {}, annotations: {} }, {});
    const s = [{ labels: labelsFromRecord({ i: '1' }), value: 1 }];
    rule.update(0, s, 0);
    expect(rule.state()).toBe('firing');
    rule.update(MIN, [], 0);
    rule.update(3 * MIN, [], 0);
    expect(rule.state()).toBe('firing');
    rule.update(4 * MIN, [], 0);
    expect(rule.state()).toBe('inactive');
    expect(() => rule.update(5 * MIN, [s[0]!, { labels: labelsFromRecord({ i: '2' }), value: 1 }], 1)).toThrow(/exceeded limit of 1 with 2 alerts/);
  });

  it('evaluates the same alerts at the same times as Prometheus (checked by promtool test rules)', async () => {
    const store = new MemoryMetricStore();
    for (const [sel, values] of Object.entries(SERIES)) {
      const vals = values.split(' ').map(Number);
      await store.append('default', { series: [{ labels: labelsFromRecord(parseSelector(sel)), timestamps: vals.map((_, i) => i * MIN), values: Float64Array.from(vals) }] });
    }
    const { groups } = parseRuleFile('rules.yml', RULES);
    const group = new RuleGroup(groups[0]!, MIN, {});
    const engine = new Engine({ ...DEFAULT_ENGINE_OPTIONS, compatibility: 'prometheus2' });
    const sent: SentAlert[] = [];
    const ctx = { tenant: 'default', engine, store, sink: { send: async (_t: string, a: readonly SentAlert[]) => void sent.push(...a) }, externalLabels: {}, resendDelayMs: MIN, externalUrl: 'http://x' };
    const checks: string[] = [];
    const firingAt: Record<number, number> = {};
    for (let m = 0; m < 12; m++) {
      await group.evaluate(m * MIN, ctx);
      for (const r of group.rules) {
        if (!(r instanceof AlertingRule)) continue;
        const firing = [...r.active.values()].filter((a) => a.state === 'firing');
        firingAt[m] = (firingAt[m] ?? 0) + firing.length;
        const exp = firing.map((a) => {
          const labels = Object.fromEntries(a.labels.filter((l) => l.name !== 'alertname').map((l) => [l.name, l.value]));
          return `          - exp_labels: ${JSON.stringify(labels)}\n            exp_annotations: ${JSON.stringify(a.annotations)}`;
        });
        checks.push(`      - eval_time: ${m}m\n        alertname: ${r.def.name}\n        exp_alerts:${exp.length === 0 ? ' []' : '\n' + exp.join('\n')}`);
      }
    }
    // Sanity: the scenario has firing and non-firing moments, and resolved alerts were sent.
    expect(firingAt[0]).toBe(1);
    expect(firingAt[4]).toBeGreaterThan(firingAt[3]!);
    expect(sent.some((a) => a.labels.alertname === 'InstanceDown' && a.endsAt <= 7 * MIN)).toBe(true);
    writeFileSync(path.join(dir, 'rules.yml'), RULES);
    const test = `rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n${Object.entries(SERIES).map(([s, v]) => `      - series: '${s}'\n        values: '${v}'`).join('\n')}\n    alert_rule_test:\n${checks.join('\n')}\n`;
    writeFileSync(path.join(dir, 'test.yml'), test);
    const r = spawnSync('promtool', ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
    // The recording rule wrote job:up:sum and ALERTS into the store.
    const q = await engine.instantQuery({ querier: store.querier('default'), query: 'job:up:sum' }, 4 * MIN);
    expect(q.value.resultType === 'vector' && q.value.samples.map((s) => s.value).sort()).toEqual([0, 0]);
    const alerts = await engine.instantQuery({ querier: store.querier('default'), query: 'ALERTS{alertstate="firing"}' }, 4 * MIN);
    expect(alerts.value.resultType === 'vector' && alerts.value.samples.length).toBe(firingAt[4]);
  });

  it('query_offset: queries and written series look back by the offset; alert state follows the clock', async () => {
    const store = new MemoryMetricStore();
    // x is 1 at minutes 0-4 and 10 from minute 5 on.
    const vals = [1, 1, 1, 1, 1, 10, 10, 10];
    await store.append('default', { series: [{ labels: labelsFromRecord({ __name__: 'x', job: 'j' }), timestamps: vals.map((_, i) => i * MIN), values: Float64Array.from(vals) }] });
    const file = `groups:
  - name: late
    interval: 1m
    query_offset: 2m
    rules:
      - record: x:sum
        expr: sum(x)
      - alert: High
        expr: x > 5
        labels: { severity: page }
`;
    const parsed = parseRuleFile('late.yml', file);
    expect(parsed.errors).toEqual([]);
    expect(parsed.groups[0]!.queryOffsetMs).toBe(2 * MIN);
    const group = new RuleGroup(parsed.groups[0]!, MIN, { cluster: 'eu' }, parsed.groups[0]!.queryOffsetMs);
    const engine = new Engine({ ...DEFAULT_ENGINE_OPTIONS, compatibility: 'prometheus2' });
    const sent: SentAlert[] = [];
    const ctx = { tenant: 'default', engine, store, sink: { send: async (_t: string, a: readonly SentAlert[]) => void sent.push(...a) }, externalLabels: { cluster: 'eu', severity: 'external' }, resendDelayMs: MIN, externalUrl: 'http://x' };
    // At 6m the query looks at 4m: x is still 1, nothing fires.
    await group.evaluate(6 * MIN, ctx);
    const alert = group.rules[1] as AlertingRule;
    expect(alert.active.size).toBe(0);
    // At 7m it looks at 5m: x is 10; the alert fires with activeAt = 7m (the clock).
    await group.evaluate(7 * MIN, ctx);
    expect([...alert.active.values()].map((a) => [a.state, a.activeAt])).toEqual([['firing', 7 * MIN]]);
    // External labels are added to sent alerts, without overriding the alert's own.
    expect(sent[0]!.labels).toMatchObject({ alertname: 'High', cluster: 'eu', severity: 'page' });
    // Recording results and ALERTS are stamped at t - offset (4m and 5m).
    const rec: Array<{ timestamps: ArrayLike<number>; values: ArrayLike<number> }> = [];
    for await (const x of store.querier('default').select([{ name: '__name__', type: '=', value: 'x:sum' }], 0, 10 * MIN)) rec.push(x);
    expect(rec.map((x) => [...Array.from(x.timestamps)])).toEqual([[4 * MIN, 5 * MIN]]);
    expect(rec.map((x) => [...Array.from(x.values)])).toEqual([[1, 10]]);
    const alerts = await engine.instantQuery({ querier: store.querier('default'), query: 'ALERTS' }, 5 * MIN);
    expect(alerts.value.resultType === 'vector' && alerts.value.samples.map((x) => x.value)).toEqual([1]);
    // A negative or unreadable offset is an error with its line.
    const bad = parseRuleFile('bad.yml', file.replace('query_offset: 2m', 'query_offset: soon'));
    expect(bad.errors.map((e) => [e.line, e.message])).toEqual([[4, 'invalid query_offset "soon"']]);
  });
});
