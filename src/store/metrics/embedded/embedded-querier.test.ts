import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../../model/index.js';
import { EmbeddedMetricStore } from './embedded-store.js';
import { testMetricStoreOptions } from '../../../../test/support/embedded-metric-store.js';

const dirs: string[] = [];
const stores: EmbeddedMetricStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000;

describe('embedded querier', () => {
  it('decodes batches into shared memory only for callers that ask (hints.reuse), with the same answers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-querier-'));
    dirs.push(dir);
    const store = new EmbeddedMetricStore(testMetricStoreOptions(dir, { maxHeadSamples: 10_000_000 }));
    await store.open();
    stores.push(store);
    // 2,500 series (three DuckDB reads, ten decoded batches), part in chunks, part in the head; some series only in the head.
    const series = (from: number, n: number, only?: (i: number) => boolean) => ({
      series: Array.from({ length: 2500 }, (_, i) => i)
        .filter((i) => only?.(i) ?? true)
        .map((i) => ({
          labels: labelsFromRecord({ __name__: 'm', i: String(i) }),
          timestamps: Float64Array.from({ length: n }, (_, k) => T0 + (from + k) * 15_000),
          values: Float64Array.from({ length: n }, (_, k) => i * 1000 + from + k + (i % 3 === 0 ? 0.5 : 0)),
        })),
    });
    await store.append('default', series(0, 200, (i) => i % 7 !== 0));
    await store.flush();
    await store.append('default', series(200, 30));
    const q = store.querier('default');
    const matchers = [{ name: '__name__', type: '=' as const, value: 'm' }];
    // A range cutting through the head, and one holding all of it (no walk to count it).
    for (const [mint, maxt, inHead] of [
      [T0 + 100 * 15_000, T0 + 220 * 15_000, 21],
      [T0 + 150 * 15_000, T0 + 300 * 15_000, 30],
    ] as const) {
      const plain: Array<[string, number[], number[]]> = [];
      for await (const s of q.select(matchers, mint, maxt)) plain.push([JSON.stringify(s.labels), Array.from(s.timestamps), Array.from(s.values)]);
      const reused: Array<[string, number[], number[]]> = [];
      const buffers = new Set<ArrayBufferLike>();
      let batches = 0;
      for await (const batch of q.selectBatches!(matchers, mint, maxt, { start: mint, end: maxt, reuse: true })) {
        batches++;
        for (const s of batch) {
          buffers.add(s.timestamps.buffer);
          reused.push([JSON.stringify(s.labels), Array.from(s.timestamps), Array.from(s.values)]);
        }
      }
      expect(batches).toBe(10);
      expect(plain).toHaveLength(2500);
      expect(reused).toEqual(plain);
      // Every batch is decoded into the same few buffers (chunks and head snapshots), not two per series.
      expect(buffers.size).toBeLessThan(10);
      const of = (i: number) => plain.find(([l]) => l === JSON.stringify(labelsFromRecord({ __name__: 'm', i: String(i) })))!;
      expect(of(1)[1]).toHaveLength((Math.min(maxt, T0 + 229 * 15_000) - mint) / 15_000 + 1);
      expect(of(1)[2][0]).toBe(1000 + (mint - T0) / 15_000);
      expect(of(7)[1]).toHaveLength(inHead);
    }
  });
});
