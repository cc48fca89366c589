import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/postgres.js';
import { runCli, waitReady, type Proc } from './support/process.js';

const PASSWORD = 'traces-durable-pw';
const auth = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

function request(traceIds: string[], spansPerTrace: number): Record<string, unknown> {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'durable' } }] },
        scopeSpans: [
          {
            spans: traceIds.flatMap((traceId) =>
              Array.from({ length: spansPerTrace }, (_x, i) => ({
                traceId,
                spanId: randomBytes(8).toString('hex'),
                name: `op-${i}`,
                kind: 2,
                startTimeUnixNano: String(now + BigInt(i)),
                endTimeUnixNano: String(now + BigInt(i) + 1000n),
                attributes: [{ key: 'i', value: { intValue: String(i) } }],
              })),
            ),
          },
        ],
      },
    ],
  };
}

async function send(base: string, ids: string[], perTrace: number): Promise<void> {
  const r = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(request(ids, perTrace)) });
  expect(r.status).toBe(200);
}

async function spanCount(base: string, id: string): Promise<number> {
  const r = await fetch(`${base}/api/traces/${id}`, { headers: { authorization: auth } });
  if (r.status === 404) return 0;
  const j = (await r.json()) as { batches: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> };
  return j.batches.reduce((n, b) => n + b.scopeSpans.reduce((m, s) => m + s.spans.length, 0), 0);
}

describe('trace store durability (real process, kill -9)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-traces-'));
  let proc: Proc | undefined;
  afterAll(async () => {
    proc?.kill('SIGKILL');
    await proc?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged span across kill -9, from the log and from DuckDB', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { ICHIGEN_ADMIN_PASSWORD: PASSWORD, ICHIGEN_TRACES_FLUSH_INTERVAL: '1s' };
    proc = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], env);
    await waitReady(base);
    // Batch A: flushed into DuckDB (flush every 1s) before the crash.
    const a = Array.from({ length: 20 }, () => randomBytes(16).toString('hex'));
    await send(base, a, 5);
    await new Promise((r) => setTimeout(r, 2500));
    // Batch B: acknowledged, then the process dies at once (only the write-ahead log has it).
    const b = Array.from({ length: 40 }, () => randomBytes(16).toString('hex'));
    await Promise.all(Array.from({ length: 8 }, (_x, k) => send(base, b.slice(k * 5, k * 5 + 5), 10)));
    proc.kill('SIGKILL');
    await proc.exited;

    proc = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], env);
    await waitReady(base);
    for (const id of a) expect(await spanCount(base, id)).toBe(5);
    for (const id of b) expect(await spanCount(base, id)).toBe(10);
    // And the same after those replayed spans were flushed again (no duplicates).
    await new Promise((r) => setTimeout(r, 2500));
    for (const id of b.slice(0, 5)) expect(await spanCount(base, id)).toBe(10);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    proc = undefined;
  });
});
