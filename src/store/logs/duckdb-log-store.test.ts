import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isIchigenError, type LabelMatcher } from '../../model/index.js';
import { encodeProtobufPush, type PushBatch } from '../../receive/loki-push/index.js';
import { createLogger } from '../../self/index.js';
import { DuckDbLogStore, type DuckDbLogStoreOptions } from './duckdb-log-store.js';
import type { LogLimits } from './log-limits.js';
import { decodeWalRecord, encodeRawWalRecord } from './wal-record.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const DAY_NS = 86_400_000_000_000n;
const NO_LIMITS: LogLimits = { maxLineBytes: 0, rejectOlderThanMs: 0, creationGraceMs: 3_600_000, ingestionRateBytes: 0, ingestionBurstBytes: 0, maxStreamsPerTenant: 0, maxEntriesPerQuery: 10_000_000 };

async function open(over: Partial<DuckDbLogStoreOptions> = {}, dir?: string): Promise<DuckDbLogStore> {
  const d = dir ?? mkdtempSync(path.join(tmpdir(), 'ichigen-logstore-'));
  if (!dir) dirs.push(d);
  return DuckDbLogStore.open({
    dir: d,
    limits: NO_LIMITS,
    log: createLogger({ level: 'silent' }),
    flushIntervalMs: 3_600_000,
    flushEntries: 10_000_000,
    retentionMs: 0,
    retentionBytes: 0,
    duckdbMemoryLimit: '128MB',
    duckdbThreads: 1,
    ...over,
  });
}

const app = (v: string): LabelMatcher[] => [{ name: 'app', type: '=', value: v }];

function batch(appName: string, streams: number, from: number, count: number, tsOf: (i: number) => bigint): PushBatch {
  const by = new Map<number, PushBatch['streams'][number]['entries']>();
  for (let i = from; i < from + count; i++) {
    const s = i % streams;
    if (!by.has(s)) by.set(s, []);
    by.get(s)!.push({ tsNs: tsOf(i), line: `line ${i}`, metadata: i % 7 === 0 ? [{ name: 'trace_id', value: `t${i}` }] : [] });
  }
  return { streams: [...by].map(([s, entries]) => ({ labels: [{ name: 'app', value: appName }, { name: 'shard', value: String(s) }], entries })) };
}

async function lines(store: DuckDbLogStore, tenant: string, matchers: LabelMatcher[], startNs = 0n, endNs = 1n << 62n, mustContain?: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const run of store.scan({ tenant, matchers, startNs, endNs, ...(mustContain ? { mustContain } : {}) })) for (const e of run.entries) out.push(e.line);
  return out;
}

