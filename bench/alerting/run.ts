/**
 * Alerting benchmark, side by side with Alertmanager 0.25: (1) alert intake through
 * `POST /api/v2/alerts`, every alert its own group (alerts/s); (2) with those groups still
 * active, new alerts sent at a steady rate and the delay until the first notification for
 * each reaches a local webhook (p50/p99). Ichigen: built CLI, SQLite state, a default route
 * to a webhook channel. Alertmanager: group_by [alertname, group], group_wait 0s. Not part
 * of `npm test`.
 *
 *   npm run build && npx tsx bench/alerting/run.ts [--groups 10000] [--rate 200] [--probe 400]
 *
 * `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` passes flags to Ichigen's node
 * process (the profile is written when it exits on SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<void> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${await r.text()}`);
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
    const env = { ...process.env, ICHIGEN_ADMIN_PASSWORD: 'bench-password', ICHIGEN_OTLP_HTTP_LISTEN: '', ICHIGEN_OTLP_GRPC_LISTEN: '', ICHIGEN_LOG_LEVEL: 'error', ICHIGEN_INCIDENTS_ESCALATION_INTERVAL: '100ms' };
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

    const amRate = await intake(`${amUrl}/api/v2/alerts`, {}, 'a');
    const igRate = await intake(igAlerts, igHeaders, 'a');
    console.log(`intake, ${GROUPS} alerts in batches of ${BATCH}, 4 concurrent senders: Alertmanager ${amRate.toFixed(0)} alerts/s, Ichigen ${igRate.toFixed(0)} alerts/s`);
    // Let the first wave of notifications drain before measuring latency.
    await waitFor(() => ([...firstSeen.keys()].filter((k) => k.startsWith('/ig|')).length >= GROUPS ? true : undefined), 'first wave drained', 300_000).catch(() => undefined);
    const am = await latency(`${amUrl}/api/v2/alerts`, {}, '/am', 'p');
    const ig = await latency(igAlerts, igHeaders, '/ig', 'p');
    console.log(`first notification with ${GROUPS} active groups, ${PROBE} new alerts at ${RATE}/s: Alertmanager p50 ${am.p50.toFixed(0)} ms p99 ${am.p99.toFixed(0)} ms (lost ${am.lost}); Ichigen p50 ${ig.p50.toFixed(0)} ms p99 ${ig.p99.toFixed(0)} ms (lost ${ig.lost})`);
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
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
