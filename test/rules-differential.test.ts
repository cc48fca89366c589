import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../src/model/index.js';
import { encodeWriteRequest } from '../src/receive/remote-write/index.js';
import { startPrometheus, type Peer } from './support/peers.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The same rule file evaluated live by a real Prometheus 2.42 and by Ichigen over the same
 * samples, written to both (remote write) before the wall clock reaches them. Each system
 * records its evaluations as ALERTS / ALERTS_FOR_STATE / recording series; those raw samples,
 * mapped to evaluation number, must match: same alerts, pending and firing at the same
 * evaluations (`for`, `keep_firing_for`), same activeAt.
 *
 * Prometheus evaluates a group at its own offset inside the interval (hash of the group),
 * Ichigen at the interval's start, so values only change at even seconds and the interval is
 * 2 s: both see the same sample at evaluation k, whatever Prometheus' offset.
 */
const INTERVAL_S = 2;
const STEPS = 24; // evaluations in the scenario

const RULES = `groups:
  - name: differential
    interval: ${INTERVAL_S}s
    rules:
      - record: job:probe_up:sum
        expr: sum by (job) (probe_up)
      - alert: ProbeDown
        expr: probe_up == 0
        for: 6s
        labels:
          severity: page
        annotations:
          summary: '{{ $labels.instance }} is down'
      - alert: FewProbesUp
        expr: job:probe_up:sum < 2
        keep_firing_for: 4s
        labels:
          severity: ticket
`;

/** probe_up per instance at each evaluation (1 up, 0 down): pending-only, firing, keep_firing_for cases. */
const SCENARIO: Record<string, string> = {
  a: '111110000000111111111111', // down 5-11: pending at 5, firing at 8, resolved at 12
  b: '111111110011110000000011', // down 8-9: pending only; down 14-21: fires
  c: '111111111111111111000000', // down 18-23 (still down at the end)
};

interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

describe('rule evaluation compared with a real Prometheus 2.42 on the same data', () => {
  let ts: TestServer;
  let prom: Peer;
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-rules-diff-'));
  let t0 = 0;

  beforeAll(async () => {
    writeFileSync(path.join(dir, 'rules.yml'), RULES);
    [ts, prom] = await Promise.all([
      startTestServer({ config: { rules: { files: [path.join(dir, 'rules.yml')] } } }),
      startPrometheus(`global:\n  evaluation_interval: ${INTERVAL_S}s\nrule_files: [rules.yml]\n`, { 'rules.yml': RULES }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await ts?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('produces the same ALERTS, ALERTS_FOR_STATE and recordings at the same evaluations', async () => {
    const step = INTERVAL_S * 1000;
    // Start a few evaluations ahead on the interval grid, so both have the data in time.
    t0 = (Math.floor(Date.now() / step) + 4) * step;
    const series = Object.entries(SCENARIO).map(([instance, states]) => {
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let k = 0; k < STEPS; k++) {
        // One sample a second, the same value through each evaluation's interval.
        for (let s = 0; s < INTERVAL_S; s++) {
          timestamps.push(t0 + k * step + s * 1000);
          values.push(Number(states[k]));
        }
      }
      return { labels: labelsFromRecord({ __name__: 'probe_up', job: 'probe', instance }), timestamps, values: Float64Array.from(values) };
    });
    const body = encodeWriteRequest(series);
    const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };
    const [r1, r2] = await Promise.all([ts.fetch('/api/v1/write', { method: 'POST', headers, body }), fetch(`${prom.url}/api/v1/write`, { method: 'POST', headers, body })]);
    expect(r1.status, await r1.text()).toBe(204);
    expect(r2.status, await r2.text()).toBe(204);

    // Let the wall clock run through the scenario (and two evaluations past it).
    const end = t0 + (STEPS + 2) * step;
    await new Promise((r) => setTimeout(r, end - Date.now() + 500));

    const raw = async (base: string, get: (p: string) => Promise<Response>, q: string): Promise<Series[]> => {
      const r = await get(`/api/v1/query?query=${encodeURIComponent(`${q}[${(STEPS + 6) * INTERVAL_S}s]`)}&time=${end / 1000}`);
      const j = (await r.json()) as { data: { result: Series[] } };
      return j.data.result;
    };
    /** Each series as "labels → sorted evaluation numbers[: value]" (evaluation k = floor((ts - t0) / interval)). */
    const byEvaluation = (result: Series[], withValue: (v: number) => string | undefined): Record<string, string[]> => {
      const out: Record<string, string[]> = {};
      for (const s of result) {
        const key = JSON.stringify(Object.fromEntries(Object.entries(s.metric).sort()));
        out[key] = s.values
          .map(([ts, v]) => [Math.floor((ts * 1000 - t0) / step), Number(v)] as const)
          .filter(([k]) => k >= 0 && k < STEPS)
          .map(([k, v]) => {
            const extra = withValue(v);
            return extra === undefined ? String(k) : `${k}:${extra}`;
          });
      }
      return out;
    };
    const both = async (q: string, withValue: (v: number) => string | undefined) => {
      const [ours, theirs] = await Promise.all([raw(ts.url, (p) => ts.fetch(p), q), raw(prom.url, (p) => fetch(prom.url + p), q)]);
      return { ours: byEvaluation(ours, withValue), theirs: byEvaluation(theirs, withValue) };
    };

    const alerts = await both('ALERTS', () => undefined);
    // The scenario really exercises pending-only, firing after `for`, and keep_firing_for.
    const probeDownA = '{"__name__":"ALERTS","alertname":"ProbeDown","alertstate":"firing","instance":"a","job":"probe","severity":"page"}';
    expect(alerts.theirs[probeDownA]).toEqual(['8', '9', '10', '11']);
    expect(Object.keys(alerts.theirs).some((k) => k.includes('"instance":"b"') && k.includes('pending'))).toBe(true);
    expect(Object.keys(alerts.theirs).some((k) => k.includes('FewProbesUp'))).toBe(true);
    expect(alerts.ours).toEqual(alerts.theirs);

    // activeAt as an evaluation number (Prometheus' includes its offset inside the interval).
    const forState = await both('ALERTS_FOR_STATE', (v) => String(Math.floor((v * 1000 - t0) / step)));
    expect(Object.keys(forState.theirs).length).toBeGreaterThanOrEqual(4);
    expect(forState.ours).toEqual(forState.theirs);

    const recorded = await both('job:probe_up:sum', (v) => String(v));
    expect(recorded.ours).toEqual(recorded.theirs);
    expect(Object.values(recorded.theirs)[0]).toHaveLength(STEPS);

    // The rule APIs agree on the final states too.
    const states = async (get: (p: string) => Promise<Response>) =>
      ((await (await get('/api/v1/rules')).json()) as { data: { groups: { rules: { name: string; state?: string }[] }[] } }).data.groups[0]!.rules.map((r) => `${r.name}:${r.state ?? 'recording'}`);
    expect(await states((p) => ts.fetch(p))).toEqual(await states((p) => fetch(prom.url + p)));
  }, 120_000);
});
