/**
 * Logs benchmark, in one run against a real Ichigen process (the built CLI):
 *
 * 1. push throughput through the Loki HTTP push API (JSON, 8 concurrent senders, ~1 MB
 *    bodies, 1,000 streams): 200-byte lines, then 1 KB lines — lines/s, MB/s, and per core
 *    (lines per CPU-second of the server process);
 * 2. the scan data set: `--gb` GB of raw JSON lines (200 B and 1 KB mixed, half the bytes
 *    each) pushed as `{app="x"}` over 40 hours, and written to a raw file for grep and jq;
 * 3. ingest goes on (`{app="soak"}`) until `--soak-min` minutes have passed since the first
 *    push, the server's RSS sampled every 5 s throughout;
 * 4. a restart (data read back from DuckDB), then `|= "needle"` and `| json | status >= 500`
 *    counted by Ichigen next to `grep -c` and `jq` over the raw file, each `--runs` times.
 *
 *   npm run build && npx tsx bench/logs/run.ts [--gb 5] [--soak-min 10] [--tput200 2000000] [--tput1k 500000] [--runs 2] [--keep] [--cpu-prof DIR]
 *
 * Everything is written under bench/.work/logs (git-ignored) and deleted at the end unless
 * --keep. Not part of `npm test`.
 */
import { execFileSync, execSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../test/support/postgres.js';
import { CLI, waitReady } from '../../test/support/process.js';
import { makeBatch, type BatchSpec } from './data.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const GB = arg('gb', 5);
const SOAK_MIN = arg('soak-min', 10);
const TPUT200 = arg('tput200', 2_000_000);
const TPUT1K = arg('tput1k', 500_000);
const RUNS = arg('runs', 2);
const SENDERS = arg('senders', 8);
const KEEP = process.argv.includes('--keep');
/** `--cpu-prof DIR`: the server writes V8 CPU profiles there (one per process start). */
const PROF = process.argv.includes('--cpu-prof') ? path.resolve(process.argv[process.argv.indexOf('--cpu-prof') + 1]!) : undefined;
const STREAMS = 1000;
const BODY_BYTES = 1_000_000;
const WORK = path.resolve(import.meta.dirname, '../.work/logs');
const PASSWORD = 'bench-password-123';
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
const HOUR_NS = 3_600_000_000_000n;

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks of 10 ms
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

interface PushFigures {
  readonly lines: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly serverCpu: number;
  readonly clientCpu: number;
}

function describe(name: string, f: PushFigures): string {
  const perCore = f.lines / f.serverCpu;
  return `${name}: ${f.lines} lines, ${(f.bytes / 1e6).toFixed(0)} MB in ${f.seconds.toFixed(1)} s = ${(f.lines / f.seconds / 1000).toFixed(1)}k lines/s, ${(f.bytes / f.seconds / 1e6).toFixed(1)} MB/s; server CPU ${f.serverCpu.toFixed(1)} s = ${(perCore / 1000).toFixed(1)}k lines/s and ${(f.bytes / f.serverCpu / 1e6).toFixed(1)} MB/s per core; client CPU ${f.clientCpu.toFixed(1)} s`;
}

class Bench {
  proc!: ChildProcess;
  exited!: Promise<void>;
  base = '';
  readonly rss: Array<{ s: number; mib: number; heap?: number; external?: number }> = [];

  /** RSS now, and the V8 heap and external (Buffer) memory from the server's own /metrics. */
  sample(s: number): void {
    const row: { s: number; mib: number; heap?: number; external?: number } = { s, mib: rssMiB(this.pid) };
    this.rss.push(row);
    void fetch(`${this.base}/metrics`, { headers: { authorization: AUTH } })
      .then((r) => r.text())
      .then((text) => {
        const get = (name: string): number | undefined => {
          const m = new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text);
          return m ? Number(m[1]) / 1048576 : undefined;
        };
        row.heap = get('nodejs_heap_size_used_bytes');
        row.external = get('nodejs_external_memory_bytes');
      })
      .catch(() => undefined);
  }

  async start(port: number): Promise<void> {
    this.base = `http://127.0.0.1:${port}`;
    // Not runCli: --cpu-prof must be a node flag (NODE_OPTIONS refuses it).
    this.proc = spawn(process.execPath, [...(PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROF}`] : []), CLI, 'start', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(WORK, 'data')], {
      env: { ...process.env, ICHIGEN_ADMIN_PASSWORD: PASSWORD, ICHIGEN_LOGS_INGESTION_RATE: '100GiB', ICHIGEN_LOGS_INGESTION_BURST: '100GiB', ICHIGEN_LOG_LEVEL: 'warn', ICHIGEN_OTLP_HTTP_LISTEN: '', ICHIGEN_OTLP_GRPC_LISTEN: '' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', () => resolve()));
    await waitReady(this.base, 300_000);
  }

  async stop(): Promise<void> {
    this.proc.kill('SIGTERM');
    await this.exited;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** Pushes the batches from `specs` with SENDERS concurrent senders; `raw` gets the lines. */
  async push(specs: Iterable<BatchSpec>, raw?: number): Promise<PushFigures> {
    const it = specs[Symbol.iterator]();
    let lines = 0;
    let bytes = 0;
    const cpu0 = cpuSeconds(this.pid);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        for (;;) {
          const next = it.next();
          if (next.done) return;
          const b = makeBatch(next.value, raw !== undefined);
          if (raw !== undefined) writeSync(raw, b.raw);
          const r = await fetch(`${this.base}/loki/api/v1/push`, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/json' }, body: b.body });
          if (r.status !== 204) throw new Error(`push answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
          lines += b.lines;
          bytes += b.bytes;
        }
      }),
    );
    const c = process.cpuUsage(client0);
    return { lines, bytes, seconds: (performance.now() - t0) / 1000, serverCpu: cpuSeconds(this.pid) - cpu0, clientCpu: (c.user + c.system) / 1e6 };
  }

  async count(query: string, timeNs: bigint): Promise<{ value: number; ms: number }> {
    const t0 = performance.now();
    const r = await fetch(`${this.base}/loki/api/v1/query?query=${encodeURIComponent(query)}&time=${timeNs}`, { headers: { authorization: AUTH } });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`query ${query} answered ${r.status}: ${text.slice(0, 300)}`);
    const j = JSON.parse(text) as { data: { result: Array<{ value: [number, string] }> } };
    return { value: Number(j.data.result[0]?.value[1] ?? 0), ms: performance.now() - t0 };
  }

  async logQuery(query: string, startNs: bigint, endNs: bigint): Promise<{ lines: number; ms: number }> {
    const t0 = performance.now();
    const r = await fetch(`${this.base}/loki/api/v1/query_range?query=${encodeURIComponent(query)}&start=${startNs}&end=${endNs}&limit=100&direction=backward`, { headers: { authorization: AUTH } });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`query ${query} answered ${r.status}: ${text.slice(0, 300)}`);
    const j = JSON.parse(text) as { data: { result: Array<{ values: unknown[] }> } };
    return { lines: j.data.result.reduce((n, s) => n + s.values.length, 0), ms: performance.now() - t0 };
  }
}

