import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/postgres.js';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

// With a remote metric backend, query/query_range go to the backend's own query API and
// its answers come back unchanged (here a real Prometheus 2.42).
let dir: string;
let prom: ChildProcess;
let promUrl: string;
let ts: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ichigen-promfwd-'));
  writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prom = spawn('prometheus', [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/tsdb`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=error'], { stdio: 'ignore' });
  await waitFor(async () => ((await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 'prometheus ready');
  ts = await startTestServer({ config: { metrics: { backend: 'remote', remote_write_url: `${promUrl}/api/v1/write`, remote_query_url: promUrl } } });
}, 120_000);

afterAll(async () => {
  await ts?.stop();
  await new Promise<void>((resolve) => {
    prom.once('exit', () => resolve());
    prom.kill('SIGTERM');
  });
  rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus query API with a remote backend', () => {
  it('forwards queries to the backend and returns its answers unchanged', async () => {
    const q = `/api/v1/query?query=${encodeURIComponent('vector(1) + 1')}&time=1700000000`;
    const [mine, theirs] = await Promise.all([ts.fetch(q).then((r) => r.text()), fetch(promUrl + q).then((r) => r.text())]);
    expect(mine).toBe(theirs);
    const r = `/api/v1/query_range?query=${encodeURIComponent('time()')}&start=1700000000&end=1700000060&step=30`;
    expect(await (await ts.fetch(r, { method: 'POST' })).text()).toBe(await (await fetch(promUrl + r)).text());
  });

  it("passes the backend's own errors through", async () => {
    const res = await ts.fetch(`/api/v1/query?query=${encodeURIComponent('foo{')}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unexpected end of input inside braces' });
  });
});
