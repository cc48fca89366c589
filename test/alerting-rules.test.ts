import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type Peer } from './support/alerting-peers.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = k === 'labels' || k === 'annotations' ? 'object' : shape((v as Record<string, unknown>)[k]);
    return out;
  }
  return typeof v;
}

const RULES = `groups:
  - name: ichigen-e2e
    interval: 1s
    rules:
      - record: answer:sum
        expr: vector(42)
      - alert: AnswerIsKnown
        expr: answer:sum > 40
        labels:
          severity: page
        annotations:
          summary: 'answer is {{ $value }}'
`;

describe('rule evaluation in the server, compared with a real Prometheus 2.42', () => {
  let ts: TestServer;
  let prom: Peer | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-rules-e2e-'));
  const file = path.join(dir, 'rules.yml');

  beforeAll(async () => {
    writeFileSync(file, RULES);
    [ts, prom] = await Promise.all([startTestServer({ config: { rules: { files: [file] } } }), startPrometheus('global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n', { 'rules.yml': RULES })]);
  });
  afterAll(async () => {
    await prom?.stop();
    await ts?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /api/v1/rules and /api/v1/alerts in Prometheus\' shape, records, and raises the alert group', async () => {
    const firing = async (get: (p: string) => Promise<Response>) =>
      waitFor(async () => {
        const r = (await (await get('/api/v1/rules')).json()) as { data: { groups: { rules: { state?: string; lastEvaluation: string }[] }[] } };
        const rules = r.data.groups[0]?.rules ?? [];
        return rules.length === 2 && rules[1]!.state === 'firing' ? r : undefined;
      }, 'firing rule', 20_000);
    const [ours, theirs] = await Promise.all([firing((p) => ts.fetch(p)), firing((p) => fetch(prom!.url + p))]);
    expect(shape(ours)).toEqual(shape(theirs));
    const strip = (x: typeof ours) => x.data.groups.map((g) => ({ ...g, file: '', evaluationTime: 0, lastEvaluation: '', rules: g.rules.map((r) => ({ ...r, evaluationTime: 0, lastEvaluation: '', alerts: ((r as { alerts?: { activeAt: string }[] }).alerts ?? []).map((a) => ({ ...a, activeAt: '' })) })) }));
    expect(strip(ours)).toEqual(strip(theirs));

    const [a1, a2] = await Promise.all([ts.fetch('/api/v1/alerts'), fetch(`${prom!.url}/api/v1/alerts`)]);
    const oa = (await a1.json()) as { data: { alerts: { activeAt: string }[] } };
    const ta = (await a2.json()) as { data: { alerts: { activeAt: string }[] } };
    expect(shape(oa)).toEqual(shape(ta));
    expect(oa.data.alerts.map((a) => ({ ...a, activeAt: '' }))).toEqual(ta.data.alerts.map((a) => ({ ...a, activeAt: '' })));

    const q = (await (await ts.fetch('/api/v1/query?query=answer:sum')).json()) as { data: { result: { value: [number, string] }[] } };
    expect(q.data.result[0]!.value[1]).toBe('42');
    const alertsSeries = (await (await ts.fetch('/api/v1/query?query=ALERTS')).json()) as { data: { result: { metric: Record<string, string> }[] } };
    expect(alertsSeries.data.result[0]!.metric).toEqual({ __name__: 'ALERTS', alertname: 'AnswerIsKnown', alertstate: 'firing', severity: 'page' });

    const group = await waitFor(async () => {
      const r = (await (await ts.fetch('/api/ichigen/v1/alert-groups?status=open')).json()) as { data: { title: string }[] };
      return r.data.find((g) => g.title === 'AnswerIsKnown: answer is 42');
    }, 'alert group from the rule', 10_000);
    expect(group).toBeDefined();
  });

  it('reloads on file change, keeps the old rules when the new file is broken, and validates like promtool', async () => {
    writeFileSync(file, RULES.replace('vector(42)', 'vector(7)').replace('ichigen-e2e', 'renamed'));
    await waitFor(async () => {
      const r = (await (await ts.fetch('/api/v1/rules')).json()) as { data: { groups: { name: string }[] } };
      return r.data.groups[0]?.name === 'renamed' ? true : undefined;
    }, 'reload after change', 10_000);
    writeFileSync(file, 'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(\n');
    const reload = await ts.fetch('/-/reload', { method: 'POST' });
    expect(reload.status).toBe(400);
    expect(((await reload.json()) as { error: string }).error).toMatch(/rules\.yml:5:\d+: could not parse expression/);
    const r = (await (await ts.fetch('/api/v1/rules')).json()) as { data: { groups: { name: string }[] } };
    expect(r.data.groups[0]!.name).toBe('renamed');
    const check = await ts.fetch('/api/ichigen/v1/rules/check', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n        for: 1m\n' });
    expect(check.status).toBe(400);
    expect(((await check.json()) as { data: { errors: { line: number }[] } }).data.errors[0]!.line).toBe(4);
  });
});
