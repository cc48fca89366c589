/**
 * Trigger-to-first-output latency of an agent runbook: an event is POSTed to Ichigen's events
 * API, an automation rule matches it, the run starts, the step goes to a real `ichigen agent`
 * process, which runs `date +%s%N` (its first output is the moment the command started).
 * Measured per event, from just before the POST:
 *   - trigger → start: the time the command printed (same machine, same clock);
 *   - trigger → first output: when the server received the command's first output
 *     (`firstOutputAt` of the step, server clock).
 * Events are sent one at a time at a steady rate (not a throughput test). With `--replicas`,
 * two servers share a real PostgreSQL, the agent connects to B and events go to A, so every
 * step takes the cross-replica path (job row + NOTIFY). Built CLI as separate processes.
 * No side-by-side peer: EventBridge → Lambda → SSM does not run here. Not part of `npm test`.
 *
 *   npm run build && npx tsx bench/automation/latency.ts [--events 300] [--interval 100] [--replicas]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, freePort, startPostgres, type TestPostgres } from '../../test/support/postgres.js';
import { CLI, waitFor } from '../../test/support/process.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const EVENTS = arg('events', 300);
const INTERVAL = arg('interval', 100);
const WARMUP = 20;
const REPLICAS = process.argv.includes('--replicas');

const PASSWORD = 'bench-password';
const auth = { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` };
const nowMs = (): number => performance.timeOrigin + performance.now();

async function api<T>(base: string, p: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const r = await fetch(`${base}/api/ichigen/v1${p}`, { method, headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return (JSON.parse(text) as { data: T }).data;
}

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

const procs: ChildProcess[] = [];
let pg: TestPostgres | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-bench-automation-'));

async function startIchigen(name: string, stateUrl: string): Promise<string> {
  const port = await freePort();
  const env = { ...process.env, ICHIGEN_ADMIN_PASSWORD: PASSWORD, ICHIGEN_OTLP_HTTP_LISTEN: '', ICHIGEN_OTLP_GRPC_LISTEN: '', ICHIGEN_LOG_LEVEL: 'error', ICHIGEN_STATE_URL: stateUrl, ICHIGEN_METRICS_SELF_SCRAPE_INTERVAL: '0' };
  procs.push(spawn(process.execPath, [CLI, 'start', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(dir, name)], { env, stdio: 'ignore' }));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => ((await fetch(`${url}/-/ready`)).status === 200 ? true : undefined), `${name} ready`, 60_000);
  return url;
}

async function main(): Promise<void> {
  let stateUrl = '';
  if (REPLICAS) {
    pg = await startPostgres();
    stateUrl = await createDatabase(pg.url, 'bench');
  }
  const a = await startIchigen('a', stateUrl);
  const b = REPLICAS ? await startIchigen('b', stateUrl) : a;
  const { secret } = await api<{ secret: string }>(a, '/agents/tokens', { name: 'bench-agent' });
  procs.push(spawn(process.execPath, [CLI, 'agent', '--server', b, '--name', 'bench-agent', '--label', 'role=bench', '--concurrency', '4'], { env: { ...process.env, ICHIGEN_AGENT_TOKEN: secret }, stdio: 'ignore' }));
  await waitFor(async () => ((await api<unknown[]>(a, '/agents')).length > 0 ? true : undefined), 'the agent', 30_000);
  await api(a, '/runbooks/latency', { steps: [{ name: 'start', action: 'agent.command', with: { targets: { labels: { role: 'bench' } }, command: ['date', '+%s%N'] } }] }, 'PUT');
  await api(a, '/automation/rules/latency', { pattern: { source: ['bench.latency'] }, runbook: 'latency' }, 'PUT');
  if (REPLICAS) await new Promise((r) => setTimeout(r, 6000)); // B has the rule (its poll is 5 s at worst)

  const sent = new Map<string, number>();
  for (let i = 0; i < WARMUP + EVENTS; i++) {
    const id = `lat-${i}`;
    const t0 = nowMs();
    await api(a, '/events', { entries: [{ id, source: 'bench.latency', detailType: 'Latency Probe' }] });
    if (i >= WARMUP) sent.set(id, t0);
    const wait = t0 + INTERVAL - nowMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  type Run = { id: string; status: string; trigger: { eventId?: string }; steps: Array<{ output: string; result: { firstOutputAt?: number } }> };
  const runs = await waitFor(async () => {
    const list = await api<Run[]>(a, '/runs?runbook=latency&limit=500');
    return list.length >= WARMUP + EVENTS && list.every((r) => r.status !== 'running') ? list : undefined;
  }, 'every run', 120_000);
  const toStart: number[] = [];
  const toOutput: number[] = [];
  let failed = 0;
  for (const r of runs) {
    const t0 = sent.get(r.trigger.eventId ?? '');
    if (t0 === undefined) continue;
    const full = await api<Run>(a, `/runs/${r.id}`);
    const ns = full.steps[0]?.output.trim() ?? '';
    if (full.status !== 'succeeded' || !/^\d+$/.test(ns)) {
      failed++;
      continue;
    }
    toStart.push(Number(BigInt(ns) / 1000n) / 1000 - t0);
    toOutput.push(full.steps[0]!.result.firstOutputAt! - t0);
  }
  const f = (x: number): number => +x.toFixed(1);
  console.log(JSON.stringify({
    mode: REPLICAS ? 'two replicas (PostgreSQL), agent on B, events to A' : 'one server (SQLite)',
    events: toStart.length,
    failed,
    intervalMs: INTERVAL,
    triggerToStartMs: { p50: f(pct(toStart, 0.5)), p99: f(pct(toStart, 0.99)), max: f(Math.max(...toStart)) },
    triggerToFirstOutputMs: { p50: f(pct(toOutput, 0.5)), p99: f(pct(toOutput, 0.99)), max: f(Math.max(...toOutput)) },
  }));
}

try {
  await main();
} finally {
  for (const p of procs.reverse()) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(undefined) : p.once('exit', r)))));
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
}
