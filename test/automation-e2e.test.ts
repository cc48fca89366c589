import { statfsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeExporter, startPrometheus, type Peer } from './support/peers.js';
import { runCli, waitFor, type Proc } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

interface Run {
  id: string;
  status: string;
  trigger: { kind: string; ruleName?: string; eventId?: string };
  params: Record<string, unknown>;
  steps: Array<{ name: string; status: string; exitCode: number | null; output: string }>;
}
interface AuditEntry {
  id: number;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

// node_exporter → a real Prometheus 2.42 evaluating a disk-space rule → Ichigen's Alertmanager API
// → alert group → "Alert Group Created" event → automation rule → runbook steps on a real
// `ichigen agent` process → output and exit codes in the run and in the audit log (read over the API).
describe('end to end: a real Prometheus disk alert runs a runbook on a real agent', () => {
  let ts: TestServer;
  let nodeExporter: Peer | undefined;
  let prom: Peer | undefined;
  let agent: Proc | undefined;

  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await prom?.stop(); // the alert sender stops before Ichigen
    agent?.kill('SIGTERM');
    await agent?.exited;
    await nodeExporter?.stop();
    await ts?.stop();
  });

  const api = async <T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> => {
    const r = await ts.fetch(`/api/ichigen/v1${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (JSON.parse(text) as { data: T }).data;
  };

  it('fires on node_exporter filesystem data and lands df output and exit codes in the audit log', async () => {
    const { secret } = await api<{ secret: string }>('/agents/tokens', { name: 'storage-1' });
    agent?.kill('SIGTERM'); // a retried test starts its own agent
    agent = runCli(['agent', '--server', ts.url, '--name', 'storage-1', '--label', 'role=storage'], { ICHIGEN_AGENT_TOKEN: secret });
    await waitFor(async () => (await api<Array<{ name: string }>>('/agents')).find((a) => a.name === 'storage-1'), 'the agent to connect');

    await api('/runbooks/free-disk', {
      description: 'inspect a filesystem that is running out of space',
      params: [{ name: 'mountpoint', type: 'string', required: true, pattern: '/[A-Za-z0-9_./-]*' }, { name: 'alert', type: 'string', default: '' }],
      steps: [
        { name: 'df', action: 'agent.command', with: { targets: { labels: { role: 'storage' } }, command: ['df', '-P', '{{params.mountpoint}}'] } },
        // A cleanup script that reports "nothing removed" with its own exit code; the run goes on.
        { name: 'cleanup', action: 'agent.command', continueOnError: true, with: { targets: { labels: { role: 'storage' } }, script: 'echo "cleanup on $ICHIGEN_PARAM_MOUNTPOINT for $ICHIGEN_PARAM_ALERT: nothing removed"; exit 4' } },
      ],
    }, 'PUT');
    await api('/automation/rules/disk-space-low', {
      pattern: { source: ['ichigen.incidents'], 'detail-type': ['Alert Group Created'], detail: { groupLabels: { alertname: ['DiskSpaceLow'] } } },
      runbook: 'free-disk',
      input: { inputPathsMap: { m: '$.detail.groupLabels.mountpoint', a: '$.detail.title' }, inputTemplate: { mountpoint: '<m>', alert: '<a>' } },
    }, 'PUT');
    // Grouped by mountpoint, so the event says which filesystem is short of space.
    const integ = await api<{ id: string; token: string }>('/integrations', { name: 'prometheus', kind: 'alertmanager', settings: { groupBy: ['alertname', 'mountpoint'] } });

    // The threshold is set from this machine's real free space, so the alert fires here.
    const fs = statfsSync('/');
    const freeRatio = fs.bavail / fs.blocks;
    const threshold = Math.min(1, Math.ceil((freeRatio + 0.05) * 100) / 100);
    nodeExporter = await startNodeExporter();
    const host = new URL(ts.url).host;
    prom = await startPrometheus(
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files: [rules.yml]',
        'scrape_configs:',
        '  - job_name: node',
        '    static_configs:',
        `      - targets: ['${new URL(nodeExporter.url).host}']`,
        'alerting:',
        '  alertmanagers:',
        `    - path_prefix: /api/ichigen/v1/integrations/${integ.id}`,
        '      authorization:',
        `        credentials: ${integ.token}`,
        '      static_configs:',
        `        - targets: ['${host}']`,
        '',
      ].join('\n'),
      {
        'rules.yml': [
          'groups:',
          '  - name: disk',
          '    rules:',
          '      - alert: DiskSpaceLow',
          `        expr: node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"} < ${threshold}`,
          '        labels:',
          '          severity: page',
          '        annotations:',
          '          summary: "{{ $labels.mountpoint }} has {{ $value | humanizePercentage }} free"',
          '',
        ].join('\n'),
      },
    );

    const run = await waitFor(async () => {
      const runs = await api<Run[]>('/runs?runbook=free-disk');
      return runs.length > 0 && !['running', 'waiting_approval'].includes(runs[0]!.status) ? runs[0] : undefined;
    }, 'the runbook run', 60_000);
    // The alert sender stops first; nothing below needs it.
    await prom.stop();
    prom = undefined;

    const full = await api<Run>(`/runs/${run.id}`);
    expect(full.status).toBe('succeeded');
    expect(full.trigger).toMatchObject({ kind: 'event', ruleName: 'disk-space-low' });
    expect(full.params).toMatchObject({ mountpoint: '/' });
    expect(String(full.params.alert)).toMatch(/^DiskSpaceLow/);
    expect(full.steps.map((s) => [s.name, s.status, s.exitCode])).toEqual([['df', 'succeeded', 0], ['cleanup', 'failed', 4]]);
    expect(full.steps[0]!.output).toMatch(/^Filesystem/);
    expect(full.steps[0]!.output).toMatch(/ \/\n?$/m);
    expect(full.steps[1]!.output).toContain('cleanup on / for DiskSpaceLow');

    // The triggering event is stored and is the alert group Prometheus' alert created.
    const event = await api<{ source: string; 'detail-type': string; detail: { groupLabels: Record<string, string>; status: string } }>(`/events/${encodeURIComponent(full.trigger.eventId!)}`);
    expect(event).toMatchObject({ source: 'ichigen.incidents', 'detail-type': 'Alert Group Created', detail: { groupLabels: { alertname: 'DiskSpaceLow', mountpoint: '/' }, status: 'firing' } });

    // The audit log, read through the API: start (trigger, inputs) and finish (each step's output and exit code, duration).
    const audit = await api<{ entries: AuditEntry[] }>(`/audit?target=${run.id}`);
    expect(audit.entries.map((e) => e.action)).toEqual(['runbook.run.finished', 'runbook.run.start']);
    const start = audit.entries[1]!;
    expect(start.actor).toBe('event:disk-space-low');
    expect(start.details).toMatchObject({ runbook: 'free-disk', params: { mountpoint: '/' }, trigger: { kind: 'event', eventId: full.trigger.eventId } });
    const finished = audit.entries[0]!.details as { status: string; durationMs: number; approver: string | null; steps: Array<{ name: string; exitCode: number; output: string }> };
    expect(finished.status).toBe('succeeded');
    expect(finished.approver).toBeNull();
    expect(finished.durationMs).toBeGreaterThan(0);
    expect(finished.steps.map((s) => [s.name, s.exitCode])).toEqual([['df', 0], ['cleanup', 4]]);
    expect(finished.steps[0]!.output).toMatch(/^Filesystem/);
    expect(finished.steps[1]!.output).toContain('nothing removed');

    // The audit API is for admins only.
    const readOnly = await api<{ secret: string }>('/tokens', { name: 'reader', scopes: ['read'] });
    const denied = await fetch(`${ts.url}/api/ichigen/v1/audit`, { headers: { authorization: `Bearer ${readOnly.secret}` } });
    expect(denied.status).toBe(403);
  });
});
