/**
 * PromQL benchmark, side by side: the same remote-written data in Prometheus 2.42 and in
 * Ichigen (embedded store, `promql.compatibility: prometheus2`), the same dashboard
 * queries asked of both HTTP APIs in alternation; prints p50/p99 latency per query and
 * each process' peak RSS. Not part of `npm test`.
 *
 *   npx tsx bench/promql/run.ts [--series 10000] [--hours 24] [--runs 10] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` runs Ichigen under `node --cpu-prof` (ingest and queries; the profile is
 * written to DIR when Ichigen stops).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labelsFromRecord, type Labels } from '../../src/model/index.js';
import { encodeWriteRequest } from '../../src/receive/remote-write/index.js';
import { freePort } from '../../test/support/postgres.js';
import { CLI, waitFor } from '../../test/support/process.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SERIES = arg('series', 10_000);
const HOURS = arg('hours', 24);
const RUNS = arg('runs', 10);
const CPU_PROF = process.argv.includes('--cpu-prof') ? path.resolve(process.argv[process.argv.indexOf('--cpu-prof') + 1]!) : undefined;
const STEP = 15_000;
const END = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const START = END - HOURS * 3_600_000;
const POINTS = (END - START) / STEP;

function makeSeries(): Labels[] {
  const out: Labels[] = [];
  const les = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
  const histSeries = Math.floor(SERIES / 5);
  for (let i = 0; out.length < histSeries; i++) {
    for (const le of les) out.push(labelsFromRecord({ __name__: 'bench_latency_seconds_bucket', job: `job${i % 4}`, instance: `host${i}`, le }));
  }
  for (let i = 0; out.length < SERIES; i++) {
    out.push(labelsFromRecord({ __name__: 'bench_requests_total', job: `job${i % 4}`, instance: `host${Math.floor(i / 40)}`, method: i % 2 ? 'GET' : 'POST', status: String(200 + (Math.floor(i / 2) % 20)) }));
  }
  return out;
}

function value(k: number, labels: Labels, t: number): number {
  const le = labels.find((l) => l.name === 'le')?.value;
  const base = (t - START) / STEP;
  if (le === undefined) return Math.floor(base * (1 + (k % 7)));
  const f = le === '+Inf' ? 1 : Math.min(1, Math.sqrt(Number(le)));
  return Math.floor(base * 10 * f);
}

async function push(url: string, token: string | undefined, series: Labels[]): Promise<number> {
  const t0 = Date.now();
  const per = 40; // samples per series per request (10 minutes)
  const chunk = Math.max(1, Math.floor(20_000 / per));
  for (let p = 0; p < POINTS; p += per) {
    const n = Math.min(per, POINTS - p);
    for (let s = 0; s < series.length; s += chunk) {
      const batch = series.slice(s, s + chunk).map((labels, j) => {
        const timestamps = new Float64Array(n);
        const values = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          timestamps[i] = START + (p + i) * STEP;
          values[i] = value(s + j, labels, timestamps[i]!);
        }
        return { labels, timestamps, values };
      });
      const body = encodeWriteRequest(batch);
      const headers: Record<string, string> = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };
      if (token) headers.authorization = `Bearer ${token}`;
      const r = await fetch(url, { method: 'POST', headers, body });
      if (r.status >= 300) throw new Error(`${url}: ${r.status} ${await r.text()}`);
    }
  }
  return Date.now() - t0;
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

const QUERIES: Array<{ name: string; query: string; range?: [number, number] }> = [
  { name: 'sum by (job) (rate[5m]), 1h @ 15s', query: 'sum by (job) (rate(bench_requests_total[5m]))', range: [3_600_000, 15_000] },
  { name: 'histogram_quantile p99, 1h @ 15s', query: 'histogram_quantile(0.99, sum by (le) (rate(bench_latency_seconds_bucket[5m])))', range: [3_600_000, 15_000] },
  { name: 'topk(10) by instance, 1h @ 60s', query: 'topk(10, sum by (instance) (rate(bench_requests_total[5m])))', range: [3_600_000, 60_000] },
  { name: 'sum by (status) rate, 24h @ 5m', query: 'sum by (status) (rate(bench_requests_total[5m]))', range: [24 * 3_600_000, 300_000] },
  { name: 'sum rate, 7d @ 1h', query: 'sum(rate(bench_requests_total[1h]))', range: [7 * 24 * 3_600_000, 3_600_000] },
  { name: 'instant sum(rate[5m])', query: 'sum(rate(bench_requests_total[5m]))' },
];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-bench-promql-'));
  const procs: ChildProcess[] = [];
  try {
    const promPort = await freePort();
    writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    const prom = spawn('prometheus', [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/prom`, `--web.listen-address=127.0.0.1:${promPort}`, '--web.enable-remote-write-receiver', '--storage.tsdb.retention.time=100y', '--log.level=error'], { stdio: 'ignore' });
    procs.push(prom);
    const igPort = await freePort();
    const env = { ...process.env, ICHIGEN_ADMIN_PASSWORD: 'bench-password', ICHIGEN_OTLP_HTTP_LISTEN: '127.0.0.1:0', ICHIGEN_OTLP_GRPC_LISTEN: '127.0.0.1:0', ICHIGEN_PROMQL_COMPATIBILITY: 'prometheus2', ICHIGEN_METRICS_RETENTION: '0', ICHIGEN_LOG_LEVEL: 'error' };
    const ig = spawn(process.execPath, [...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []), CLI, 'start', '--listen', `127.0.0.1:${igPort}`, '--data-dir', `${dir}/ichigen`], { env, stdio: 'ignore' });
    procs.push(ig);
    const promUrl = `http://127.0.0.1:${promPort}`;
    const igUrl = `http://127.0.0.1:${igPort}`;
    const ready = (u: string) => waitFor(async () => ((await fetch(u).catch(() => undefined))?.ok ? true : undefined), u, 60_000);
    await ready(`${promUrl}/-/ready`);
    await ready(`${igUrl}/-/ready`);
    const tok = spawn(process.execPath, [CLI, 'token', 'create', '--name', 'bench', '--scopes', 'ingest,read', '--data-dir', `${dir}/ichigen`], { env });
    let token = '';
    tok.stdout.on('data', (d: Buffer) => (token += d.toString()));
    await new Promise((r) => tok.on('exit', r));
    token = token.trim();
    const series = makeSeries();
    console.log(`data: ${series.length} series x ${HOURS}h at 15s = ${(series.length * POINTS / 1e6).toFixed(1)}M samples`);
    const promMs = await push(`${promUrl}/api/v1/write`, undefined, series);
    const igMs = await push(`${igUrl}/api/v1/write`, token, series);
    console.log(`remote write: Prometheus ${(promMs / 1000).toFixed(1)}s, Ichigen ${(igMs / 1000).toFixed(1)}s`);
    const rows: string[] = [];
    for (const q of QUERIES) {
      const lat: Record<'prom' | 'ig', number[]> = { prom: [], ig: [] };
      const url = (): string => {
        const e = encodeURIComponent(q.query);
        if (!q.range) return `/api/v1/query?query=${e}&time=${END / 1000}`;
        return `/api/v1/query_range?query=${e}&start=${(END - q.range[0]) / 1000}&end=${END / 1000}&step=${q.range[1] / 1000}`;
      };
      for (let r = 0; r < RUNS + 1; r++) {
        for (const who of ['prom', 'ig'] as const) {
          const t0 = performance.now();
          const res = await fetch((who === 'prom' ? promUrl : igUrl) + url(), who === 'ig' ? { headers: { authorization: `Bearer ${token}` } } : {});
          const body = (await res.json()) as { status: string; error?: string };
          if (body.status !== 'success') throw new Error(`${who} ${q.name}: ${body.error}`);
          if (r > 0) lat[who].push(performance.now() - t0);
        }
      }
      const row = `| ${q.name} | ${pct(lat.prom, 50).toFixed(1)} | ${pct(lat.prom, 99).toFixed(1)} | ${pct(lat.ig, 50).toFixed(1)} | ${pct(lat.ig, 99).toFixed(1)} | ${(pct(lat.ig, 50) / pct(lat.prom, 50)).toFixed(2)} |`;
      console.log(row);
      rows.push(row);
    }
    console.log(`peak RSS (whole run, MiB): Prometheus ${peakRssMiB(prom.pid!)}, Ichigen ${peakRssMiB(ig.pid!)}; RSS after queries: Prometheus ${rssMiB(prom.pid!)}, Ichigen ${rssMiB(ig.pid!)}`);
  } finally {
    for (const p of procs.reverse()) {
      p.kill('SIGTERM');
      await new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
