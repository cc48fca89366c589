import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STALE_NAN_HI, STALE_NAN_LO, labelsFromRecord } from '../../../model/index.js';
import type { SeriesSamples } from '../metric-store.js';
import { EmbeddedMetricStore } from './embedded-store.js';
import { RECENT_CHUNKS_MS } from './mem-series.js';
import type { EmbeddedMetricStoreOptions } from './options.js';
import { testMetricStoreOptions } from '../../../../test/support/embedded-metric-store.js';

const dirs: string[] = [];
const stores: EmbeddedMetricStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(dir: string, over: Partial<EmbeddedMetricStoreOptions> = {}): Promise<EmbeddedMetricStore> {
  const store = new EmbeddedMetricStore(testMetricStoreOptions(dir, over));
  await store.open();
  stores.push(store);
  return store;
}

async function read(store: EmbeddedMetricStore, mint: number, maxt: number): Promise<Array<{ t: number[]; bits: number[] }>> {
  const out: SeriesSamples[] = [];
  for await (const s of store.querier('default').select([{ name: '__name__', type: '=', value: 'm' }], mint, maxt)) out.push(s);
  return out.map((s) => ({ t: Array.from(s.timestamps), bits: Array.from(new Uint32Array(s.values.buffer, s.values.byteOffset, s.values.length * 2)) }));
}

const T0 = 1_700_000_000_000;
const STEP = 15_000;

/** Appends `hours` of one series at STEP in 10-minute batches, flushing after each. */
async function fill(store: EmbeddedMetricStore, hours: number): Promise<number> {
  const n = (hours * 3600_000) / STEP;
  for (let from = 0; from < n; from += 40) {
    const ts = Float64Array.from({ length: 40 }, (_, i) => T0 + (from + i) * STEP);
    const values = Float64Array.from({ length: 40 }, (_, i) => from + i);
    await store.append('default', { series: [{ labels: labelsFromRecord({ __name__: 'm', job: 'a' }), timestamps: ts, values }] });
    await store.flush();
  }
  return T0 + (n - 1) * STEP;
}