/** Batch specs of `count` lines from `from`, about BODY_BYTES per body. */
function* batches(app: string, from: number, count: number, size: (i: number) => number, tsNs: (i: number) => bigint, avg: number): Generator<BatchSpec> {
  const per = Math.max(1, Math.floor(BODY_BYTES / avg));
  for (let i = from; i < from + count; i += per) yield { app, streams: STREAMS, from: i, count: Math.min(per, from + count - i), size, tsNs };
}

function timed(cmd: string): { out: string; ms: number } {
  const t0 = performance.now();
  const out = execSync(cmd, { encoding: 'utf8', shell: '/bin/bash', maxBuffer: 1 << 20 }).trim();
  return { out, ms: performance.now() - t0 };
}

async function main(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const rawPath = path.join(WORK, 'raw.log');
  const port = await freePort();
  const bench = new Bench();
  console.log(`logs bench: ${new Date().toISOString()}, load ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  await bench.start(port);
  let sampler: NodeJS.Timeout | undefined;
  try {
    const t0 = performance.now();
    sampler = setInterval(() => bench.sample((performance.now() - t0) / 1000), 5000);
    const nowNs = BigInt(Date.now()) * 1_000_000n;

    // 1. Throughput: 200 B, then 1 KB lines, each in its own app.
    const recent = (i: number): bigint => nowNs - 2n * HOUR_NS + BigInt(i) * 1000n;
    const p200 = await bench.push(batches('tput200', 0, TPUT200, () => 200, recent, 200));
    console.log(describe('push 200 B', p200));
    const p1k = await bench.push(batches('tput1k', 0, TPUT1K, () => 1000, recent, 1000));
    console.log(describe('push 1 KB', p1k));

    // 2. The scan data: GB of raw lines, half the bytes in 200 B lines and half in 1 KB ones.
    const size = (i: number): number => (i % 6 === 5 ? 1000 : 200);
    const xLines = Math.ceil((GB * 1e9) / ((5 * 201 + 1001) / 6));
    const x1 = nowNs - HOUR_NS;
    const x0 = x1 - 40n * HOUR_NS;
    const step = (x1 - x0) / BigInt(xLines);
    const raw = openSync(rawPath, 'w');
    const px = await bench.push(batches('x', 0, xLines, size, (i) => x0 + BigInt(i) * step, 334), raw);
    closeSync(raw);
    console.log(describe(`push scan set {app="x"}`, px));

    // 3. Ingest on until the soak time is over.
    let soak = 0;
    const soakUntil = t0 + SOAK_MIN * 60_000;
    while (performance.now() < soakUntil) {
      const f = await bench.push(batches('soak', soak, 200_000, () => 200, (i) => nowNs - HOUR_NS + BigInt(i) * 1000n, 200));
      soak += f.lines;
    }
    clearInterval(sampler);
    sampler = undefined;
    console.log(`soak: ${soak} more lines; ingest ran ${((performance.now() - t0) / 60_000).toFixed(1)} min`);
    const minute = (m: number, f: (r: (typeof bench.rss)[number]) => number | undefined): string => {
      const xs = bench.rss.filter((r) => r.s > (m - 1) * 60 && r.s <= m * 60).map(f).filter((x): x is number => x !== undefined);
      return xs.length === 0 ? '-' : Math.max(...xs).toFixed(0);
    };
    const mins = Math.ceil(Math.ceil(bench.rss.at(-1)?.s ?? 0) / 60);
    const perMinute = (f: (r: (typeof bench.rss)[number]) => number | undefined): string => Array.from({ length: mins }, (_, m) => minute(m + 1, f)).join(' ');
    console.log(`RSS MiB, max per minute: ${perMinute((r) => r.mib)}`);
    console.log(`V8 heap used MiB, max per minute: ${perMinute((r) => r.heap)}; external (Buffers) MiB: ${perMinute((r) => r.external)}`);

    // 4. Restart: queries read DuckDB, not the in-memory head.
    let t = performance.now();
    await bench.stop();
    console.log(`stop (flush): ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    await bench.start(port);
    console.log(`start (recovery): ${((performance.now() - t) / 1000).toFixed(1)} s; disk: ${execSync(`du -sh ${path.join(WORK, 'data/logs')}`, { encoding: 'utf8' }).split('\t')[0]} for ${(px.bytes / 1e9).toFixed(2)} GB of scan-set lines (${(p200.bytes + p1k.bytes + px.bytes + soak * 200) / 1e9} GB in all)`);

    const at = x1 + 60_000_000_000n;
    const range = '41h';
    for (let run = 1; run <= RUNS; run++) {
      const needle = await bench.count(`sum(count_over_time({app="x"} |= "needle" [${range}]))`, at);
      const grep = timed(`grep -c needle ${rawPath}`);
      console.log(`run ${run}: |= "needle": Ichigen ${needle.value} in ${needle.ms.toFixed(0)} ms; grep -c ${grep.out} in ${grep.ms.toFixed(0)} ms; ratio ${(needle.ms / grep.ms).toFixed(2)}`);
      const logq = await bench.logQuery(`{app="x"} |= "needle"`, x0 - 1n, at);
      console.log(`run ${run}: {app="x"} |= "needle" limit 100 backward (log query): ${logq.lines} lines in ${logq.ms.toFixed(0)} ms`);
      const json = await bench.count(`sum(count_over_time({app="x"} | json | status >= 500 [${range}]))`, at);
      const jq = timed(`jq -c 'select(.status >= 500)' ${rawPath} | wc -l`);
      console.log(`run ${run}: | json | status >= 500: Ichigen ${json.value} in ${json.ms.toFixed(0)} ms; jq ${jq.out} in ${jq.ms.toFixed(0)} ms; ratio ${(json.ms / jq.ms).toFixed(2)}`);
    }
    console.log(`end: load ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  } finally {
    if (sampler) clearInterval(sampler);
    await bench.stop();
    if (!KEEP) rmSync(WORK, { recursive: true, force: true });
  }
}

await main();
