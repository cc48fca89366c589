import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { pinoLoki } from 'pino-loki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeProtobufPush } from '../src/receive/loki-push/index.js';
import { freePort } from './support/postgres.js';
import { runCli, waitFor, waitReady } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

async function lines(fetcher: (p: string) => Promise<Response>, selector: string): Promise<string[]> {
  const end = nowNs() + 1_000_000_000n;
  const res = await fetcher(`/loki/api/v1/query_range?query=${encodeURIComponent(selector)}&start=${end - 600_000_000_000n}&end=${end}&limit=1000`);
  const body = (await res.json()) as { data: { result: Array<{ values: string[][] }> } };
  return body.data.result.flatMap((s) => s.values.map((v) => v[1]!));
}

describe('logs: real clients', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('receives what pino-loki pushes', async () => {
    const stream = pinoLoki({ host: ts.url, headers: { authorization: `Bearer ${ts.adminToken}` }, labels: { app: 'pino-test' }, batching: false, silenceErrors: false });
    const log = pino({ level: 'info' }, stream);
    log.info({ order: 42 }, 'order placed');
    log.error('payment failed');
    const got = await waitFor(async () => {
      const l = await lines(ts.fetch, '{app="pino-test"}');
      return l.length >= 2 ? l : undefined;
    }, 'pino-loki lines');
    expect(got.some((l) => l.includes('order placed'))).toBe(true);
    expect(got.some((l) => l.includes('payment failed'))).toBe(true);
    stream.end();
  });

  it('streams a line pushed after a live tail opened', async () => {
    const wsUrl = ts.url.replace('http', 'ws') + `/loki/api/v1/tail?query=${encodeURIComponent('{app="tailed"} |= "live"')}`;
    const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${ts.adminToken}` } });
    const received: string[] = [];
    ws.on('message', (m) => {
      const msg = JSON.parse(String(m)) as { streams: Array<{ values: string[][] }> };
      for (const s of msg.streams) for (const v of s.values) received.push(v[1]!);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const body = encodeProtobufPush({ streams: [{ labels: [{ name: 'app', value: 'tailed' }], entries: [{ tsNs: nowNs(), line: 'a live line', metadata: [] }, { tsNs: nowNs() + 1n, line: 'filtered out', metadata: [] }] }] });
    const res = await ts.fetch('/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    expect(res.status).toBe(204);
    await waitFor(() => (received.length > 0 ? true : undefined), 'tailed line', 10_000);
    expect(received).toEqual(['a live line']);
    ws.close();
  });

  it('refuses a tail without credentials', async () => {
    const ws = new WebSocket(ts.url.replace('http', 'ws') + '/loki/api/v1/tail?query=' + encodeURIComponent('{app="x"}'));
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(401);
  });
});

describe('logs: durability', () => {
  it('keeps every acknowledged line after kill -9', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-logs-kill-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { ICHIGEN_ADMIN_PASSWORD: 'kill-test-password' };
    const auth = `Basic ${Buffer.from('admin:kill-test-password').toString('base64')}`;
    const p = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], env);
    await waitReady(base);
    const t0 = nowNs();
    const acked: string[] = [];
    // Concurrent pushes (group commit), then SIGKILL right after the last acknowledgement.
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const values = Array.from({ length: 50 }, (_, j) => [String(t0 + BigInt(i * 1000 + j)), `line ${i}-${j}`]);
        const r = await fetch(`${base}/loki/api/v1/push`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { app: 'durable', worker: String(i % 4) }, values }] }) });
        if (r.status === 204) for (const v of values) acked.push(v[1]!);
      }),
    );
    p.kill('SIGKILL');
    await p.exited;
    expect(acked.length).toBe(1000);
    const again = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], env);
    await waitReady(base);
    const got = await lines((q) => fetch(base + q, { headers: { authorization: auth } }), '{app="durable"}');
    expect(new Set(got)).toEqual(new Set(acked));
    again.kill('SIGTERM');
    await again.exited;
    rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