describe('DuckDbLogStore reads', () => {
  it('sees every acknowledged entry exactly once while pushes and flushes go on', async () => {
    const store = await open();
    const t0 = BigInt(Date.now()) * 1_000_000n - 3_600_000_000_000n;
    let pushed = 0;
    let done = false;
    const writer = (async () => {
      for (let b = 0; b < 60; b++) {
        await store.push('default', batch('w', 5, b * 200, 200, (i) => t0 + BigInt(i) * 1000n));
        pushed = (b + 1) * 200;
        if (b % 7 === 3) void store.flush();
        await new Promise((r) => setImmediate(r));
      }
      done = true;
    })();
    let reads = 0;
    while (!done || reads < 3) {
      // A read of nothing resolves in microtasks alone: let the writer's log I/O run.
      await new Promise((r) => setImmediate(r));
      const before = pushed;
      const got = await lines(store, 'default', app('w'));
      reads++;
      const seen = new Set(got);
      expect(seen.size, 'no entry twice').toBe(got.length);
      for (let i = 0; i < before; i++) if (!seen.has(`line ${i}`)) expect.fail(`acknowledged line ${i} missing`);
    }
    await writer;
    await store.flush();
    const all = await lines(store, 'default', app('w'));
    expect(all.length).toBe(12_000);
    expect(new Set(all).size).toBe(12_000);
    await store.close();
  });

  it('pushes line filters into DuckDB and answers stats and volume by summing there', async () => {
    const store = await open();
    const t0 = BigInt(Date.now()) * 1_000_000n - 3_600_000_000_000n;
    await store.push('default', batch('s', 3, 0, 300, (i) => t0 + BigInt(i) * 1_000_000_000n));
    await store.flush();
    await store.push('default', batch('s', 3, 300, 60, (i) => t0 + BigInt(i) * 1_000_000_000n)); // still in memory
    expect((await lines(store, 'default', app('s'), 0n, 1n << 62n, ['line 1'])).sort()).toEqual(
      Array.from({ length: 360 }, (_, i) => `line ${i}`)
        .filter((l) => l.includes('line 1'))
        .sort(),
    );
    const sel = await store.select({ tenant: 'default', matchers: app('s'), startNs: t0 + 100_000_000_000n, endNs: t0 + 330_000_000_000n });
    let entries = 0;
    let bytes = 0;
    for (const s of sel) {
      for (const e of s.entries) {
        entries++;
        bytes += Buffer.byteLength(e.line) + e.metadata.reduce((n, m) => n + m.name.length + m.value.length, 0);
      }
      for (let k = 1; k < s.entries.length; k++) expect(s.entries[k]!.tsNs >= s.entries[k - 1]!.tsNs).toBe(true);
    }
    expect(entries).toBe(230);
    const stats = await store.stats('default', app('s'), t0 + 100_000_000_000n, t0 + 330_000_000_000n);
    expect(stats).toEqual({ streams: 3, chunks: 3, entries, bytes });
    const vol = await store.volume('default', app('s'), t0, t0 + 360_000_000_000n, 60_000_000_000n);
    expect(vol.reduce((n, v) => n + v.entries, 0)).toBe(360);
    expect(new Set(vol.map((v) => v.bucketNs)).size).toBe(6);
    expect(vol.filter((v) => v.bucketNs === t0 + 300_000_000_000n).reduce((n, v) => n + v.entries, 0)).toBe(60);
    await store.close();
  });

  it('keeps what a push sent as raw bodies across a crash (replay decodes them)', () => {
    const b = batch('raw', 2, 0, 10, (i) => 1_700_000_000_000_000_000n + BigInt(i));
    const json = Buffer.from(JSON.stringify({ streams: b.streams.map((s) => ({ stream: Object.fromEntries(s.labels.map((l) => [l.name, l.value])), values: s.entries.map((e) => (e.metadata.length ? [String(e.tsNs), e.line, Object.fromEntries(e.metadata.map((m) => [m.name, m.value]))] : [String(e.tsNs), e.line])) })) }));
    for (const source of [
      { format: 'loki-json' as const, body: json },
      { format: 'loki-protobuf-snappy' as const, body: encodeProtobufPush(b) },
    ]) {
      const rec = decodeWalRecord(Buffer.concat(encodeRawWalRecord('tenant-a', source)));
      expect(rec.tenant).toBe('tenant-a');
      expect(rec.batch).toEqual(b);
    }
  });
});

describe('DuckDbLogStore retention', () => {
  it('drops whole days past the age limit, and the streams left without entries', async () => {
    const store = await open({ retentionMs: 2 * 86_400_000 });
    const now = Date.now();
    const today = (BigInt(now) * 1_000_000n / DAY_NS) * DAY_NS;
    await store.push('default', batch('old', 2, 0, 20, (i) => today - 5n * DAY_NS + BigInt(i)));
    await store.push('default', batch('new', 2, 0, 20, (i) => today + BigInt(i)));
    await store.flush();
    expect(store.allStreams('default', app('old'))).toHaveLength(2);
    await store.applyRetention(now);
    expect(await lines(store, 'default', app('old'))).toEqual([]);
    expect(store.allStreams('default', app('old'))).toHaveLength(0);
    expect(await lines(store, 'default', app('new'))).toHaveLength(20);
    await store.close();
  });

  it('drops the oldest days while the stored lines exceed the size cap (never the newest)', async () => {
    const store = await open({ retentionBytes: 1800 });
    const today = (BigInt(Date.now()) * 1_000_000n / DAY_NS) * DAY_NS;
    for (const d of [3n, 2n, 1n, 0n]) await store.push('default', batch(`d${d}`, 1, 0, 100, (i) => today - d * DAY_NS + BigInt(i)));
    await store.flush();
    await store.applyRetention();
    // 853 bytes a day (lines and metadata): two days fit under 1,800.
    expect(await lines(store, 'default', app('d3'))).toEqual([]);
    expect(await lines(store, 'default', app('d2'))).toEqual([]);
    expect(await lines(store, 'default', app('d1'))).toHaveLength(100);
    expect(await lines(store, 'default', app('d0'))).toHaveLength(100);
    await store.close();
  });
});

