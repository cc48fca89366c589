/**
 * Logs benchmark: push throughput (200-byte and 1 KB JSON lines over 1,000 streams, Loki
 * JSON push, 8 concurrent senders) into a real Ichigen process, then the scan speed of
 * `|= "needle"` and `| json | status >= 500` next to `grep -c` and `jq` over the same raw
 * lines written to a file. Not part of `npm test`.
 *
 *   npx tsx bench/logs/run.ts [--lines 200000] [--size 200]
 */
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/support/postgres.js';
import { runCli, waitReady } from '../../test/support/process.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const LINES = arg('lines', 200_000);
const SIZE = arg('size', 200);
const STREAMS = 1000;
const BATCH = 2000;
const SENDERS = 8;

function line(i: number): string {
  const status = i % 50 === 0 ? 503 : 200;
  const needle = i % 1000 === 7 ? ' needle' : '';
  const base = JSON.stringify({ ts: i, level: status >= 500 ? 'error' : 'info', status, path: `/api/v1/items/${i % 977}`, msg: `request served${needle}`, pad: '' });
  return base.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, SIZE - base.length))}"`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-bench-logs-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ICHIGEN_ADMIN_PASSWORD: 'bench-password-123', ICHIGEN_LOGS_INGESTION_RATE: '10GiB', ICHIGEN_LOGS_INGESTION_BURST: '10GiB' };
  const auth = `Basic ${Buffer.from('admin:bench-password-123').toString('base64')}`;
  let proc = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(dir, 'data')], env);
  try {
    await waitReady(base);
    const t0 = BigInt(Date.now() - 3_600_000) * 1_000_000n;
    const all = Array.from({ length: LINES }, (_, i) => line(i));
    writeFileSync(path.join(dir, 'raw.log'), all.join('\n') + '\n');
    const bodies: string[] = [];
    for (let off = 0; off < LINES; off += BATCH) {
      const byStream = new Map<number, Array<[string, string]>>();
      for (let i = off; i < Math.min(LINES, off + BATCH); i++) {
        const s = i % STREAMS;
        let v = byStream.get(s);
        if (!v) byStream.set(s, (v = []));
        v.push([String(t0 + BigInt(i) * 1000n), all[i]!]);
      }
      bodies.push(JSON.stringify({ streams: [...byStream].map(([s, values]) => ({ stream: { app: 'bench', shard: String(s) }, values })) }));
    }
    const bytes = all.reduce((a, l) => a + l.length, 0);
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const r = await fetch(`${base}/loki/api/v1/push`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body });
          if (r.status !== 204) throw new Error(`push ${r.status} ${await r.text()}`);
        }
      }),
    );
    const pushSec = (performance.now() - start) / 1000;
    console.log(`push: ${LINES} lines of ${SIZE} B, ${STREAMS} streams: ${(LINES / pushSec).toFixed(0)} lines/s, ${(bytes / pushSec / 1e6).toFixed(1)} MB/s (${pushSec.toFixed(2)} s)`);
    const q = async (query: string): Promise<{ v: string; ms: number }> => {
      const s = performance.now();
      const r = await fetch(`${base}/loki/api/v1/query?query=${encodeURIComponent(query)}&time=${Date.now() / 1000}`, { headers: { authorization: auth } });
      const j = (await r.json()) as { data: { result: Array<{ value: [number, string] }> } };
      return { v: j.data.result[0]?.value[1] ?? '0', ms: performance.now() - s };
    };
    const time = (f: () => string): { v: string; ms: number } => {
      const s = performance.now();
      const v = f().trim();
      return { v, ms: performance.now() - s };
    };
    const raw = path.join(dir, 'raw.log');
    for (const round of ['head (before flush)', 'after restart (DuckDB)']) {
      const needle = await q('sum(count_over_time({app="bench"} |= "needle" [2h]))');
      const json = await q('sum(count_over_time({app="bench"} | json | status >= 500 [2h]))');
      console.log(`${round}: |= "needle" ${needle.v} in ${needle.ms.toFixed(0)} ms; | json | status >= 500 ${json.v} in ${json.ms.toFixed(0)} ms`);
      if (round.startsWith('head')) {
        proc.kill('SIGTERM');
        await proc.exited;
        const again = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(dir, 'data')], env);
        proc = again;
        await waitReady(base);
      }
    }
    const grep = time(() => execFileSync('grep', ['-c', 'needle', raw], { encoding: 'utf8' }));
    const jq = time(() => execSync(`jq -c 'select(.status >= 500)' ${raw} | wc -l`, { encoding: 'utf8' }));
    console.log(`grep -c needle: ${grep.v} in ${grep.ms.toFixed(0)} ms; jq select(.status >= 500): ${jq.v} in ${jq.ms.toFixed(0)} ms (raw file ${(bytes / 1e6).toFixed(1)} MB)`);
  } finally {
    proc.kill('SIGTERM');
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
