import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../src/model/index.js';
import { encodeWriteRequest } from '../src/receive/remote-write/index.js';
import { EmbeddedMetricStore } from '../src/store/index.js';
import { freePort } from './support/postgres.js';
import { runCli, waitReady, type Proc } from './support/process.js';
import { testMetricStoreOptions } from './support/embedded-metric-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-crash-'));
const procs: Proc[] = [];
afterAll(() => {
  for (const p of procs) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('metric durability', () => {
  it('every acknowledged sample and exemplar survives kill -9 right after the 2xx', async () => {
    const tok = runCli(['token', 'create', '--name', 'crash', '--scopes', 'ingest,read', '--data-dir', dir]);
    expect(await tok.exited).toBe(0);
    const token = tok.stdout().trim();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // A short flush interval, so the kill lands with data both in DuckDB and only in the log.
    const env = { ICHIGEN_METRICS_FLUSH_INTERVAL: '300ms', ICHIGEN_ADMIN_PASSWORD: 'x-crash-test' };
    const p = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], env);
    procs.push(p);
    await waitReady(base);

    const t0 = Date.now() - 3_600_000;
    const acked = new Map<string, number[]>(); // series name -> acknowledged timestamps
    const ackedExemplars = new Set<string>(); // trace ids of acknowledged exemplars
    let killed = false;
    const writer = async (w: number): Promise<void> => {
      for (let r = 0; !killed && r < 10_000; r++) {
        const ts = [t0 + r * 1000, t0 + r * 1000 + 500];
        const series = Array.from({ length: 20 }, (_, i) => ({
          labels: labelsFromRecord({ __name__: 'crash_test', writer: String(w), i: String(i) }),
          timestamps: ts,
          values: Float64Array.from(ts, (t) => t / 1000 + i),
          // One exemplar per request on series i=0: the trace id names the request.
          exemplars: i === 0 ? [{ labels: { trace_id: `${w}-${r}` }, value: r, timestamp: ts[1]! }] : [],
        }));
        try {
          const res = await fetch(`${base}/api/v1/write`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
            body: encodeWriteRequest(series),
          });
          if (res.status !== 204) throw new Error(`write answered ${res.status}: ${await res.text()}`);
          ackedExemplars.add(`${w}-${r}`);
          for (let i = 0; i < 20; i++) {
            const key = `${w}/${i}`;
            const list = acked.get(key) ?? [];
            list.push(...ts);
            acked.set(key, list);
          }
        } catch (e) {
          if (killed) return;
          throw e;
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    await new Promise((r) => setTimeout(r, 1500));
    p.kill('SIGKILL');
    killed = true;
    expect(await p.exited).toBe('SIGKILL');
    await Promise.all(writers);
    const total = [...acked.values()].reduce((a, l) => a + l.length, 0);
    expect(total).toBeGreaterThan(1000);

    // Restart as a real process (log replay), then stop it cleanly and read the files back.
    const again = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], env);
    procs.push(again);
    await waitReady(base);
    // Exemplars come back through the API of the restarted process (replayed from the log and DuckDB).
    const exRes = await fetch(`${base}/api/v1/query_exemplars?query=crash_test&start=0&end=${Date.now() / 1000}`, { headers: { authorization: `Bearer ${token}` } });
    expect(exRes.status).toBe(200);
    const exBody = (await exRes.json()) as { data: Array<{ exemplars: Array<{ labels: { trace_id: string } }> }> };
    const served = new Set(exBody.data.flatMap((d) => d.exemplars.map((e) => e.labels.trace_id)));
    for (const id of ackedExemplars) expect(served.has(id), `exemplar ${id} after kill -9`).toBe(true);
    again.kill('SIGTERM');
    expect(await again.exited).toBe(0);

    const store = new EmbeddedMetricStore(testMetricStoreOptions(path.join(dir, 'metrics'), { maxHeadSamples: 10_000_000 }));
    await store.open();
    try {
      let found = 0;
      for await (const s of store.querier('default').select([{ name: '__name__', type: '=', value: 'crash_test' }], 0, 8e15)) {
        const w = s.labels.find((l) => l.name === 'writer')!.value;
        const i = s.labels.find((l) => l.name === 'i')!.value;
        const want = acked.get(`${w}/${i}`) ?? [];
        const have = new Set(s.timestamps);
        for (const t of want) expect(have.has(t), `series ${w}/${i} sample ${t}`).toBe(true);
        for (let k = 0; k < s.timestamps.length; k++) expect(s.values[k]).toBe(s.timestamps[k]! / 1000 + Number(i));
        found += want.length;
      }
      expect(found).toBe(total);
      // After the clean stop everything is in DuckDB: the exemplars are read from there.
      const stored = await store.querier('default').exemplars([{ name: '__name__', type: '=', value: 'crash_test' }], 0, 8e15);
      const ids = stored.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ackedExemplars) expect(ids.includes(id), `exemplar ${id} in DuckDB`).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});
