/**
 * Traces benchmark, in one run against a real Ichigen process (default config):
 * 1. ingest: realistic spans (~10 attributes, 8–12 spans per trace over 5 services) as OTLP
 *    protobuf through the real `POST /v1/traces`, 4 concurrent senders; spans/s, and spans per
 *    CPU-second of the server process (its user+system time: "spans/s per core");
 * 2. trace by id (no time range) over everything stored, and TraceQL search latency;
 * 3. a soak: steady ingest with searches and lookups for N minutes, RSS sampled.
 * No Tempo or OpenTelemetry Collector + ClickHouse can run here, so the collector's published
 * figure is the reference. Not part of `npm test`.
 *
 *   npx tsx bench/traces/run.ts [--spans 10000000] [--soak-minutes 10] [--soak-rate 5000]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/support/postgres.js';
import { runCli, waitReady } from '../../test/support/process.js';
import { instantiate, makeTemplate, orderIdOf, type Template } from './span-template.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const SPANS = arg('spans', 10_000_000);
const SOAK_MIN = arg('soak-minutes', 10);
const SOAK_RATE = arg('soak-rate', 5000);
const SENDERS = 4;
const TRACES_PER_REQUEST = 50;
const TICK = 100; // clock ticks per second (Linux USER_HZ)

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}
/** CPU seconds per thread (the main thread, and DuckDB's, V8's and libuv's threads by id). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = Number(tid) === pid ? 'main' : `${st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'))}/${tid}`;
      const f = st.slice(st.lastIndexOf(') ') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / TICK);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-bench-traces-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ICHIGEN_ADMIN_PASSWORD: 'bench-password-123', ICHIGEN_METRICS_SELF_SCRAPE_INTERVAL: '0' };
  const auth = `Basic ${Buffer.from('admin:bench-password-123').toString('base64')}`;
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to the server's node.
  const proc = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(dir, 'data')], env, undefined, (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((x) => x !== ''));
  const pid = proc.child.pid!;
  try {
    await waitReady(base, 60_000);
    const templates: Template[] = Array.from({ length: 8 }, (_, t) => makeTemplate(t, TRACES_PER_REQUEST));
    const perRequest = templates.reduce((a, t) => a + t.spans, 0) / templates.length;
    const requests = Math.ceil(SPANS / perRequest);
    const runId = Math.floor(Math.random() * 0xffffffff);
    const startMs = Date.now();
    // Spans spread over the last hour before the run started, 1 s of trace time per request.
    const timeOf = (n: number): bigint => BigInt(startMs - 3_600_000) * 1_000_000n + BigInt(n) * 1_000_000_000n * 3600n / BigInt(requests);
    const sampleIds: string[] = [];
    let sent = 0;
    let next = 0;
    const post = async (n: number): Promise<void> => {
      const tpl = templates[n % templates.length]!;
      const { body, traceIds } = instantiate(tpl, runId, n, timeOf(n));
      if (n % 97 === 0) sampleIds.push(traceIds[n % traceIds.length]!);
      for (;;) {
        const r = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-protobuf' }, body });
        if (r.status === 200) break;
        if (r.status !== 429 && r.status !== 503) throw new Error(`export ${r.status} ${await r.text()}`);
        await new Promise((res) => setTimeout(res, 200));
      }
      sent += tpl.spans;
    };
    const cpu0 = cpuSeconds(pid);
    const threads0 = threadCpu(pid);
    const t0 = performance.now();
    let lastReport = t0;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < requests) {
          await post(next++);
          if (performance.now() - lastReport > 30_000) {
            lastReport = performance.now();
            console.log(`  … ${sent} spans, ${(sent / ((lastReport - t0) / 1000)).toFixed(0)} spans/s, RSS ${rssMiB(pid).toFixed(0)} MiB`);
          }
        }
      }),
    );
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = cpuSeconds(pid) - cpu0;
    const threads = [...threadCpu(pid)].map(([name, s]) => [name, s - (threads0.get(name) ?? 0)] as const).filter(([, s]) => s > 0);
    console.log(`ingest: ${sent} spans (${requests} requests of ~${perRequest.toFixed(0)} spans, ${SENDERS} senders) in ${wallS.toFixed(1)} s: ${(sent / wallS).toFixed(0)} spans/s wall; server CPU ${cpuS.toFixed(1)} s = ${(sent / cpuS).toFixed(0)} spans per CPU-second (per core); RSS ${rssMiB(pid).toFixed(0)} MiB`);

    console.log(`  server CPU by thread (s): ${threads.sort((a, b) => b[1] - a[1]).map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ')} (ended threads not counted)`);
    // Let the last flush land (flush interval 5 s).
    await new Promise((r) => setTimeout(r, 8000));
    const get = async (p: string): Promise<{ ms: number; body: string; status: number }> => {
      const s = performance.now();
      const r = await fetch(`${base}${p}`, { headers: { authorization: auth } });
      const body = await r.text();
      return { ms: performance.now() - s, body, status: r.status };
    };
    const byId: number[] = [];
    for (const id of sampleIds.slice(0, 200)) {
      const r = await get(`/api/traces/${id}`);
      if (r.status !== 200) throw new Error(`trace ${id}: ${r.status}`);
      byId.push(r.ms);
    }
    console.log(`trace by id (no time range, ${byId.length} random traces of ${sent} spans): p50 ${pct(byId, 0.5).toFixed(1)} ms, p99 ${pct(byId, 0.99).toFixed(1)} ms, max ${Math.max(...byId).toFixed(1)} ms`);

    const startS = Math.floor(startMs / 1000) - 3700;
    const endS = Math.floor(Date.now() / 1000) + 60;
    const needleN = Math.floor(requests / 2);
    const needle = orderIdOf(needleN, 5, needleN % templates.length);
    const queries = [
      '{ resource.service.name = "orders-db-proxy" && status = error }',
      '{ span.http.route = "/api/orders/{id}" && duration > 300ms }',
      '{ name = "SELECT orders" && span.db.cached = true }',
      `{ span.order.id = "${needle}" }`,
      '{ status = error } | count() > 0',
      '{ kind = server } >> { span.db.system = "postgresql" }',
      '{ duration > 2s }',
    ];
    for (const q of queries) {
      const times: number[] = [];
      let found = 0;
      for (let i = 0; i < 3; i++) {
        const r = await get(`/api/search?q=${encodeURIComponent(q)}&start=${startS}&end=${endS}&limit=20`);
        if (r.status !== 200) throw new Error(`search ${q}: ${r.status} ${r.body.slice(0, 300)}`);
        found = (JSON.parse(r.body) as { traces: unknown[] }).traces.length;
        times.push(r.ms);
      }
      console.log(`search ${q} (limit 20, 1 h window): ${found} traces, p50 ${pct(times, 0.5).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
    }

    if (SOAK_MIN > 0) {
      const soakEnd = Date.now() + SOAK_MIN * 60_000;
      const rss: Array<{ s: number; mib: number }> = [];
      let n = requests;
      let soakSpans = 0;
      const soakStart = Date.now();
      const sampler = setInterval(() => rss.push({ s: (Date.now() - soakStart) / 1000, mib: rssMiB(pid) }), 10_000);
      const searcher = setInterval(() => {
        void get(`/api/search?q=${encodeURIComponent('{ status = error }')}&limit=20`).catch(() => undefined);
        const id = sampleIds[Math.floor(Math.random() * sampleIds.length)];
        if (id) void get(`/api/traces/${id}`).catch(() => undefined);
      }, 5_000);
      try {
        while (Date.now() < soakEnd) {
          const tickStart = Date.now();
          const want = Math.ceil(SOAK_RATE / perRequest);
          await Promise.all(Array.from({ length: want }, async () => {
            const k = n++;
            const tpl = templates[k % templates.length]!;
            const { body } = instantiate(tpl, runId, k, BigInt(Date.now()) * 1_000_000n);
            const r = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-protobuf' }, body });
            if (r.status === 200) soakSpans += tpl.spans;
          }));
          await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - tickStart))));
        }
      } finally {
        clearInterval(sampler);
        clearInterval(searcher);
      }
      const first = rss.filter((x) => x.s <= 60).map((x) => x.mib);
      const last = rss.filter((x) => x.s >= SOAK_MIN * 60 - 60).map((x) => x.mib);
      const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      console.log(`soak: ${SOAK_MIN} min at ~${SOAK_RATE} spans/s (${soakSpans} spans) with a search and a trace lookup every 5 s: RSS first minute ${avg(first).toFixed(0)} MiB, last minute ${avg(last).toFixed(0)} MiB, max ${Math.max(...rss.map((x) => x.mib)).toFixed(0)} MiB`);
      console.log(`  RSS samples (s: MiB): ${rss.map((x) => `${x.s.toFixed(0)}:${x.mib.toFixed(0)}`).join(' ')}`);
    }
  } finally {
    proc.kill('SIGTERM');
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
