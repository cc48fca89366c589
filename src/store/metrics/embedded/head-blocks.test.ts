import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STALE_NAN_HI, STALE_NAN_LO, labelsFromRecord } from '../../../model/index.js';
import type { SeriesSamples } from '../metric-store.js';
import { EmbeddedMetricStore } from './embedded-store.js';
import type { EmbeddedMetricStoreOptions } from './options.js';
import { testMetricStoreOptions } from '../../../../test/support/embedded-metric-store.js';

const dirs: string[] = [];
const stores: EmbeddedMetricStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(over: Partial<EmbeddedMetricStoreOptions> = {}, dir = mkdtempSync(path.join(tmpdir(), 'ichigen-blocks-'))): Promise<EmbeddedMetricStore> {
  dirs.push(dir);
  const store = new EmbeddedMetricStore(testMetricStoreOptions(dir, { outOfOrderWindowMs: 3_600_000, ...over }));
  await store.open();
  stores.push(store);
  return store;
}

async function read(store: EmbeddedMetricStore, mint: number, maxt: number): Promise<Array<{ labels: string; t: number[]; bits: number[] }>> {
  const out: SeriesSamples[] = [];
  for await (const s of store.querier('default').select([{ name: '__name__', type: '=~', value: 'm.*' }], mint, maxt)) out.push(s);
  return out.map((s) => ({
    labels: JSON.stringify(s.labels),
    t: Array.from(s.timestamps),
    bits: Array.from(new Uint32Array(s.values.buffer, s.values.byteOffset, s.values.length * 2)),
  }));
}

const T0 = 1_700_000_000_000;
const STEP = 15_000;

/** Three series: in order (with a staleness marker), out of order within the window, and fractional values. */
async function load(store: EmbeddedMetricStore, rounds: number, from = 0): Promise<void> {
  for (let r = from; r < from + rounds; r++) {
    const stale = new Float64Array(1);
    const bits = new Uint32Array(stale.buffer);
    bits[0] = STALE_NAN_LO;
    bits[1] = STALE_NAN_HI;
    await store.append('default', {
      series: [
        { labels: labelsFromRecord({ __name__: 'm1', job: 'a' }), timestamps: [T0 + r * STEP], values: r === 7 ? stale : Float64Array.of(r * 2) },
        // Every third round also a late sample 5 steps back (a new timestamp, out of order).
        { labels: labelsFromRecord({ __name__: 'm2', job: 'a' }), timestamps: r % 3 === 0 && r > 5 ? [T0 + r * STEP, T0 + (r - 5) * STEP + 1] : [T0 + r * STEP], values: r % 3 === 0 && r > 5 ? Float64Array.of(r, -r) : Float64Array.of(r) },
        { labels: labelsFromRecord({ __name__: 'm3', job: 'b' }), timestamps: [T0 + r * STEP], values: Float64Array.of(r / 7) },
      ],
    });
  }
}

describe('head blocks', () => {
  it('serves the same samples as a head without blocks, before and after flushes and a restart', async () => {
    const plain = await open();
    const blocked = await open({ headBlockSamples: 20 });
    const ranges: Array<[number, number]> = [
      [T0, T0 + 200 * STEP],
      [T0 + 10 * STEP, T0 + 30 * STEP + 1],
      [T0 + 41 * STEP - 1, T0 + 41 * STEP],
    ];
    const check = async (): Promise<void> => {
      for (const [a, b] of ranges) expect(await read(blocked, a, b)).toEqual(await read(plain, a, b));
    };
    await load(plain, 50);
    await load(blocked, 50);
    expect(blocked.blocks.current.length).toBeGreaterThan(3);
    await check();
    // A crash now (the files copied as they are): the log replays into head blocks again.
    const crashed = mkdtempSync(path.join(tmpdir(), 'ichigen-blocks-'));
    cpSync(blocked.options.dir, crashed, { recursive: true });
    const replayed = await open({ headBlockSamples: 20 }, crashed);
    expect(replayed.blocks.current.length).toBeGreaterThan(3);
    for (const [a, b] of ranges) expect(await read(replayed, a, b)).toEqual(await read(plain, a, b));
    await plain.flush();
    await blocked.flush();
    expect(blocked.blocks.current).toHaveLength(0);
    await check();
    // Blocks again on top of flushed data, then a restart (the log replays into blocks).
    await load(plain, 30, 50);
    await load(blocked, 30, 50);
    expect(blocked.blocks.current.length).toBeGreaterThan(1);
    await check();
    const dir = blocked.options.dir;
    await blocked.close();
    stores.splice(stores.indexOf(blocked), 1);
    const again = await open({ headBlockSamples: 20 }, dir);
    for (const [a, b] of ranges) expect(await read(again, a, b)).toEqual(await read(plain, a, b));
    expect((await read(again, T0, T0 + 200 * STEP))[0]!.t).toHaveLength(80);
  });
});
