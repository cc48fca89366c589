import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isStaleAt } from '../src/model/index.js';
import { metricStoreOf, selectAll } from './support/metrics.js';
import { startNodeExporter, startPrometheus, type Peer } from './support/peers.js';
import { freePort } from './support/postgres.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

const TEXT = `# HELP app_requests_total Requests.
# TYPE app_requests_total counter
app_requests_total{code="200",job="exposed-job",instance="x"} 10
app_requests_total{code="500"} 2
# HELP app_temp Temperature.
# TYPE app_temp gauge
app_temp{room="a b",esc="q\\"uote\\\\n"} 21.5
app_temp{room="c"} NaN
pair{a="1",b="1"} 1
pair{a="1",b="2"} 2
# TYPE app_latency histogram
app_latency_bucket{le="0.1"} 1
app_latency_bucket{le="+Inf"} 3
app_latency_sum 0.7
app_latency_count 3
`;
const OPENMETRICS = `# TYPE om_requests counter
# HELP om_requests Requests.
om_requests_total{code="200",job="exposed-job"} 10
# TYPE om_build info
om_build_info{version="1.2"} 1
# TYPE om_size_bytes gauge
# UNIT om_size_bytes bytes
om_size_bytes 42
# EOF
`;

let app: Server;
let appPort: number;
let closedPort: number;
let node: Peer;
let prom: Peer | undefined;
let ich: TestServer | undefined;
const sdDir = mkdtempSync(path.join(tmpdir(), 'ichigen-sd-'));

function scrapeConfigs(): unknown[] {
  return [
    {
      job_name: 'node',
      scrape_interval: '1s',
      scrape_timeout: '1s',
      static_configs: [
        { targets: [`127.0.0.1:${node.port}`], labels: { __tmp_team: 'Ops', env: 'test' } },
        // Dropped by relabelling: listed under droppedTargets, never scraped.
        { targets: [`127.0.0.1:${closedPort}`], labels: { env: 'prod' } },
      ],
      relabel_configs: [
        { source_labels: ['__address__'], regex: '(.*):\\d+', target_label: 'host', replacement: '$1' },
        { source_labels: ['__address__'], modulus: 7, target_label: 'shard', action: 'hashmod' },
        { regex: '__tmp_(.*)', action: 'labelmap' },
        { source_labels: ['team'], target_label: 'team_lc', action: 'lowercase' },
        { source_labels: ['team'], target_label: 'team_uc', action: 'uppercase' },
        { source_labels: ['env'], regex: 'test', action: 'keep' },
        { source_labels: ['env'], regex: 'prod', action: 'drop' },
      ],
      metric_relabel_configs: [
        { source_labels: ['__name__'], regex: 'node_(cpu_seconds_total|load.*|memory_Mem.*|uname_info)|up', action: 'keep' },
        { source_labels: ['mode'], regex: 'nice|steal', action: 'drop' },
        { regex: 'domainname|version', action: 'labeldrop' },
        { source_labels: ['__name__'], regex: 'node_load1', target_label: '__name__', replacement: 'load_one' },
      ],
    },
    {
      job_name: 'app',
      scrape_interval: '1s',
      scrape_timeout: '1s',
      static_configs: [{ targets: [`127.0.0.1:${appPort}`] }],
      metric_relabel_configs: [
        { source_labels: ['a'], regex: '', target_label: 'a', replacement: 'none' },
        { source_labels: ['a'], target_label: 'b', action: 'dropequal' },
      ],
    },
    // Nothing listens there: a target that is down.
    { job_name: 'down', scrape_interval: '1s', scrape_timeout: '1s', static_configs: [{ targets: [`127.0.0.1:${closedPort}`] }] },
    {
      job_name: 'app_honor',
      scrape_interval: '1s',
      scrape_timeout: '1s',
      honor_labels: true,
      metrics_path: '/om',
      params: { x: ['1'] },
      basic_auth: { username: 'scraper', password: 'pw' },
      static_configs: [{ targets: [`127.0.0.1:${appPort}`] }],
      metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'om_.*', action: 'keep' }],
    },
  ];
}

