import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

// `Slow` stays pending for an hour; `Quick` fires after 2 s. Both hold as long as the server runs.
const RULES = `groups:
  - name: restore
    interval: 1s
    rules:
      - alert: Slow
        expr: vector(1) > 0
        for: 1h
      - alert: Quick
        expr: vector(2) > 0
        for: 2s
`;

interface Alert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}

// Prometheus restores a rule's `for` state after a restart from ALERTS_FOR_STATE: a pending
// alert keeps counting from when it first became active, a firing one fires again at once.
describe('alerting rule state across a restart', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-rules-restore-'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ichigen-rules-restore-data-'));
  const file = path.join(dir, 'rules.yml');
  writeFileSync(file, RULES);
  let ts: TestServer | undefined;
  const start = (): Promise<TestServer> => startTestServer({ dataDir, config: { rules: { files: [file] } } });
  const alerts = async (s: TestServer): Promise<Alert[]> => ((await (await s.fetch('/api/v1/alerts')).json()) as { data: { alerts: Alert[] } }).data.alerts;

  afterAll(async () => {
    await ts?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a pending alert’s activeAt and a firing alert firing', async () => {
    // A retry starts over: the first attempt's server holds the data directory.
    await ts?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    ts = await start();
    const first = await waitFor(async () => {
      const a = await alerts(ts!);
      return a.some((x) => x.labels.alertname === 'Quick' && x.state === 'firing') && a.some((x) => x.labels.alertname === 'Slow') ? a : undefined;
    }, 'Quick firing and Slow pending', 20_000);
    const before = new Map(first.map((a) => [a.labels.alertname, a]));
    expect(before.get('Slow')!.state).toBe('pending');
    await ts.stop();
    ts = undefined;
    // Long enough that a `for` counted afresh would show (Quick pending for 2 s, a new activeAt).
    await new Promise((r) => setTimeout(r, 1500));

    ts = await start();
    const after = await waitFor(async () => {
      const a = await alerts(ts!);
      return a.some((x) => x.labels.alertname === 'Quick') && a.some((x) => x.labels.alertname === 'Slow') ? a : undefined;
    }, 'alerts evaluated after the restart', 20_000);
    const now = new Map(after.map((a) => [a.labels.alertname, a]));
    expect(now.get('Slow')).toMatchObject({ state: 'pending', activeAt: before.get('Slow')!.activeAt });
    expect(now.get('Quick')).toMatchObject({ state: 'firing', activeAt: before.get('Quick')!.activeAt });
  });
});
