import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStaleAt } from '../src/model/index.js';
import { formatSampleValue as formatValue } from '../src/query/promql/index.js';
import { metricStoreOf, selectAll } from './support/metrics.js';
import { startNodeExporter, startPrometheus, startVmagent, type Peer } from './support/peers.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

let ich: TestServer;
let node: Peer;
let prom: Peer | undefined;
let vmagent: Peer | undefined;

beforeAll(async () => {
  ich = await startTestServer();
  node = await startNodeExporter();
}, 60_000);
afterAll(async () => {
  // Senders first, then what they push to.
  await vmagent?.stop();
  await prom?.stop();
  await node?.stop();
  await ich?.stop();
});

function promConfig(withScrape: boolean): string {
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
${withScrape ? `  - job_name: node\n    static_configs:\n      - targets: ['127.0.0.1:${node.port}']\n        labels: { env: test }\n` : '  []\n'}
remote_write:
  - url: ${ich.url}/api/v1/write
    authorization:
      credentials: ${ich.adminToken}
    queue_config: { batch_send_deadline: 200ms, min_backoff: 50ms, max_backoff: 1s }
    metadata_config: { send: true, send_interval: 1s }
`;
}

async function get(base: string, p: string, token?: string): Promise<{ status: number; body: { status: string; data?: unknown; errorType?: string; error?: string } }> {
  const res = await fetch(base + p, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: (await res.json()) as { status: string; data?: unknown } };
}

/** Non-stale samples per series in Ichigen, formatted as Prometheus' API formats them. */
async function ichigenSamples(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const s of await selectAll(metricStoreOf(ich.server), 'default', [{ name: 'job', type: '=', value: 'node' }])) {
    const parts: string[] = [];
    for (let i = 0; i < s.values.length; i++) if (!isStaleAt(s.values, i)) parts.push(`${s.timestamps[i]}=${formatValue(s.values[i]!)}`);
    out.set(JSON.stringify(Object.fromEntries(s.labels.map((l) => [l.name, l.value]))), parts.join(' '));
  }
  return out;
}

describe('Prometheus 2.42 remote-writes a real node_exporter scrape to Ichigen', () => {
  it('the same series and sample counts arrive as Prometheus stored itself; the metadata API answers alike', async () => {
    prom = await startPrometheus(promConfig(true));
    // Let it scrape a few times and send metadata.
    await waitFor(async () => {
      const r = await get(ich.url, '/api/v1/metadata?metric=node_load1', ich.adminToken);
      return Object.keys(r.body.data as object).length > 0 ? true : undefined;
    }, 'metadata via remote write', 20_000);
    await new Promise((r) => setTimeout(r, 3000));
    // /api/v1/metadata: Prometheus answers from its scrape targets, Ichigen from what remote write sent.
    const pm = await get(prom.url, '/api/v1/metadata');
    const im = await get(ich.url, '/api/v1/metadata', ich.adminToken);
    expect(im.body).toEqual(pm.body);
    for (const q of ['?metric=node_cpu_seconds_total', '?limit=2', '?metric=nope']) {
      const a = await get(prom.url, `/api/v1/metadata${q}`);
      const b = await get(ich.url, `/api/v1/metadata${q}`, ich.adminToken);
      expect(Object.keys(b.body.data as object).length, q).toBe(Object.keys(a.body.data as object).length);
      if (q !== '?limit=2') expect(b.body, q).toEqual(a.body);
    }

    // Stop scraping (reload without the job: Prometheus writes staleness markers), let the queue drain.
    writeFileSync(path.join(prom.dir, 'prometheus.yml'), promConfig(false));
    prom.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 2500));
    const series = await get(prom.url, `/api/v1/series?match[]={job="node"}`);
    const promSeries = series.body.data as Array<Record<string, string>>;
    expect(promSeries.length).toBeGreaterThan(50);
    // Prometheus' own TSDB, every raw sample (a range selector; staleness markers are not returned).
    const raw = await get(prom.url, `/api/v1/query?query=${encodeURIComponent('{job="node"}[1h]')}&time=${Date.now() / 1000}`);
    const promSamples = new Map<string, string>();
    for (const r of (raw.body.data as { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> }).result) {
      const labels = Object.fromEntries(Object.entries(r.metric).sort(([a], [b]) => (a < b ? -1 : 1)));
      promSamples.set(JSON.stringify(labels), r.values.map(([t, v]) => `${Math.round(t * 1000)}=${v}`).join(' '));
    }
    const total = (m: Map<string, string>): number => [...m.values()].reduce((a, b) => a + (b === '' ? 0 : b.split(' ').length), 0);
    let mine = new Map<string, string>();
    await waitFor(async () => {
      mine = await ichigenSamples();
      return total(mine) >= total(promSamples) ? true : undefined;
    }, 'all samples remote-written', 20_000).catch(() => undefined);
    expect(mine.size).toBe(promSeries.length);
    expect(total(promSamples)).toBeGreaterThan(promSeries.length * 3);
    const sorted = (m: Map<string, string>): Array<[string, string]> => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
    expect(sorted(mine)).toEqual(sorted(promSamples));

    // The series / labels / label values APIs answer exactly as Prometheus over the same data.
    const now = Math.floor(Date.now() / 1000);
    const requests = [
      `/api/v1/series?match[]={job="node"}`,
      `/api/v1/series?match[]=node_load1&match[]=node_load5`,
      `/api/v1/series?match[]={__name__=~"node_cpu.*",mode!="idle",cpu=~"0|1"}&start=${now - 3600}&end=${now}`,
      `/api/v1/series?match[]={__name__!~"node_.*",job="node"}`,
      `/api/v1/series?match[]=nope_metric`,
      `/api/v1/series?match[]=up&start=${now - 7200}&end=${now - 3600}`,
      `/api/v1/labels`,
      `/api/v1/labels?match[]=node_uname_info`,
      `/api/v1/labels?match[]=nope_metric`,
      `/api/v1/label/__name__/values?match[]={__name__=~"node_load.*"}`,
      `/api/v1/label/job/values`,
      `/api/v1/label/mode/values?match[]=node_cpu_seconds_total`,
      `/api/v1/label/nope/values`,
      `/api/v1/series`,
      `/api/v1/series?match[]={job=""}`,
      `/api/v1/series?match[]=up{`,
      `/api/v1/label/in-valid/values`,
      `/api/v1/labels?start=abc`,
    ];
    for (const r of requests) {
      const a = await get(prom.url, r);
      const b = await get(ich.url, r, ich.adminToken);
      expect({ r, status: b.status, errorType: b.body.errorType }).toEqual({ r, status: a.status, errorType: a.body.errorType });
      if (a.body.status === 'success') {
        const norm = (x: unknown): unknown => (Array.isArray(x) ? [...x].map((y) => JSON.stringify(y)).sort() : x);
        expect(norm(b.body.data), r).toEqual(norm(a.body.data));
      } else {
        expect(b.body.error, r).toBe(a.body.error);
      }
    }
  }, 90_000);

  it('vmagent remote-writes a node_exporter scrape', async () => {
    vmagent = await startVmagent(
      `${ich.url}/api/v1/write`,
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: vmnode\n    static_configs: [{ targets: ['127.0.0.1:${node.port}'] }]\n`,
      [`-remoteWrite.bearerToken=${ich.adminToken}`, '-remoteWrite.flushInterval=200ms'],
    );
    const exposition = await (await fetch(`${node.url}/metrics`)).text();
    const cpuSeries = exposition.split('\n').filter((l) => l.startsWith('node_cpu_seconds_total{')).length;
    expect(cpuSeries).toBeGreaterThan(0);
    const store = metricStoreOf(ich.server);
    const got = await waitFor(async () => {
      const s = await selectAll(store, 'default', [{ name: '__name__', type: '=', value: 'node_cpu_seconds_total' }, { name: 'job', type: '=', value: 'vmnode' }]);
      return s.length === cpuSeries && s.every((x) => x.timestamps.length >= 2) ? s : undefined;
    }, 'vmagent samples', 20_000);
    expect(got[0]!.labels.map((l) => l.name)).toEqual(['__name__', 'cpu', 'instance', 'job', 'mode']);
    const up = await selectAll(store, 'default', [{ name: '__name__', type: '=', value: 'up' }, { name: 'job', type: '=', value: 'vmnode' }]);
    expect(up[0]!.values[up[0]!.values.length - 1]).toBe(1);
    await vmagent.stop();
    vmagent = undefined;
  }, 60_000);
});