describe('DuckDbLogStore per-tenant limits', () => {
  const code = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'ok';
    } catch (e) {
      return isIchigenError(e) ? e.code : String(e);
    }
  };

  it('limits streams per tenant, each tenant on its own', async () => {
    const store = await open({ limits: { ...NO_LIMITS, maxStreamsPerTenant: 3 } });
    const now = BigInt(Date.now()) * 1_000_000n;
    expect(await code(store.push('a', batch('x', 3, 0, 3, () => now)))).toBe('ok');
    expect(await code(store.push('a', batch('y', 1, 0, 1, () => now)))).toBe('LIMIT_EXCEEDED');
    expect(await code(store.push('a', batch('x', 3, 3, 3, () => now + 1n)))).toBe('ok'); // known streams still take entries
    expect(await code(store.push('b', batch('y', 3, 0, 3, () => now)))).toBe('ok');
    await store.close();
  });

  it('limits the ingestion rate per tenant (bytes per second, with a burst)', async () => {
    const store = await open({ limits: { ...NO_LIMITS, ingestionRateBytes: 100, ingestionBurstBytes: 400 } });
    const now = BigInt(Date.now()) * 1_000_000n;
    const big = { streams: [{ labels: [{ name: 'app', value: 'r' }], entries: [{ tsNs: now, line: 'x'.repeat(300), metadata: [] }] }] };
    expect(await code(store.push('a', big))).toBe('ok');
    expect(await code(store.push('a', { streams: [{ labels: big.streams[0]!.labels, entries: [{ tsNs: now + 1n, line: 'y'.repeat(300), metadata: [] }] }] }))).toBe('RATE_LIMITED');
    expect(await code(store.push('b', big))).toBe('ok');
    await store.close();
  });

  it('refuses lines over the size limit and keeps the others of the same push', async () => {
    const store = await open({ limits: { ...NO_LIMITS, maxLineBytes: 10 } });
    const now = BigInt(Date.now()) * 1_000_000n;
    const out = await store.push('a', { streams: [{ labels: [{ name: 'app', value: 'l' }], entries: [{ tsNs: now, line: 'short', metadata: [] }, { tsNs: now + 1n, line: 'far too long a line', metadata: [] }] }] });
    expect(out.accepted).toBe(1);
    expect(out.rejected[0]).toMatch(/Max entry size '10' bytes exceeded for stream '\{app="l"\}' while adding an entry with length '19' bytes/);
    expect(await lines(store, 'a', app('l'))).toEqual(['short']);
    await store.close();
  });
});

