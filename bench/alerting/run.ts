/**
 * Alerting benchmark, side by side with Alertmanager 0.25: (1) alert intake through
 * `POST /api/v2/alerts`, every alert its own group (alerts/s); (2) with those groups still
 * active, new alerts sent at a steady rate and the delay until the first notification for
 * each reaches a local webhook (p50/p99). Ichigen: built CLI, SQLite state, default settings,
 * a default route to a webhook channel. Alertmanager: group_by [alertname, group], group_wait
 * 0s. Not part of `npm test`.
 *
 *   npm run build && npx tsx bench/alerting/run.ts [--groups 10000] [--rate 200] [--probe 400]
 *
 * `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` passes flags to Ichigen's node
 * process (the profile is written when it exits on SIGTERM); `BENCH_THREADS=1` prints the CPU
 * time of each of its threads (main thread vs GC and the thread pool).
 *
 * Besides wall-clock figures it prints each process's CPU-seconds per 1,000 alerts (from
 * /proc): on a shared machine the wall clock measures the neighbours too, CPU time much less.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/support/postgres.js';
import { CLI, waitFor } from '../../test/support/process.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const GROUPS = arg('groups', 10_000);
const RATE = arg('rate', 200);
const PROBE = arg('probe', 400);
const BATCH = 100;
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

/** CPU time (user + system) a process has used so far, in seconds (Linux /proc; 100 ticks/s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Runs a phase and reports the CPU-seconds the given process used in it per 1,000 alerts. */
async function cpuPer1000<T>(pid: number, alerts: number, phase: () => Promise<T>): Promise<{ result: T; cpu: number; client: number }> {
  const c0 = cpuSeconds(pid);
  const b0 = process.cpuUsage();
  const result = await phase();
  const b = process.cpuUsage(b0);
  // This process too (senders and the webhook receiver): it shares the cores with the servers.
  return { result, cpu: ((cpuSeconds(pid) - c0) * 1000) / alerts, client: ((b.user + b.system) / 1e6) * (1000 / alerts) };
}

const firstSeen = new Map<string, number>();
const hook = createServer((req, res) => {
  let raw = '';
  req.on('data', (d: Buffer) => (raw += d.toString()));
  req.on('end', () => {
    const now = performance.now();
    try {
      const body = JSON.parse(raw) as { alerts?: { labels: Record<string, string> }[] };
      for (const a of body.alerts ?? []) {
        const key = `${req.url}|${a.labels.group}`;
        if (!firstSeen.has(key)) firstSeen.set(key, now);
      }
    } catch {
      // not JSON: ignore
    }
    res.writeHead(200).end('ok');
  });
});

function alert(group: string): unknown {
  return { labels: { alertname: 'Bench', group, severity: 'page' }, annotations: { summary: `bench ${group}` }, endsAt: new Date(Date.now() + 3_600_000).toISOString() };
}

/**
 * The senders use node:http with kept-alive connections: fetch cost this process about as much
 * CPU per alert as the servers under test (it shares the 2 cores with them).
 */
const senderAgent = new Agent({ keepAlive: true, maxSockets: 256 });

function post(url: string, headers: Record<string, string>, body: unknown): Promise<void> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: senderAgent, headers: { 'content-type': 'application/json', 'content-length': String(data.length), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${url}: ${res.statusCode} ${text}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function intake(url: string, headers: Record<string, string>, prefix: string): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < GROUPS) {
      const start = next;
      next += BATCH;
      const batch = [];
      for (let i = start; i < Math.min(start + BATCH, GROUPS); i++) batch.push(alert(`${prefix}${i}`));
      await post(url, headers, batch);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return GROUPS / ((performance.now() - t0) / 1000);
}

/** Sends PROBE single-alert requests at RATE/s; a request that fails counts as lost. */
async function latency(url: string, headers: Record<string, string>, hookPath: string, prefix: string): Promise<{ p50: number; p99: number; lost: number }> {
  const sent = new Map<string, number>();
  let failed = 0;
  const gap = 1000 / RATE;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < PROBE; i++) {
    const wait = t0 + i * gap - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const g = `${prefix}${i}`;
    sent.set(`${hookPath}|${g}`, performance.now());
    inflight.push(
      post(url, headers, [alert(g)]).catch(() => {
        failed++;
        sent.delete(`${hookPath}|${g}`);
      }),
    );
  }
  await Promise.all(inflight);
  await waitFor(() => ([...sent.keys()].every((k) => firstSeen.has(k)) ? true : undefined), 'notifications', 60_000).catch(() => undefined);
  const d = [...sent].filter(([k]) => firstSeen.has(k)).map(([k, t]) => firstSeen.get(k)! - t).sort((a, b) => a - b);
  const q = (p: number): number => d[Math.min(d.length - 1, Math.floor(p * d.length))] ?? NaN;
  return { p50: q(0.5), p99: q(0.99), lost: sent.size - d.length + failed };
}

