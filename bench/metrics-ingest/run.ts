/**
 * bench/metrics-ingest: the same pre-encoded remote-write load into Prometheus 2.42
 * (--web.enable-remote-write-receiver), VictoriaMetrics 1.79 and Ichigen, one after the
 * other in one run. Prints accepted samples/s, CPU-seconds per million samples (the
 * receiving process only, from /proc), peak RSS (VmHWM) and bytes per sample on disk.
 *
 *   npm run build && npx tsx bench/metrics-ingest/run.ts [series=100000] [rounds=10] [--only=prometheus,vm,ichigen]
 *
 * `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` passes flags to Ichigen's
 * node process (profiles while optimising); `BENCH_KEEP=1` keeps Ichigen's data directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labelsFromRecord, labelsToRecord } from '../../src/model/index.js';
import { nodeExporterCapture } from './node-exporter-data.js';
import { encodeWriteRequest } from '../../src/receive/remote-write/index.js';
import { freePort } from '../../test/support/postgres.js';
import { CLI, runCli, waitReady } from '../../test/support/process.js';
import { startPrometheus, startVictoriaMetrics } from '../../test/support/peers.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const SERIES = Number(positional[0] ?? 100_000);
const ROUNDS = Number(positional[1] ?? 10);
const ONLY = (process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? 'prometheus,vm,ichigen').split(',');
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const CONCURRENCY = 4;
/** Series per request: 2,000, fewer when there are not enough series for every sender. */
const PER_REQUEST = Math.min(2000, Math.ceil(SERIES / CONCURRENCY));
/** Requests per round: each covers its own slice of the series. */
const SLOTS = Math.ceil(SERIES / PER_REQUEST);
const CAPTURE_SCRAPES = 240;

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (100 Hz)
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/**
 * node_exporter-like load: the series of a real node_exporter scrape (captured once, see
 * node-exporter-data.ts) on SERIES / capture-size hosts, each host replaying the captured
 * values from its own starting scrape, 15 s apart.
 */
async function buildRequests(): Promise<Buffer[]> {
  const cap = await nodeExporterCapture(CAPTURE_SCRAPES, 1000);
  if (ROUNDS > CAPTURE_SCRAPES) throw new Error(`at most ${CAPTURE_SCRAPES} rounds (the capture's length)`);
  const per = cap.labels.length;
  const labels = Array.from({ length: SERIES }, (_, i) =>
    labelsFromRecord({ ...labelsToRecord(cap.labels[i % per]!), instance: `host-${Math.floor(i / per)}:9100`, job: 'node' }),
  );
  const t0 = Date.now() - ROUNDS * 15_000;
  const out: Buffer[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let s = 0; s < SERIES; s += PER_REQUEST) {
      const series = [];
      for (let i = s; i < Math.min(SERIES, s + PER_REQUEST); i++) {
        const host = Math.floor(i / per);
        const row = cap.values[(r + (host * 37) % (CAPTURE_SCRAPES - ROUNDS + 1)) % CAPTURE_SCRAPES]!;
        series.push({ labels: labels[i]!, timestamps: [t0 + r * 15_000], values: Float64Array.of(row[i % per]!) });
      }
      out.push(encodeWriteRequest(series));
    }
  }
  return out;
}

/**
 * Each sender owns some slices of the series and sends their rounds in order, as
 * Prometheus' remote-write shards do (a series always goes through one shard): no sample
 * arrives before an older one of its series, which Prometheus (no out-of-order window)
 * would refuse. `bodies` is round-major: bodies[round * SLOTS + slice].
 */