beforeAll(async () => {
  appPort = await freePort();
  closedPort = await freePort();
  app = createServer((req, res) => {
    if (req.url?.startsWith('/om')) {
      if (req.headers.authorization !== `Basic ${Buffer.from('scraper:pw').toString('base64')}` || !req.url.includes('x=1')) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' }).end(OPENMETRICS);
    } else res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(TEXT);
  });
  await new Promise<void>((r) => app.listen(appPort, '127.0.0.1', r));
  node = await startNodeExporter();
}, 60_000);
afterAll(async () => {
  await prom?.stop();
  await ich?.stop();
  await node?.stop();
  await new Promise((r) => app.close(r));
  rmSync(sdDir, { recursive: true, force: true });
});

interface TargetsAnswer {
  activeTargets: Array<Record<string, unknown> & { scrapePool: string; scrapeUrl: string; lastScrape: string; lastError: string }>;
  droppedTargets: Array<{ discoveredLabels: Record<string, string> }>;
}

async function targets(base: string, query: string, token?: string): Promise<TargetsAnswer> {
  const res = await fetch(`${base}/api/v1/targets${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: TargetsAnswer }).data;
}

async function series(base: string, match: string, token?: string): Promise<string[]> {
  const res = await fetch(`${base}/api/v1/series?match[]=${encodeURIComponent(match)}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const body = (await res.json()) as { data: Array<Record<string, string>> };
  return body.data.map((s) => JSON.stringify(s)).sort();
}

describe('scraping with Prometheus scrape_configs', () => {
  it('scrapes node_exporter and test targets with relabelling exactly as Prometheus 2.42 does', async () => {
    const sdFile = path.join(sdDir, 'targets.json');
    writeFileSync(sdFile, JSON.stringify([{ targets: [`127.0.0.1:${appPort}`], labels: { via: 'file' } }]));
    const sdJob = { job_name: 'filesd', scrape_interval: '1s', scrape_timeout: '1s', file_sd_configs: [{ files: [path.join(sdDir, '*.json')] }] };
    ich = await startTestServer({ config: { metrics: { scrape_configs: [...scrapeConfigs(), sdJob], self_scrape_interval: '1s' } } });
    prom = await startPrometheus(stringify({ scrape_configs: scrapeConfigs() }));
    // Prometheus applies discovered targets every 5s; wait for both to have scraped a few times.
    await waitFor(async () => ((await series(prom!.url, 'up')).length >= 3 ? true : undefined), 'Prometheus scraping', 20_000);
    await new Promise((r) => setTimeout(r, 2500));
    for (const match of ['{job="node"}', '{job="app"}', '{job="app_honor"}', '{exported_job="exposed-job"}', '{job="exposed-job"}', 'up']) {
      const want = await series(prom.url, match);
      expect(want.length, match).toBeGreaterThan(0);
      const got = await series(ich.url, match, ich.adminToken);
      expect(got.filter((s) => !s.includes('"filesd"') && !s.includes('"ichigen"')), match).toEqual(want);
    }
    const promMeta = ((await (await fetch(`${prom.url}/api/v1/metadata`)).json()) as { data: Record<string, unknown> }).data;
    const ichMeta = ((await (await ich.fetch('/api/v1/metadata')).json()) as { data: Record<string, unknown> }).data;
    for (const name of ['app_requests_total', 'app_temp', 'app_latency', 'om_requests', 'om_size_bytes', 'node_load1']) expect(ichMeta[name], name).toEqual(promMeta[name]);

    // Ichigen scrapes itself.
    const store = metricStoreOf(ich.server);
    const self = await waitFor(async () => {
      const s = await selectAll(store, 'default', [{ name: '__name__', type: '=', value: 'up' }, { name: 'job', type: '=', value: 'ichigen' }]);
      return s.length === 1 ? s : undefined;
    }, 'self scrape');
    expect(self[0]!.values[0]).toBe(1);
    await waitFor(async () => ((await selectAll(store, 'default', [{ name: '__name__', type: '=', value: 'ichigen_http_requests_total' }])).length > 0 ? true : undefined), 'own HTTP metrics', 10_000);

    // file_sd: the target arrives with its labels; when it leaves the file its series go stale.
    const fileUp = await selectAll(store, 'default', [{ name: '__name__', type: '=', value: 'up' }, { name: 'job', type: '=', value: 'filesd' }]);
    expect(fileUp.length).toBe(1);
    expect(fileUp[0]!.labels.find((l) => l.name === 'via')?.value).toBe('file');
    writeFileSync(sdFile, '[]');
    await waitFor(async () => {
      const s = await selectAll(store, 'default', [{ name: 'job', type: '=', value: 'filesd' }]);
      return s.length > 0 && s.every((x) => isStaleAt(x.values, x.values.length - 1)) ? true : undefined;
    }, 'staleness markers after the target left the file', 10_000);
  }, 60_000);

  it('lists targets on /api/v1/targets and /api/v1/scrape_pools as Prometheus 2.42 does', async () => {
    // Runs after the test above: both processes are scraping the same jobs.
    const ours = (t: { scrapePool: string }): boolean => t.scrapePool !== 'filesd' && t.scrapePool !== 'ichigen';
    // Comparable fields: the times and the error texts differ by nature (Go's dial error vs Node's).
    const shape = (t: TargetsAnswer['activeTargets'][number]): Record<string, unknown> => {
      const { lastScrape, lastScrapeDuration, lastError, ...rest } = t;
      return { ...rest, scraped: !Number.isNaN(Date.parse(lastScrape)) && lastScrape > '2000', durationIsNumber: typeof lastScrapeDuration === 'number', failed: lastError !== '' };
    };
    for (const query of ['', '?state=active', '?state=dropped', '?state=any', '?scrapePool=node', '?scrapePool=down&state=active', '?state=nonsense']) {
      const want = await targets(prom!.url, query);
      if (query === '') expect([want.activeTargets.length, want.droppedTargets.length]).toEqual([4, 1]);
      const got = await targets(ich!.url, query, ich!.adminToken);
      const key = (t: { scrapePool: string; scrapeUrl: string }): string => `${t.scrapePool} ${t.scrapeUrl}`;
      expect(got.activeTargets.filter(ours).map(shape).sort((a, b) => key(a as never).localeCompare(key(b as never))), query).toEqual(want.activeTargets.map(shape).sort((a, b) => key(a as never).localeCompare(key(b as never))));
      expect(got.droppedTargets, query).toEqual(want.droppedTargets);
    }
    const all = await targets(ich!.url, '', ich!.adminToken);
    expect(all.activeTargets.find((t) => t.scrapePool === 'down')).toMatchObject({ health: 'down', labels: { job: 'down', instance: `127.0.0.1:${closedPort}` } });
    expect(all.activeTargets.find((t) => t.scrapePool === 'down')!.lastError).toMatch(/ECONNREFUSED|refused/);
    expect(all.activeTargets.find((t) => t.scrapePool === 'ichigen')).toMatchObject({ health: 'up', labels: { job: 'ichigen' } });
    // Pools in name order, as Prometheus sorts them.
    const pools = all.activeTargets.map((t) => t.scrapePool);
    expect(pools).toEqual([...pools].sort());
    const poolsAnswer = (await (await ich!.fetch('/api/v1/scrape_pools')).json()) as { data: { scrapePools: string[] } };
    expect(poolsAnswer.data.scrapePools).toEqual(['app', 'app_honor', 'down', 'filesd', 'ichigen', 'node']);
    // Like every API: no credentials, no answer.
    expect((await fetch(`${ich!.url}/api/v1/targets`)).status).toBe(401);
  }, 30_000);
});