describe('DuckDbLogStore duplicates (a retried push answers once, as in Loki)', () => {
  const t0 = (): bigint => BigInt(Date.now()) * 1_000_000n - 3_600_000_000_000n;
  const counts = async (store: DuckDbLogStore, name: string, from: bigint): Promise<{ lines: string[]; entries: number; volume: number }> => {
    const got = await lines(store, 'default', app(name));
    const stats = await store.stats('default', app(name), 0n, 1n << 62n);
    const vol = await store.volume('default', app(name), from - 1_000_000_000n, from + 3_600_000_000_000n, 60_000_000_000n);
    return { lines: got.sort(), entries: stats.entries, volume: vol.reduce((n, v) => n + v.entries, 0) };
  };
  const expectOnce = async (store: DuckDbLogStore, name: string, from: bigint, n: number): Promise<void> => {
    const c = await counts(store, name, from);
    expect(c.lines.length, 'lines').toBe(n);
    expect(new Set(c.lines).size, 'distinct lines').toBe(n);
    expect(c.entries, 'index/stats entries').toBe(n);
    expect(c.volume, 'volume entries').toBe(n);
  };

  it('drops a batch pushed twice while its original is in memory, in flight to DuckDB, or flushed', async () => {
    const store = await open();
    const t = t0();
    const b = batch('dup', 4, 0, 400, (i) => t + BigInt(i) * 1_000_000n);
    await store.push('default', b);
    await store.push('default', b); // both in the head
    await expectOnce(store, 'dup', t, 400);
    await store.flush();
    await expectOnce(store, 'dup', t, 400);
    await store.push('default', b); // original in DuckDB, the copy in the head: reads drop it
    await expectOnce(store, 'dup', t, 400);
    const flushing = store.flush();
    await store.push('default', b); // while the flush writes
    await flushing;
    await expectOnce(store, 'dup', t, 400);
    await store.flush(); // the flush drops the copies it finds in DuckDB
    await expectOnce(store, 'dup', t, 400);
    await store.close();
  });

  it('drops an old batch replayed after newer ones (out of order within the window), in memory and flushed', async () => {
    const store = await open();
    const t = t0();
    const older = batch('ooo', 3, 0, 300, (i) => t + BigInt(i) * 1_000_000n);
    const newer = batch('ooo', 3, 300, 300, (i) => t + BigInt(i) * 1_000_000n);
    await store.push('default', older);
    await store.push('default', newer);
    await store.push('default', older); // older than every stream's newest entry, head only
    await expectOnce(store, 'ooo', t, 600);
    await store.flush();
    // Shuffled, and in two halves: order within the push does not matter.
    const shuffled = { streams: older.streams.map((s) => ({ labels: s.labels, entries: [...s.entries].reverse() })) };
    await store.push('default', shuffled);
    await store.push('default', newer);
    await expectOnce(store, 'ooo', t, 600);
    await store.flush();
    await expectOnce(store, 'ooo', t, 600);
    await store.close();
  });

  it('keeps entries that differ only in line or structured metadata, and drops replays after a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-logstore-'));
    dirs.push(dir);
    let store = await open({}, dir);
    const t = t0();
    const labels = [{ name: 'app', value: 'meta' }];
    const entries = [
      { tsNs: t, line: 'same', metadata: [] },
      { tsNs: t, line: 'same', metadata: [{ name: 'trace_id', value: 'a' }] },
      { tsNs: t, line: 'same', metadata: [{ name: 'trace_id', value: 'b' }] },
      { tsNs: t, line: 'other', metadata: [] },
      { tsNs: t + 5n, line: 'later', metadata: [] },
    ];
    await store.push('default', { streams: [{ labels, entries }] });
    await store.push('default', { streams: [{ labels, entries: [...entries].reverse() }] });
    await expectOnce2(store, 5);
    await store.close(); // flushes
    store = await open({}, dir);
    await store.push('default', { streams: [{ labels, entries }] });
    await expectOnce2(store, 5);
    await store.flush();
    await expectOnce2(store, 5);
    await store.close();

    async function expectOnce2(s: DuckDbLogStore, n: number): Promise<void> {
      const got: string[] = [];
      for await (const run of s.scan({ tenant: 'default', matchers: app('meta'), startNs: 0n, endNs: 1n << 62n })) for (const e of run.entries) got.push(`${e.line}/${e.metadata.map((m) => m.value).join()}`);
      expect(got.sort()).toEqual(['later/', 'other/', 'same/', 'same/a', 'same/b']);
      expect((await s.stats('default', app('meta'), 0n, 1n << 62n)).entries).toBe(n);
    }
  });
});