async function main(): Promise<void> {
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-alerting-'));
  const procs: ChildProcess[] = [];
  try {
    const amPort = await freePort();
    writeFileSync(`${dir}/am.yml`, `route:\n  receiver: hook\n  group_by: [alertname, group]\n  group_wait: 0s\n  group_interval: 1m\n  repeat_interval: 4h\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${hookUrl}/am\n`);
    procs.push(spawn('prometheus-alertmanager', [`--config.file=${dir}/am.yml`, `--storage.path=${dir}/am`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=', '--log.level=error'], { stdio: 'ignore' }));
    const amUrl = `http://127.0.0.1:${amPort}`;
    const igPort = await freePort();
    const env = { ...process.env, ICHIGEN_ADMIN_PASSWORD: 'bench-password', ICHIGEN_OTLP_HTTP_LISTEN: '', ICHIGEN_OTLP_GRPC_LISTEN: '', ICHIGEN_LOG_LEVEL: 'error' };
    // The default escalation interval (1s): a new group's first step runs when it opens, not at a tick.
    procs.push(spawn(process.execPath, [...NODE_ARGS, CLI, 'start', '--listen', `127.0.0.1:${igPort}`, '--data-dir', `${dir}/ichigen`], { env, stdio: 'ignore' }));
    const igUrl = `http://127.0.0.1:${igPort}`;
    await waitFor(async () => ((await fetch(`${igUrl}/-/ready`)).ok && (await fetch(`${amUrl}/-/ready`)).ok ? true : undefined), 'both ready', 60_000);
    const auth = { authorization: `Basic ${Buffer.from('admin:bench-password').toString('base64')}` };
    const api = async (p: string, body: unknown): Promise<{ data: { id: string } }> => {
      const r = await fetch(`${igUrl}/api/ichigen/v1${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
      return (await r.json()) as { data: { id: string } };
    };
    const ch = await api('/channels', { name: 'hook', kind: 'webhook', settings: { url: `${hookUrl}/ig`, format: 'alertmanager' } });
    const chain = await api('/escalation-chains', { name: 'bench', steps: [{ type: 'notify_channel', channel: ch.data.id }] });
    await api('/routes', { chain: chain.data.id, isDefault: true });
    // Ichigen's default integration groups by alertname only; make each bench alert its own group.
    const integrations = await api('/integrations', { name: 'bench', kind: 'alertmanager', settings: { groupBy: ['alertname', 'group'] } });
    const token = (integrations.data as unknown as { token: string }).token;
    const igAlerts = `${igUrl}/api/ichigen/v1/integrations/${integrations.data.id}/api/v2/alerts`;
    const igHeaders = { authorization: `Bearer ${token}` };

    const [amPid, igPid] = [procs[0]!.pid!, procs[1]!.pid!];
    const drained = (prefix: string, n: number) => () => ([...firstSeen.keys()].filter((k) => k.startsWith(prefix)).length >= n ? true : undefined);
    // CPU is counted until every group's first notification went out (the work intake caused).
    const am0 = await cpuPer1000(amPid, GROUPS, async () => {
      const rate = await intake(`${amUrl}/api/v2/alerts`, {}, 'a');
      await waitFor(drained('/am|a', GROUPS), 'Alertmanager first wave', 300_000).catch(() => undefined);
      return rate;
    });
    const ig0 = await cpuPer1000(igPid, GROUPS, async () => {
      const rate = await intake(igAlerts, igHeaders, 'a');
      await waitFor(drained('/ig|a', GROUPS), 'Ichigen first wave', 300_000).catch(() => undefined);
      return rate;
    });
    console.log(`intake, ${GROUPS} alerts in batches of ${BATCH}, 4 concurrent senders: Alertmanager ${am0.result.toFixed(0)} alerts/s, Ichigen ${ig0.result.toFixed(0)} alerts/s`);
    console.log(`  CPU-seconds per 1,000 alerts (intake until each group's first notification): Alertmanager ${am0.cpu.toFixed(3)}, Ichigen ${ig0.cpu.toFixed(3)} (this bench process: ${am0.client.toFixed(3)} / ${ig0.client.toFixed(3)})`);
    const am = await cpuPer1000(amPid, PROBE, () => latency(`${amUrl}/api/v2/alerts`, {}, '/am', 'p'));
    const ig = await cpuPer1000(igPid, PROBE, () => latency(igAlerts, igHeaders, '/ig', 'p'));
    console.log(`first notification with ${GROUPS} active groups, ${PROBE} new alerts at ${RATE}/s: Alertmanager p50 ${am.result.p50.toFixed(0)} ms p99 ${am.result.p99.toFixed(0)} ms (lost ${am.result.lost}); Ichigen p50 ${ig.result.p50.toFixed(0)} ms p99 ${ig.result.p99.toFixed(0)} ms (lost ${ig.result.lost})`);
    console.log(`  CPU-seconds per 1,000 alerts (one alert per request): Alertmanager ${am.cpu.toFixed(3)}, Ichigen ${ig.cpu.toFixed(3)} (this bench process: ${am.client.toFixed(3)} / ${ig.client.toFixed(3)})`);
    if (process.env.BENCH_THREADS) {
      const { readdirSync } = await import('node:fs');
      for (const t of readdirSync(`/proc/${igPid}/task`)) {
        const st = readFileSync(`/proc/${igPid}/task/${t}/stat`, 'utf8');
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
        const cpu = (Number(f[11]) + Number(f[12])) / 100;
        if (cpu > 0.05) console.log(`  thread ${t} ${name}: ${cpu.toFixed(2)} s`);
      }
    }
    console.log(`  load average after the run: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  } finally {
    // Wait for the exits (a CPU profile is written on the way out), at most 30 s.
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            const t = setTimeout(() => (p.kill('SIGKILL'), resolve()), 30_000);
            p.once('exit', () => (clearTimeout(t), resolve()));
            p.kill('SIGTERM');
          }),
      ),
    );
    hook.close();
    senderAgent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
