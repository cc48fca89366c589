import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { pinoLoki } from 'pino-loki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

// Loki ruler rule files (LogQL `expr`) evaluated over logs that pino-loki pushed.
const RULES = `groups:
  - name: checkout-logs
    interval: 1s
    rules:
      - record: app:log_lines:count1m
        expr: sum by (app) (count_over_time({app="checkout"}[1m]))
      - alert: CheckoutPaymentsFailing
        expr: sum by (app) (count_over_time({app="checkout"} |= "payment failed" [1m])) > 2
        for: 3s
        labels:
          severity: page
        annotations:
          summary: '{{ $labels.app }}: {{ $value }} failed payments in 1m'
`;

interface RulesBody {
  data: { groups: { name: string; file: string; rules: { name: string; state?: string; health: string; lastError?: string; alerts?: { state: string; activeAt: string }[] }[] }[] };
}

describe('LogQL rules (Loki ruler files) over pushed logs', () => {
  let ts: TestServer;
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-logql-rules-'));
  const file = path.join(dir, 'loki-rules.yml');

  beforeAll(async () => {
    writeFileSync(file, RULES);
    ts = await startTestServer({ config: { rules: { logql_files: [file] } } });
  });
  afterAll(async () => {
    await ts?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const lokiRules = async (): Promise<RulesBody> => (await (await ts.fetch('/prometheus/api/v1/rules')).json()) as RulesBody;
  const query = async (q: string) => ((await (await ts.fetch(`/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;

  it('records counts, goes pending then firing after `for`, writes ALERTS, and opens an alert group', async () => {
    // Loki's rule API lists the group; the Prometheus one does not (different data sources in Grafana).
    expect((await lokiRules()).data.groups.map((g) => [g.name, g.file])).toEqual([['checkout-logs', file]]);
    expect(((await (await ts.fetch('/api/v1/rules')).json()) as RulesBody).data.groups).toEqual([]);

    const stream = pinoLoki({ host: ts.url, headers: { authorization: `Bearer ${ts.adminToken}` }, labels: { app: 'checkout' }, batching: false, silenceErrors: false });
    const log = pino({ level: 'info' }, stream);
    log.info({ order: 1 }, 'order placed');
    log.error({ order: 2 }, 'payment failed: card declined');
    log.error({ order: 3 }, 'payment failed: timeout');
    await waitFor(async () => ((await query('app:log_lines:count1m'))[0]?.value[1] === '3' ? true : undefined), 'recording rule over 3 lines', 20_000);
    expect((await query('app:log_lines:count1m'))[0]!.metric).toEqual({ __name__: 'app:log_lines:count1m', app: 'checkout' });
    // Two failures: the alert condition (> 2) is not met yet.
    expect((await lokiRules()).data.groups[0]!.rules[1]!.state).toBe('inactive');

    log.error({ order: 4 }, 'payment failed: fraud check');
    const pendingAt = Date.now();
    const pending = await waitFor(async () => {
      const r = (await lokiRules()).data.groups[0]!.rules[1]!;
      return r.state === 'pending' || r.state === 'firing' ? r : undefined;
    }, 'pending alert', 20_000);
    expect(pending.health).toBe('ok');
    const firing = await waitFor(async () => {
      const r = (await lokiRules()).data.groups[0]!.rules[1]!;
      return r.state === 'firing' ? r : undefined;
    }, 'firing alert', 20_000);
    // `for: 3s` holds: firing no sooner than 3 s after the alert became active.
    expect(Date.now() - Date.parse(firing.alerts![0]!.activeAt)).toBeGreaterThanOrEqual(3000);
    expect(Date.parse(firing.alerts![0]!.activeAt)).toBeGreaterThanOrEqual(pendingAt - 2000);

    // The rules API shows the state as soon as it is evaluated; the ALERTS samples land in
    // the metric store just after, so a loaded machine may answer the query in between.
    const firingSeries = { __name__: 'ALERTS', alertname: 'CheckoutPaymentsFailing', alertstate: 'firing', app: 'checkout', severity: 'page' };
    const alerts = await waitFor(async () => {
      const r = await query('ALERTS{alertname="CheckoutPaymentsFailing"}');
      return r.some((a) => a.metric.alertstate === 'firing') ? r : undefined;
    }, 'ALERTS firing series', 20_000);
    expect(alerts.map((a) => a.metric)).toContainEqual(firingSeries);
    const lokiAlerts = ((await (await ts.fetch('/prometheus/api/v1/alerts')).json()) as { data: { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] } }).data.alerts;
    expect(lokiAlerts[0]!.annotations.summary).toBe('checkout: 3 failed payments in 1m');

    const group = await waitFor(async () => {
      const r = (await (await ts.fetch('/api/ichigen/v1/alert-groups?status=open')).json()) as { data: { id: string; title: string }[] };
      return r.data.find((g) => g.title === 'CheckoutPaymentsFailing: checkout: 3 failed payments in 1m');
    }, 'alert group from the LogQL rule', 20_000);
    const detail = ((await (await ts.fetch(`/api/ichigen/v1/alert-groups/${group.id}`)).json()) as { data: { alerts: { generatorURL: string }[] } }).data;
    expect(detail.alerts[0]!.generatorURL).toContain('/explore/logs?q=');
    stream.end();
  });

  it('refuses log queries and PromQL in a LogQL rule file with the line, and keeps the loaded rules', async () => {
    writeFileSync(file, 'groups:\n  - name: bad\n    rules:\n      - alert: NotAMetricQuery\n        expr: \'{app="checkout"} |= "x"\'\n      - record: promql\n        expr: rate(http_requests_total[5m])\n');
    const reload = await ts.fetch('/-/reload', { method: 'POST' });
    expect(reload.status).toBe(400);
    const error = ((await reload.json()) as { error: string }).error;
    expect(error).toMatch(/loki-rules\.yml:5:\d+: could not parse expression: a LogQL rule needs a metric query/);
    expect(error).toMatch(/loki-rules\.yml:7:\d+: could not parse expression: /);
    expect((await lokiRules()).data.groups.map((g) => g.name)).toEqual(['checkout-logs']);
    const check = await ts.fetch('/api/ichigen/v1/rules/check?language=logql', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: RULES });
    expect(check.status).toBe(200);
    const bad = await ts.fetch('/api/ichigen/v1/rules/check?language=logql', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: RULES.replace('[1m]))', '[1m]') });
    expect(bad.status).toBe(400);
  });
});