describe('recent chunks in memory', () => {
  it('serves recent ranges from the chunks flushes wrote, as DuckDB would, and DuckDB again past the window or after a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-recent-'));
    dirs.push(dir);
    const store = await open(dir);
    // 5 hours in 10-minute appends with a flush after each, one staleness marker, one late sample.
    const n = (5 * 3600_000) / STEP;
    for (let from = 0; from < n; from += 40) {
      const ts: number[] = [];
      const values = new Float64Array(40);
      const bits = new Uint32Array(values.buffer);
      for (let i = 0; i < 40; i++) {
        ts.push(T0 + (from + i) * STEP);
        values[i] = (from + i) * 1.5;
        if (from + i === 700) {
          bits[i * 2] = STALE_NAN_LO;
          bits[i * 2 + 1] = STALE_NAN_HI;
        }
      }
      await store.append('default', { series: [{ labels: labelsFromRecord({ __name__: 'm', job: 'a' }), timestamps: Float64Array.from(ts), values }] });
      await store.flush();
    }
    const end = T0 + (n - 1) * STEP;
    const inMemory = [await read(store, end - 300_000, end), await read(store, end - 2 * 3600_000, end), await read(store, T0, end)];
    const reads = { count: 0 };
    const querier = store.querier('default') as unknown as { readChunks: (...a: unknown[]) => Promise<unknown> };
    const proto = Object.getPrototypeOf(querier) as { readChunks: (...a: unknown[]) => Promise<unknown> };
    const orig = proto.readChunks;
    proto.readChunks = function (this: unknown, ...a: unknown[]) {
      if ((a[0] as unknown[]).length > 0) reads.count++;
      return orig.apply(this, a);
    };
    try {
      // Within the window: memory only. Past it: DuckDB.
      await read(store, end - RECENT_CHUNKS_MS + 3600_000, end);
      await read(store, end - 2 * 3600_000, end);
      expect(reads.count).toBe(0);
      await read(store, T0, end);
      expect(reads.count).toBe(1);
    } finally {
      proto.readChunks = orig;
    }
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await open(dir);
    expect([await read(again, end - 300_000, end), await read(again, end - 2 * 3600_000, end), await read(again, T0, end)]).toEqual(inMemory);
    expect(inMemory[0]![0]!.t).toHaveLength(21);
    expect(inMemory[2]![0]!.t).toHaveLength(n);
  });

  it('merges the small chunks of frequent flushes in memory (fewer chunks) and still serves what DuckDB holds', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-recent-'));
    dirs.push(dir);
    const store = await open(dir);
    // 400 flushes of one to three samples each, integer and fractional values, one late sample.
    let t = T0;
    const labels = labelsFromRecord({ __name__: 'm', job: 'a' });
    for (let f = 0; f < 400; f++) {
      const k = 1 + (f % 3);
      const ts = Float64Array.from({ length: k }, (_, i) => t + i * STEP);
      const values = Float64Array.from({ length: k }, (_, i) => (f % 50 === 0 ? (f + i) / 7 : f * 3 + i));
      t += k * STEP;
      await store.append('default', { series: [{ labels, timestamps: ts, values }] });
      if (f === 390) await store.append('default', { series: [{ labels, timestamps: [t - 20 * STEP + 1], values: Float64Array.of(-1) }] });
      await store.flush();
    }
    const end = t - STEP;
    const ms = [...store.byId.values()][0]!;
    // 400 flushes wrote 401 chunks; memory holds them as far fewer, merged ones.
    expect(ms.recent.length).toBeLessThan(60);
    const ranges: Array<[number, number]> = [
      [end - 300_000, end],
      [end - 2 * 3600_000, end],
      [T0, end],
      [T0 + 1000 * STEP + 1, T0 + 1100 * STEP],
    ];
    const inMemory = [];
    for (const [a, b] of ranges) inMemory.push(await read(store, a, b));
    expect(inMemory[2]![0]!.t).toHaveLength(800);
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await open(dir);
    const fromDisk = [];
    for (const [a, b] of ranges) fromDisk.push(await read(again, a, b));
    expect(fromDisk).toEqual(inMemory);
  });

  it('retention drops the recent chunks it deletes from DuckDB, and memory then serves only what DuckDB still holds', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-recent-'));
    dirs.push(dir);
    let now = T0;
    const store = await open(dir, { retentionMs: 3600_000, now: () => now });
    const end = await fill(store, 2);
    const before = await read(store, end - 3600_000, end);
    // Cutoff one hour before now: chunks ending earlier go from DuckDB and from memory.
    now = end + 1800_000;
    const cutoff = now - 3600_000;
    await store.enforceRetention();
    const ms = [...store.byId.values()][0]!;
    expect(ms.recent.length).toBeGreaterThan(0);
    for (const c of ms.recent) expect(c.maxT).toBeGreaterThanOrEqual(cutoff);
    expect(ms.memFrom).toBeGreaterThanOrEqual(cutoff);
    // A read from before the cutoff goes to DuckDB, one after it to memory; both agree with a restart.
    const afterRetention = [await read(store, T0, end), await read(store, cutoff, end)];
    const first = afterRetention[0]![0]!.t[0]!;
    expect(first).toBeLessThanOrEqual(cutoff);
    expect(first).toBeGreaterThan(T0);
    expect(afterRetention[1]).toEqual([{ t: before[0]!.t.filter((t) => t >= cutoff), bits: before[0]!.bits.slice(-2 * before[0]!.t.filter((t) => t >= cutoff).length) }]);
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await open(dir, { retentionMs: 3600_000, now: () => now });
    expect([await read(again, T0, end), await read(again, cutoff, end)]).toEqual(afterRetention);
  });
});
