import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

// A group as Grafana's backend posts it (yaml.v3 marshal of its PostableRuleGroupConfig).
const GROUP = `name: availability
interval: 1s
rules:
    - record: answer:value
      expr: vector(42)
    - alert: AnswerKnown
      expr: answer:value > 40
      for: 2s
      labels:
        severity: page
      annotations:
        summary: answer is {{ $value }}
`;

const LOKI_GROUP = `name: log-errors
interval: 1s
rules:
  - alert: NoCheckoutLogs
    expr: sum(count_over_time({app="checkout"}[1m])) < 1 or vector(0)
    labels:
      severity: ticket
`;

interface StatusGroup {
  name: string;
  file: string;
  rules: { name: string; state?: string; health: string }[];
}

describe('ruler API (Mimir/Cortex and Loki shapes), persisted and evaluated', () => {
  let ts: TestServer;
  let dataDir: string;
  beforeAll(async () => {
    ts = await startTestServer({ keepDataDir: true });
    dataDir = ts.dataDir;
  });
  afterAll(async () => ts?.stop());

  const yamlBody = (text: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/yaml' }, body: text });
  const yamlGet = async (p: string): Promise<{ status: number; type: string | null; value: unknown }> => {
    const r = await ts.fetch(p);
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type'), value: r.status === 200 ? parseYaml(text) : text };
  };
  const status = async (p: string): Promise<StatusGroup[]> => ((await (await ts.fetch(p)).json()) as { data: { groups: StatusGroup[] } }).data.groups;

  it('stores a group posted in Mimir style, answers YAML at every prefix, and evaluates it', async () => {
    const post = await ts.fetch('/config/v1/rules/team-a', yamlBody(GROUP));
    expect(post.status).toBe(202);
    expect(await post.json()).toEqual({ status: 'success', data: null, errorType: '', error: '' });

    const all = await yamlGet('/config/v1/rules');
    expect(all.type).toMatch(/yaml/);
    expect(all.value).toEqual({ 'team-a': [parseYaml(GROUP)] });
    expect((await yamlGet('/rules')).value).toEqual(all.value);
    expect((await yamlGet('/rules/team-a')).value).toEqual(all.value);
    expect((await yamlGet('/api/v1/rules/team-a/availability')).value).toEqual(parseYaml(GROUP));
    expect((await yamlGet('/config/v1/rules/team-a/nope')).status).toBe(404);
    expect((await yamlGet('/config/v1/rules/nope')).status).toBe(404);
    // The LogQL side has its own namespaces.
    expect((await yamlGet('/loki/api/v1/rules')).value).toEqual({});

    const group = await waitFor(async () => {
      const g = (await status('/api/v1/rules')).find((x) => x.name === 'availability');
      return g?.rules[1]?.state === 'firing' ? g : undefined;
    }, 'API rule firing', 20_000);
    expect(group.file).toBe('team-a');
    await waitFor(async () => {
      const r = (await (await ts.fetch('/api/ichigen/v1/alert-groups?status=open')).json()) as { data: { title: string }[] };
      return r.data.find((g) => g.title === 'AnswerKnown: answer is 42');
    }, 'alert group from the API rule', 20_000);

    // Replacing the group keeps one group; the new rule set is evaluated.
    expect((await ts.fetch('/api/v1/rules/team-a', yamlBody(GROUP.replace('vector(42)', 'vector(7)')))).status).toBe(202);
    expect(((await yamlGet('/config/v1/rules')).value as Record<string, unknown[]>)['team-a']).toHaveLength(1);
    await waitFor(async () => {
      const r = (await (await ts.fetch('/api/v1/query?query=answer:value')).json()) as { data: { result: { value: [number, string] }[] } };
      return r.data.result[0]?.value[1] === '7' ? true : undefined;
    }, 'replaced rule evaluated', 20_000);
  });

  it('manages Loki namespaces at /loki/api/v1/rules and /api/prom/rules, listed with Loki rules only', async () => {
    expect((await ts.fetch('/loki/api/v1/rules/logs', yamlBody(LOKI_GROUP))).status).toBe(202);
    expect((await yamlGet('/api/prom/rules')).value).toEqual({ logs: [parseYaml(LOKI_GROUP)] });
    expect((await yamlGet('/api/prom/rules/logs/log-errors')).value).toEqual(parseYaml(LOKI_GROUP));
    const loki = await waitFor(async () => {
      const g = (await status('/prometheus/api/v1/rules')).find((x) => x.name === 'log-errors');
      return g?.rules[0]?.health === 'ok' ? g : undefined;
    }, 'LogQL API rule evaluated', 20_000);
    expect(loki.file).toBe('logs');
    expect((await status('/api/v1/rules')).map((g) => g.name)).toEqual(['availability']);
    expect(Object.keys((await yamlGet('/config/v1/rules')).value as object)).toEqual(['team-a']);
  });

  it("answers the requests Grafana's rule editor sends through its ruler proxy", async () => {
    // Feature discovery: Prometheus' flags endpoint answers, so Grafana probes the legacy ruler
    // path with a group that does not exist; 404 means "ruler present, group absent".
    expect((await ts.fetch('/api/v1/status/flags')).status).toBe(200);
    expect((await ts.fetch('/rules/test/test?subtype=cortex')).status).toBe(404);
    expect((await ts.fetch('/prometheus/api/v1/rules')).status).toBe(200);
    expect((await ts.fetch('/api/prom/rules/test/test')).status).toBe(404);
    // Save from the editor: POST the namespace (the proxy keeps the subtype query), then list.
    expect((await ts.fetch('/rules/grafana-folder?subtype=cortex', yamlBody(GROUP.replace('availability', 'from-grafana')))).status).toBe(202);
    const listed = (await yamlGet('/rules?subtype=cortex')).value as Record<string, { name: string }[]>;
    expect(listed['grafana-folder']!.map((g) => g.name)).toEqual(['from-grafana']);
    expect((await ts.fetch('/rules/grafana-folder/from-grafana?subtype=cortex', { method: 'DELETE' })).status).toBe(202);
  });

  it('validates like promtool, with the position of every problem', async () => {
    const bad = async (p: string, body: string): Promise<string> => {
      const r = await ts.fetch(p, yamlBody(body));
      expect(r.status, body).toBe(400);
      return ((await r.json()) as { message: string }).message;
    };
    expect(await bad('/config/v1/rules/x', 'name: g\nrules:\n  - alert: A\n    expr: rate(x[5m]\n')).toMatch(/^invalid rule group: 4:\d+: could not parse expression/);
    expect(await bad('/config/v1/rules/x', 'name: g\nrules:\n  - record: "bad name"\n    expr: up\n  - alert: B\n    expr: up\n    for: soon\n')).toMatch(/3:\d+: invalid recording rule name: bad name; 7:\d+: invalid for "soon"/);
    expect(await bad('/config/v1/rules/x', 'name: g\nevaluation: 1m\nrules: []\n')).toMatch(/2:1: field evaluation not found in type rulefmt.RuleGroup/);
    expect(await bad('/config/v1/rules/x', 'rules: []\n')).toMatch(/Groupname must not be empty/);
    expect(await bad('/config/v1/rules/x', 'name: [unclosed\n')).toMatch(/^invalid rule group: \d+:\d+: /);
    // A PromQL expression in a Loki namespace, and a log query as a rule.
    expect(await bad('/loki/api/v1/rules/x', 'name: g\nrules:\n  - alert: A\n    expr: \'{app="x"} |= "boom"\'\n')).toMatch(/4:\d+: could not parse expression: a LogQL rule needs a metric query/);
    const rules = Array.from({ length: 201 }, (_, i) => `  - record: r${i}\n    expr: vector(${i})\n`).join('');
    expect(await bad('/config/v1/rules/x', `name: big\nrules:\n${rules}`)).toMatch(/per-group rules limit exceeded: 201 rules, the limit is 200/);
    expect((await yamlGet('/config/v1/rules/x')).status).toBe(404);
  });

  it('keeps each tenant apart, deletes groups and namespaces, and survives a restart', async () => {
    const other = { 'x-scope-orgid': 'other' };
    expect((await ts.fetch('/config/v1/rules/team-a', { ...yamlBody(GROUP.replace('availability', 'theirs')), headers: { 'content-type': 'application/yaml', ...other } })).status).toBe(202);
    expect(parseYaml(await (await ts.fetch('/config/v1/rules', { headers: other })).text())).toEqual({ 'team-a': [parseYaml(GROUP.replace('availability', 'theirs'))] });
    expect(((await yamlGet('/config/v1/rules')).value as Record<string, { name: string }[]>)['team-a']!.map((g) => g.name)).toEqual(['availability']);

    expect((await ts.fetch('/config/v1/rules/team-a', yamlBody(GROUP.replace('availability', 'second')))).status).toBe(202);
    expect((await ts.fetch('/config/v1/rules/team-a/second', { method: 'DELETE' })).status).toBe(202);
    expect((await ts.fetch('/config/v1/rules/team-a/second', { method: 'DELETE' })).status).toBe(404);

    await ts.stop();
    ts = await startTestServer({ dataDir });
    expect(((await yamlGet('/config/v1/rules')).value as Record<string, { name: string }[]>)['team-a']!.map((g) => g.name)).toEqual(['availability']);
    await waitFor(async () => ((await status('/api/v1/rules')).find((g) => g.name === 'availability')?.rules[0]?.health === 'ok' ? true : undefined), 'evaluated after restart', 20_000);

    expect((await ts.fetch('/loki/api/v1/rules/logs', { method: 'DELETE' })).status).toBe(202);
    expect((await yamlGet('/loki/api/v1/rules')).value).toEqual({});
    await waitFor(async () => ((await status('/prometheus/api/v1/rules')).length === 0 ? true : undefined), 'deleted namespace no longer evaluated', 10_000);
    const audit = (await (await ts.fetch('/api/ichigen/v1/audit?limit=100')).json()) as { data: { entries: { action: string; target: string }[] } };
    expect(audit.data.entries.map((a) => a.action)).toEqual(expect.arrayContaining(['rule_group.create', 'rule_group.update', 'rule_group.delete', 'rule_group.delete_namespace']));
  });
});
