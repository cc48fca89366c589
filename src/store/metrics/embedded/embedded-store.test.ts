import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { STALE_NAN_HI, STALE_NAN_LO, isStaleAt, labelsFromRecord, type Labels } from '../../../model/index.js';
import type { SeriesSamples } from '../metric-store.js';
import { Wal } from '../../wal/index.js';
import { EmbeddedMetricStore } from './embedded-store.js';
import { encodeSamplesRecord } from './wal-record.js';
import { DEFAULT_LIMITS, type EmbeddedMetricStoreOptions } from './options.js';
import { testMetricStoreOptions } from '../../../../test/support/embedded-metric-store.js';

const dirs: string[] = [];
const stores: EmbeddedMetricStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(over: Partial<EmbeddedMetricStoreOptions> = {}, dir?: string): Promise<{ store: EmbeddedMetricStore; dir: string }> {
  const d = dir ?? mkdtempSync(path.join(tmpdir(), 'ichigen-ms-'));
  if (!dir) dirs.push(d);
  const store = new EmbeddedMetricStore(testMetricStoreOptions(d, over));
  await store.open();
  stores.push(store);
  return { store, dir: d };
}

function series(rec: Record<string, string>, ts: number[], vs: number[]): { labels: Labels; timestamps: Float64Array; values: Float64Array } {
  return { labels: labelsFromRecord(rec), timestamps: Float64Array.from(ts), values: Float64Array.from(vs) };
}

async function collect(it: AsyncIterable<SeriesSamples>): Promise<SeriesSamples[]> {
  const out: SeriesSamples[] = [];
  for await (const s of it) out.push(s);
  return out;
}

const T0 = 1_700_000_000_000;