async function drive(url: string, headers: Record<string, string>, bodies: Buffer[]): Promise<number> {
  let failures = 0;
  const worker = async (w: number): Promise<void> => {
    for (let r = 0; r < ROUNDS; r++) {
      for (let slot = w; slot < SLOTS; slot += CONCURRENCY) {
        const body = bodies[r * SLOTS + slot]!;
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', ...headers }, body });
        if (res.status >= 300) {
          failures++;
          if (failures < 3) console.error(url, res.status, (await res.text()).slice(0, 300));
        } else await res.arrayBuffer();
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  if (failures > 0) throw new Error(`${failures} requests failed`);
  return (performance.now() - start) / 1000;
}

interface Row {
  name: string;
  seconds: number;
  cpu: number;
  rss: number;
  bytes: number;
  compacted?: number;
}

async function main(): Promise<void> {
  const bodies = await buildRequests();
  const samples = SERIES * ROUNDS;
  const wire = bodies.reduce((a, b) => a + b.length, 0);
  console.log(`${SERIES} series × ${ROUNDS} rounds = ${samples} samples in ${bodies.length} requests (${(wire / 1e6).toFixed(1)} MB snappy)`);
  const rows: Row[] = [];

  if (ONLY.includes('prometheus')) {
    const p = await startPrometheus('global: {}\n');
    const pid = p.child.pid!;
    const cpu0 = cpuSeconds(pid);
    const seconds = await drive(`${p.url}/api/v1/write`, {}, bodies);
    const cpu = cpuSeconds(pid) - cpu0;
    rows.push({ name: 'Prometheus 2.42', seconds, cpu, rss: peakRssMb(pid), bytes: dirBytes(path.join(p.dir, 'data')) });
    await p.stop();
  }
  if (ONLY.includes('vm')) {
    const v = await startVictoriaMetrics();
    const pid = v.child.pid!;
    const cpu0 = cpuSeconds(pid);
    const seconds = await drive(`${v.url}/api/v1/write`, {}, bodies);
    await fetch(`${v.url}/internal/force_flush`);
    await new Promise((r) => setTimeout(r, 2000));
    const cpu = cpuSeconds(pid) - cpu0;
    rows.push({ name: 'VictoriaMetrics 1.79', seconds, cpu, rss: peakRssMb(pid), bytes: dirBytes(path.join(v.dir, 'data')) });
    await v.stop();
  }
  if (ONLY.includes('ichigen')) {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-bench-'));
    const tok = runCli(['token', 'create', '--name', 'bench', '--scopes', 'ingest,read', '--data-dir', dir]);
    await tok.exited;
    const token = tok.stdout().trim();
    const port = await freePort();
    const child = spawn(process.execPath, [...NODE_ARGS, CLI, 'start', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], {
      env: { ...process.env, ICHIGEN_ADMIN_PASSWORD: 'bench-only', ICHIGEN_LOG_LEVEL: 'warn', ICHIGEN_METRICS_SELF_SCRAPE_INTERVAL: '0', ICHIGEN_OTLP_HTTP_LISTEN: '', ICHIGEN_OTLP_GRPC_LISTEN: '' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    await waitReady(base, 60_000);
    const pid = child.pid!;
    const cpu0 = cpuSeconds(pid);
    // BENCH_MONITOR=1: RSS every half second while the load runs.
    const monitor =
      process.env.BENCH_MONITOR === '1'
        ? setInterval(() => {
            const st = readFileSync(`/proc/${pid}/status`, 'utf8');
            const kb = (k: string): string => `${Math.round(Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(st)?.[1]) / 1024)}`;
            void fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })
              .then((r) => r.text())
              .then((m) => {
                const v = (name: string): string => `${Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(m)?.[1]) / 1048576)}`;
                console.log(`rss ${kb('VmRSS')} anon ${kb('RssAnon')} file ${kb('RssFile')} MiB; heap ${v('nodejs_heap_size_used_bytes')}/${v('nodejs_heap_size_total_bytes')} external ${v('nodejs_external_memory_bytes')}`);
              });
          }, 500)
        : undefined;
    // BENCH_MID_SNAPSHOT=s: SIGUSR2 (heap snapshot, see BENCH_NODE_ARGS) s seconds into the load.
    const mid = process.env.BENCH_MID_SNAPSHOT ? setTimeout(() => child.kill('SIGUSR2'), Number(process.env.BENCH_MID_SNAPSHOT) * 1000) : undefined;
    const seconds = await drive(`${base}/api/v1/write`, { authorization: `Bearer ${token}` }, bodies);
    clearTimeout(mid);
    clearInterval(monitor);
    const cpuIngest = cpuSeconds(pid) - cpu0;
    const rss = peakRssMb(pid);
    // Where the memory is, from Ichigen's own /metrics (V8 heap vs the rest).
    const self = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    const mib = (name: string): string => `${(Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(self)?.[1] ?? NaN) / 1048576).toFixed(0)} MiB`;
    console.log(
      `Ichigen memory after the load: rss ${mib('process_resident_memory_bytes')}, heap used ${mib('nodejs_heap_size_used_bytes')} of ${mib('nodejs_heap_size_total_bytes')}, external ${mib('nodejs_external_memory_bytes')}`,
    );
    if (process.env.BENCH_SNAPSHOT_WAIT) {
      // With BENCH_NODE_ARGS="--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=…": a heap snapshot after the load.
      child.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, Number(process.env.BENCH_SNAPSHOT_WAIT) * 1000));
    }
    // Graceful stop flushes the head into DuckDB chunks; `ichigen metrics compact` then
    // merges all windows (the current one too) and drops the free blocks from the file.
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    const flushed = dirBytes(path.join(dir, 'metrics'));
    const compact = runCli(['metrics', 'compact', '--data-dir', dir]);
    if ((await compact.exited) !== 0) throw new Error(`ichigen metrics compact failed: ${compact.stderr()}`);
    console.log(compact.stdout().trim());
    rows.push({ name: 'Ichigen', seconds, cpu: cpuIngest, rss, bytes: flushed, compacted: dirBytes(path.join(dir, 'metrics')) });
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }

  console.log('\n| system | accepted samples/s | CPU-s per 1M samples | peak RSS (MiB) | bytes/sample on disk | after compaction |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const compacted = r.compacted === undefined ? '-' : (r.compacted / samples).toFixed(2);
    console.log(`| ${r.name} | ${Math.round(samples / r.seconds).toLocaleString('en-US')} | ${((r.cpu / samples) * 1e6).toFixed(2)} | ${r.rss.toFixed(0)} | ${(r.bytes / samples).toFixed(2)} | ${compacted} |`);
  }
}

await main();