describe('embedded metric store', () => {
  it('selects by every matcher type across head and flushed chunks, and survives a restart', async () => {
    const { store, dir } = await open();
    const jobs = ['api', 'db', 'web'];
    for (let k = 0; k < 3; k++) {
      await store.append('default', {
        series: jobs.map((job, j) => series({ __name__: 'up', job, instance: `h${j}` }, [T0 + k * 15_000], [k + j])),
        metadata: [{ metric: 'up', type: 'gauge', help: 'target up', unit: '' }],
      });
      if (k === 1) await store.flush();
    }
    const q = store.querier('default');
    const all = await collect(q.select([{ name: '__name__', type: '=', value: 'up' }], T0, T0 + 60_000));
    expect(all.map((s) => s.labels.find((l) => l.name === 'job')!.value)).toEqual(jobs);
    expect(Array.from(all[1]!.values)).toEqual([1, 2, 3]);
    expect(Array.from(all[1]!.timestamps)).toEqual([T0, T0 + 15_000, T0 + 30_000]);
    const re = await collect(q.select([{ name: '__name__', type: '=', value: 'up' }, { name: 'job', type: '=~', value: 'a.*|w.b' }], T0, T0 + 60_000));
    expect(re.length).toBe(2);
    const ne = await collect(q.select([{ name: '__name__', type: '=', value: 'up' }, { name: 'job', type: '!=', value: 'db' }, { name: 'instance', type: '!~', value: 'h2' }], T0, T0 + 60_000));
    expect(ne.map((s) => s.labels.find((l) => l.name === 'job')!.value)).toEqual(['api']);
    const clipped = await collect(q.select([{ name: 'job', type: '=', value: 'db' }], T0 + 10_000, T0 + 20_000));
    expect(Array.from(clipped[0]!.timestamps)).toEqual([T0 + 15_000]);
    expect(await collect(q.select([{ name: 'job', type: '=', value: 'nope' }], T0, T0 + 60_000))).toEqual([]);
    expect(await store.querier('other').series({ selectors: [], start: T0, end: T0 + 60_000 })).toEqual([]);
    expect(await q.labelValues('job', { selectors: [], start: T0, end: T0 + 60_000 })).toEqual(jobs);
    expect(await q.labelNames({ selectors: [[{ name: 'job', type: '=', value: 'db' }]], start: T0, end: T0 + 60_000 })).toEqual(['__name__', 'instance', 'job']);
    expect(await store.metadata('default')).toEqual({ up: [{ metric: 'up', type: 'gauge', help: 'target up', unit: '' }] });

    await store.close();
    stores.length = 0;
    const again = (await open({}, dir)).store;
    const after = await collect(again.querier('default').select([{ name: '__name__', type: '=', value: 'up' }], T0, T0 + 60_000));
    expect(after.map((s) => Array.from(s.values))).toEqual([[0, 1, 2], [1, 2, 3], [2, 3, 4]]);
    expect(await again.metadata('default', 'up')).toEqual({ up: [{ metric: 'up', type: 'gauge', help: 'target up', unit: '' }] });
  });

  it('keeps staleness markers bit-exact through the log and DuckDB', async () => {
    const { store, dir } = await open();
    const s = series({ __name__: 'x' }, [T0, T0 + 1000], [1, 0]);
    new Uint32Array(s.values.buffer).set([STALE_NAN_LO, STALE_NAN_HI], 2);
    await store.append('default', { series: [s] });
    let got = await collect(store.querier('default').select([{ name: '__name__', type: '=', value: 'x' }], T0, T0 + 1000));
    expect(isStaleAt(got[0]!.values, 1)).toBe(true);
    await store.flush();
    got = await collect(store.querier('default').select([{ name: '__name__', type: '=', value: 'x' }], T0, T0 + 1000));
    expect(isStaleAt(got[0]!.values, 1)).toBe(true);
    await store.close();
    stores.length = 0;
    const again = (await open({}, dir)).store;
    got = await collect(again.querier('default').select([{ name: '__name__', type: '=', value: 'x' }], T0, T0 + 1000));
    expect(isStaleAt(got[0]!.values, 1)).toBe(true);
    expect(got[0]!.values[0]).toBe(1);
  });

  it('accepts out-of-order samples inside the window, refuses older ones with a clear error, ignores identical retries', async () => {
    const { store } = await open({ outOfOrderWindowMs: 60_000 });
    await store.append('default', { series: [series({ __name__: 'c' }, [T0 + 120_000], [5])] });
    await store.flush();
    await store.append('default', { series: [series({ __name__: 'c' }, [T0 + 90_000, T0 + 120_000], [4, 5])] });
    await expect(store.append('default', { series: [series({ __name__: 'c' }, [T0, T0 + 130_000], [1, 6])] })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/series c: out of order sample.*\(1 samples of this request were accepted\)/),
    });
    await store.append('default', { series: [series({ __name__: 'c' }, [T0 + 130_000], [6])] });
    await expect(store.append('default', { series: [series({ __name__: 'c' }, [T0 + 130_000], [7])] })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/duplicate sample/) });
    const got = await collect(store.querier('default').select([], 0, T0 + 200_000));
    expect(Array.from(got[0]!.timestamps)).toEqual([T0 + 90_000, T0 + 120_000, T0 + 130_000]);
    expect(Array.from(got[0]!.values)).toEqual([4, 5, 6]);
  });

  it('enforces label limits (400) and active series limits (429)', async () => {
    const { store } = await open({ limits: { ...DEFAULT_LIMITS, maxLabelsPerSeries: 3, maxLabelValueLength: 10, maxActiveSeriesPerTenant: 2 } });
    await expect(store.append('default', { series: [series({ __name__: 'a', b: '1', c: '2', d: '3' }, [T0], [1])] })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('has 4 labels, over the limit of 3'),
    });
    await expect(store.append('default', { series: [series({ __name__: 'a', b: 'x'.repeat(11) }, [T0], [1])] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('value of label "b"') });
    await store.append('default', { series: [series({ __name__: 'a', i: '1' }, [T0], [1]), series({ __name__: 'a', i: '2' }, [T0], [1])] });
    const err = await store.append('default', { series: [series({ __name__: 'a', i: '3' }, [T0], [1])] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, retryAfterSeconds: 60 });
    await store.append('default', { series: [series({ __name__: 'a', i: '1' }, [T0 + 1], [1])] });
    await store.append('other', { series: [series({ __name__: 'a', i: '3' }, [T0], [1])] });
  });

  it('drops data past the retention time', async () => {
    let now = T0;
    const { store } = await open({ retentionMs: 3_600_000, now: () => now });
    await store.append('default', { series: [series({ __name__: 'old' }, [T0 - 1000], [1]), series({ __name__: 'new' }, [T0 - 1000, T0], [1, 2])] });
    await expect(store.append('default', { series: [series({ __name__: 'old' }, [T0 - 7_200_000], [1])] })).rejects.toMatchObject({ message: expect.stringContaining('older than the retention period') });
    await store.flush();
    // Retention drops whole chunks whose newest sample is past the cutoff.
    now = T0 + 3_600_000 - 500;
    await store.enforceRetention();
    const names = await store.querier('default').labelValues('__name__', { selectors: [], start: 0, end: now });
    expect(names).toEqual(['new']);
    const got = await collect(store.querier('default').select([], 0, now));
    expect(Array.from(got[0]!.timestamps)).toEqual([T0 - 1000, T0]);
    now = T0 + 3_600_000 + 500;
    await store.enforceRetention();
    expect(await store.querier('default').series({ selectors: [], start: 0, end: now })).toEqual([]);
  });

  it('takes a backfill of old history and, over metrics.retention_size, drops the oldest chunks first', async () => {
    const H = 3_600_000;
    const start = T0 - 30 * 24 * H;
    const { store, dir } = await open({ now: () => T0 });
    // Six hours of 15 s samples, a month old, sent hour by hour as a backfill would.
    const names = ['a', 'b', 'c'];
    for (let h = 0; h < 6; h++) {
      const ts = Array.from({ length: 240 }, (_, k) => start + h * H + k * 15_000);
      await store.append('default', { series: names.map((n, j) => series({ __name__: n }, ts, ts.map((t) => (t - start) / 1000 + j))) });
    }
    await store.flush();
    const all = await collect(store.querier('default').select([], 0, T0));
    expect(all.map((x) => x.timestamps.length)).toEqual([1440, 1440, 1440]);
    // Size per hour of the newest sample, as retention counts it.
    const sizeByHour = async (): Promise<number[]> =>
      (await store.duck.read.runAndReadAll('SELECT sum(octet_length(data) + 40)::DOUBLE FROM metric_chunks GROUP BY max_t // 3600000 ORDER BY max_t // 3600000 DESC'))
        .getRows()
        .map((r) => Number(r[0]));
    // The flush compacted the closed 2-hour windows: a few long chunks per series.
    const hours = await sizeByHour();
    expect(hours.length).toBeGreaterThan(2);
    const limit = hours[0]! + hours[1]! + 1;
    await store.close();
    stores.length = 0;
    const again = (await open({ now: () => T0, retentionBytes: limit }, dir)).store;
    await again.enforceRetention();
    const left = await collect(again.querier('default').select([], 0, T0));
    expect(left).toHaveLength(3);
    for (const [j, x] of left.entries()) {
      const n = x.timestamps.length;
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(1440);
      // What is left is the newest part, unchanged.
      expect(x.timestamps[n - 1]).toBe(start + 6 * H - 15_000);
      let wrong = 0;
      for (let k = 0; k < n; k++) {
        const t = start + 6 * H - (n - k) * 15_000;
        if (x.timestamps[k] !== t || x.values[k] !== (t - start) / 1000 + j) wrong++;
      }
      expect(wrong).toBe(0);
    }
    const sizes = (await (again.duck.read.runAndReadAll('SELECT sum(octet_length(data) + 40)::DOUBLE FROM metric_chunks'))).getRows();
    expect(Number(sizes[0]![0])).toBeLessThanOrEqual(limit);
  });

  it('keeps exemplars through flushes and restarts, once each, within retention and limits', async () => {
    let now = T0;
    const { store, dir } = await open({ retentionMs: 3_600_000, now: () => now });
    const withEx = (ts: number, trace: string): ReturnType<typeof series> & { exemplars: Array<{ labels: Record<string, string>; value: number; timestamp: number }> } => ({
      ...series({ __name__: 'req_total', job: 'api' }, [ts], [ts / 1000]),
      exemplars: [{ labels: { trace_id: trace }, value: 0.25, timestamp: ts }],
    });
    const sel = [{ name: '__name__', type: '=' as const, value: 'req_total' }];
    const traces = async (q = store.querier('default')): Promise<string[]> =>
      (await q.exemplars(sel, 0, T0 + 3_600_000)).flatMap((s) => s.exemplars.map((e) => e.labels.trace_id!));
    expect(await store.append('default', { series: [withEx(T0 - 2000, 'a')] })).toMatchObject({ exemplars: 1 });
    await store.flush();
    await store.append('default', { series: [withEx(T0 - 1000, 'b')] });
    // A sender's retry re-sends an exemplar already in DuckDB: answered once.
    await store.append('default', { series: [withEx(T0 - 2000, 'a')] });
    expect(await traces()).toEqual(['a', 'b']);
    // Labels over Prometheus' 128-character limit: the exemplar is refused, its sample written.
    await expect(
      store.append('default', { series: [{ ...withEx(T0, 'c'), exemplars: [{ labels: { trace_id: 'x'.repeat(130) }, value: 1, timestamp: T0 }] }] }),
    ).rejects.toMatchObject({ status: 400, written: { samples: 1, exemplars: 0 }, message: expect.stringContaining('over the limit of 128') });
    await store.close();
    stores.length = 0;
    const again = (await open({ retentionMs: 3_600_000, now: () => now }, dir)).store;
    expect(await traces(again.querier('default'))).toEqual(['a', 'b']);
    expect(await again.querier('default').exemplars([{ name: 'job', type: '=', value: 'nope' }], 0, T0)).toEqual([]);
    now = T0 + 3_600_000 - 1500;
    await again.enforceRetention();
    expect(await traces(again.querier('default'))).toEqual(['b']);
  });

  it('compacts closed windows into long chunks without changing a sample, and merges late data in', async () => {
    const H = 3_600_000;
    let now = T0;
    const { store } = await open({ outOfOrderWindowMs: 5 * H, flushIntervalMs: 600_000, now: () => now });
    const chunkRows = async (): Promise<Array<[number, number, number]>> =>
      (await store.duck.read.runAndReadAll('SELECT series_id, samples, level FROM metric_chunks ORDER BY series_id, min_t')).getRows().map((r) => [Number(r[0]), Number(r[1]), Number(r[2])]);
    // 6 hours of 15 s samples for two series, flushed every 10 minutes: 36 level-0 chunks each.
    const want = new Map<string, Array<[number, number]>>();
    for (let k = 0; k < 6 * 240; k++) {
      const t = T0 + k * 15_000;
      const batch = ['a', 'b'].map((name, j) => series({ __name__: name }, [t], [j === 0 ? k * 3 : Math.sin(k) * 100]));
      // 'c' has a single sample, so a single level-0 chunk in the first window.
      if (k === 0) batch.push(series({ __name__: 'c' }, [t], [7]));
      for (const b of batch) {
        const key = b.labels[0]!.value;
        want.set(key, [...(want.get(key) ?? []), [t, b.values[0]!]]);
      }
      await store.append('default', { series: batch });
      if (k % 40 === 39) await store.flush();
    }
    // Windows closed before now - 5h - 10m: the first two 2-hour windows (T0 is 800 s into one).
    now = T0 + 10 * H;
    const stats = await store.compact(false);
    expect(stats.windows).toBe(2);
    // a and b merged in both windows; c's lone chunk is compact already and only marked so.
    expect(stats.series).toBe(4);
    expect(stats.chunksBefore).toBeGreaterThan(stats.chunksAfter * 5);
    const rows = await chunkRows();
    expect(rows.filter((r) => r[2] === 1).every((r) => r[1] <= 480)).toBe(true);
    expect(rows.some((r) => r[2] === 0)).toBe(true);
    expect(rows.filter((r) => r[1] === 1)).toEqual([[3, 1, 1]]);
    const check = async (): Promise<void> => {
      for (const [name, samples] of want) {
        const got = (await collect(store.querier('default').select([{ name: '__name__', type: '=', value: name }], 0, 8e15)))[0]!;
        expect(Array.from(got.timestamps)).toEqual(samples.map((x) => x[0]).sort((x, y) => x - y));
        const byT = new Map(samples);
        got.timestamps.forEach((t, i) => expect(got.values[i]).toBe(byT.get(t)));
      }
    };
    await check();
    // A late sample in an old window is a new level-0 chunk there; the next pass merges it in.
    const late = T0 + 2 * H + 7_500;
    await store.append('default', { series: [series({ __name__: 'a' }, [late], [-1])] });
    want.set('a', [...want.get('a')!, [late, -1]]);
    const lateStats = await store.compact(false);
    expect(lateStats.series).toBe(1);
    await check();
    // Everything, the open window too: one level-1 chunk per series and window.
    await store.compact(true);
    expect((await chunkRows()).every((r) => r[2] === 1)).toBe(true);
    await check();
  });

  it('replays log records of earlier versions (labels in every record) and of this one (ids)', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'ichigen-ms-'));
    dirs.push(d);
    const wal = await Wal.open({ dir: path.join(d, 'wal') });
    await wal.replay(() => undefined);
    await wal.append(encodeSamplesRecord('default', [{ labels: labelsFromRecord({ __name__: 'old_format' }), timestamps: Float64Array.of(T0), values: Float64Array.of(4) }]));
    await wal.close();
    const { store } = await open({}, d);
    // Two writes of a new series: the first record defines it, the second names it by id.
    await store.append('default', { series: [series({ __name__: 'new_format' }, [T0], [1])] });
    await store.append('default', { series: [series({ __name__: 'new_format' }, [T0 + 1000], [2])] });
    // A crash: the store is dropped without closing, then opened on the same files.
    stores.length = 0;
    (store as unknown as { wal: Wal }).wal.close();
    const again = (await open({}, d)).store;
    const got = await collect(again.querier('default').select([], 0, 8e15));
    expect(got.map((s) => [s.labels[0]!.value, Array.from(s.timestamps), Array.from(s.values)])).toEqual([
      ['new_format', [T0, T0 + 1000], [1, 2]],
      ['old_format', [T0], [4]],
    ]);
  });

  it('opens a database of an earlier version: labels as JSON, chunks of format 1, no level column', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'ichigen-ms-'));
    dirs.push(d);
    const inst = await DuckDBInstance.create(path.join(d, 'metrics.duckdb'));
    const c = await inst.connect();
    await c.run(`CREATE TABLE metric_series (tenant VARCHAR NOT NULL, id BIGINT NOT NULL, labels VARCHAR NOT NULL)`);
    await c.run(`CREATE TABLE metric_chunks (tenant VARCHAR NOT NULL, series_id BIGINT NOT NULL, min_t BIGINT NOT NULL, max_t BIGINT NOT NULL, samples INTEGER NOT NULL, data BLOB NOT NULL)`);
    await c.run(`INSERT INTO metric_series VALUES ('default', 7, '[["__name__","legacy"],["job","x"]]')`);
    // Format 1: 100, 160, 220, 500 at 1700000000000 + 0 / 15000 / 30003 / 45000 ms.
    await c.run(`INSERT INTO metric_chunks VALUES ('default', 7, 1700000000000, 1700000045000, 4, from_hex('04c05055ff7cb16400e3a98403c40032002e06e0'))`);
    c.closeSync();
    inst.closeSync();
    const { store } = await open({}, d);
    // A new series next to it gets a fresh id and is stored the new way; both survive a restart.
    await store.append('default', { series: [series({ __name__: 'legacy', job: 'y' }, [1700000060000], [1])] });
    await store.compact(true);
    await store.close();
    stores.length = 0;
    const again = (await open({}, d)).store;
    const got = await collect(again.querier('default').select([{ name: '__name__', type: '=', value: 'legacy' }], 0, 8e15));
    expect(got.map((s) => [s.labels, Array.from(s.values)])).toEqual([
      [labelsFromRecord({ __name__: 'legacy', job: 'x' }), [100, 160, 220, 500]],
      [labelsFromRecord({ __name__: 'legacy', job: 'y' }), [1]],
    ]);
  });
});
