import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpSpan, OtlpTraces } from '../../receive/otlp/index.js';
import { createLogger } from '../../self/index.js';
import { DuckDbTraceStore, type DuckDbTraceStoreOptions } from './duckdb-trace-store.js';
import { decodeOtlpRequest, encodeTracesProto } from '../../receive/otlp/index.js';
import { Wal } from '../wal/index.js';
import { encodeStoredSpan, flattenTraces } from './stored-span.js';
import { TRUE, type SpanPredicate } from './span-predicate.js';
import { keyValueToken, valueToken } from './attr-tokens.js';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 5, 10, 12, 0, 0);
const ms = (t: number): bigint => BigInt(t) * 1_000_000n;
const dirs: string[] = [];
const stores: DuckDbTraceStore[] = [];

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function options(dir: string, o: Partial<DuckDbTraceStoreOptions> = {}): DuckDbTraceStoreOptions {
  return {
    dir,
    log: createLogger({ level: 'silent' }),
    retentionMs: 0,
    maxBytes: 0,
    flushIntervalMs: 3_600_000,
    retentionIntervalMs: 3_600_000,
    maxHeadSpans: 1_000_000,
    duckdbMemoryLimit: '256MB',
    duckdbThreads: 1,
    now: () => NOW,
    ...o,
  };
}

async function open(o: Partial<DuckDbTraceStoreOptions> = {}, dir?: string): Promise<{ store: DuckDbTraceStore; dir: string }> {
  const d = dir ?? mkdtempSync(path.join(tmpdir(), 'ichigen-traces-'));
  if (dir === undefined) dirs.push(d);
  const store = new DuckDbTraceStore(options(d, o));
  await store.open();
  stores.push(store);
  return { store, dir: d };
}

const tid = (n: number): string => n.toString(16).padStart(32, '0');
const sid = (n: number): string => n.toString(16).padStart(16, '0');

function span(trace: number, id: number, startMs: number, o: Partial<OtlpSpan> = {}): OtlpSpan {
  return {
    traceId: tid(trace),
    spanId: sid(id),
    parentSpanId: '',
    traceState: '',
    flags: 0,
    name: `op-${id}`,
    kind: 2,
    startTimeUnixNano: ms(startMs),
    endTimeUnixNano: ms(startMs + 50),
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
    ...o,
  };
}

function request(service: string, spans: OtlpSpan[]): OtlpTraces {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { type: 'string', value: service } }, { key: 'replicas', value: { type: 'int', value: 3n } }], droppedAttributesCount: 0 },
        schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
        scopeSpans: [{ scope: { name: 'lib', version: '1.0', attributes: [{ key: 'auto', value: { type: 'bool', value: true } }], droppedAttributesCount: 1 }, schemaUrl: '', spans }],
      },
    ],
  };
}

/** A span using every part of the model, to check nothing is lost on the way through DuckDB. */
const rich = span(1, 1, NOW - 1000, {
  parentSpanId: sid(9),
  traceState: 'k=v',
  flags: 257,
  kind: 3,
  attributes: [
    { key: 'http.route', value: { type: 'string', value: 'a\u001fb\u001ec\\d' } },
    { key: 'big', value: { type: 'int', value: 9_007_199_254_740_993n } },
    { key: 'neg', value: { type: 'int', value: -5n } },
    { key: 'ratio', value: { type: 'double', value: 0.25 } },
    { key: 'ok', value: { type: 'bool', value: false } },
    { key: 'list', value: { type: 'array', value: [{ type: 'string', value: 'x' }, { type: 'int', value: 2n }] } },
    { key: 'kv', value: { type: 'kvlist', value: [{ key: 'in', value: { type: 'double', value: 1.5 } }] } },
    { key: 'raw', value: { type: 'bytes', value: Buffer.from([0, 1, 255]) } },
    { key: 'none', value: { type: 'empty' } },
  ],
  droppedAttributesCount: 2,
  events: [{ timeUnixNano: ms(NOW - 990), name: 'retry', attributes: [{ key: 'n', value: { type: 'int', value: 1n } }], droppedAttributesCount: 3 }],
  droppedEventsCount: 4,
  links: [{ traceId: tid(77), spanId: sid(78), traceState: 'x=y', attributes: [{ key: 'why', value: { type: 'string', value: 'follows' } }], droppedAttributesCount: 5, flags: 1 }],
  droppedLinksCount: 6,
  status: { code: 2, message: 'boom' },
});

async function ids(store: DuckDbTraceStore, where: SpanPredicate, fromMs = NOW - 10 * DAY_MS, toMs = NOW + DAY_MS): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of store.candidates('t', { range: { startNs: ms(fromMs), endNs: ms(toMs) }, where })) out.push(...batch);
  return out;
}

describe('DuckDbTraceStore', () => {
  it('keeps every part of a span through the head, DuckDB and a restart', async () => {
    const { store, dir } = await open();
    const req = request('checkout', [rich]);
    await store.append('t', req);
    const expected = flattenTraces(req);
    expect(await store.getTrace('t', tid(1))).toEqual(expected);
    await store.flush();
    expect(await store.getTrace('t', tid(1))).toEqual(expected);
    expect(await store.getTrace('other-tenant', tid(1))).toEqual([]);
    await store.close();
    stores.pop();
    const again = await open({}, dir);
    expect((await again.store.getTrace('t', tid(1))).map((s) => ({ ...s }))).toEqual(expected);
    // A window that misses the trace: not found.
    expect(await again.store.getTrace('t', tid(1), { startNs: ms(NOW + 1000), endNs: ms(NOW + 2000) })).toEqual([]);
  });

  it('replays write-ahead log records of both formats (raw request body, and the first: re-encoded protobuf)', async () => {
    const { store, dir } = await open();
    const jsonBody = Buffer.from(JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json' } }] }, scopeSpans: [{ spans: [{ traceId: tid(2), spanId: sid(2), name: 'j', startTimeUnixNano: String(ms(NOW)), endTimeUnixNano: String(ms(NOW + 1)) }] }] }] }));
    await store.append('t', request('proto', [span(1, 1, NOW)]), { body: encodeTracesProto(request('proto', [span(1, 1, NOW)])), encoding: 'protobuf' });
    await store.append('t', { resourceSpans: [] }, undefined);
    await store.append('t', decodeOtlpRequest('traces', jsonBody, 'json'), { body: jsonBody, encoding: 'json' });
    await store.close();
    stores.pop();
    // A record of the first format, written straight into the log.
    const wal = await Wal.open({ dir: path.join(dir, 'wal') });
    await wal.replay(() => undefined);
    const t = Buffer.from('t');
    const len = Buffer.alloc(2);
    len.writeUInt16LE(t.length);
    await wal.append([len, t, encodeTracesProto(request('v1', [span(3, 3, NOW)]))], () => undefined);
    await wal.close();
    const again = await open({}, dir);
    expect((await again.store.getTrace('t', tid(1))).map((s) => s.span.name)).toEqual(['op-1']);
    expect((await again.store.getTrace('t', tid(2))).map((s) => s.span.name)).toEqual(['j']);
    expect((await again.store.getTrace('t', tid(3))).map((s) => s.span.name)).toEqual(['op-3']);
  });

  it('narrows candidates by pushed-down predicates, the same in memory and in DuckDB', async () => {
    const { store } = await open();
    await store.append('t', request('web', [span(10, 1, NOW - 5000, { attributes: [{ key: 'route', value: { type: 'string', value: '/a' } }] }), span(10, 2, NOW - 4990, { parentSpanId: sid(1), kind: 3, status: { code: 2, message: '' } })]));
    await store.append('t', request('db', [span(11, 3, NOW - 3 * DAY_MS, { name: 'SELECT', endTimeUnixNano: ms(NOW - 3 * DAY_MS + 2000) })]));
    await store.append('t', request('web', [span(12, 4, NOW - 1000, { attributes: [{ key: 'code', value: { type: 'int', value: 200n } }] })]));
    const cases: Array<[SpanPredicate, string[]]> = [
      [TRUE, [tid(12), tid(10), tid(11)]],
      [{ kind: 'text', column: 'service', op: '=', value: 'db' }, [tid(11)]],
      [{ kind: 'text', column: 'name', op: '=~', value: 'SEL.*' }, [tid(11)]],
      [{ kind: 'enum', column: 'status', op: '=', value: 2 }, [tid(10)]],
      [{ kind: 'duration', op: '>', ns: 1e9 }, [tid(11)]],
      [{ kind: 'spanAttr', key: 'route', value: 's/a' }, [tid(10)]],
      [{ kind: 'spanAttr', key: 'route', value: 's/b' }, []],
      [{ kind: 'spanAttr', key: 'code', value: 'i200' }, [tid(12)]],
      [{ kind: 'spanAttr', key: 'code' }, [tid(12)]],
      [{ kind: 'resource', test: (r) => r.attributes.some((a) => a.key === 'service.name' && a.value.type === 'string' && a.value.value === 'web') }, [tid(12), tid(10)]],
      [{ kind: 'root' }, [tid(12), tid(10), tid(11)]],
      [{ kind: 'and', items: [{ kind: 'root' }, { kind: 'text', column: 'service', op: '=', value: 'web' }] }, [tid(12), tid(10)]],
      [{ kind: 'or', items: [{ kind: 'spanId', id: sid(3) }, { kind: 'spanId', id: sid(4) }] }, [tid(12), tid(11)]],
    ];
    for (const [where, want] of cases) expect(await ids(store, where), JSON.stringify(where)).toEqual(want);
    await store.flush();
    for (const [where, want] of cases) expect(await ids(store, where), JSON.stringify(where)).toEqual(want);
    // A window: only spans starting in it (plus slack) count.
    expect(await ids(store, TRUE, NOW - 2000, NOW)).toEqual([tid(12)]);
    expect((await store.getTraces('t', [tid(10), tid(11), tid(99)])).size).toBe(2);
  });

  it('finds an attribute value in the one flush of many that holds it (token filters), also after a restart and without filters from older versions', async () => {
    const { store, dir } = await open();
    const attrs = (i: number): OtlpSpan['attributes'] => [
      { key: 'order.id', value: { type: 'string', value: `ord-${i}` } },
      { key: 'tags', value: { type: 'array', value: [{ type: 'int', value: BigInt(i) }] } },
      { key: 'esc\u001f', value: { type: 'string', value: `v\u001e${i}` } },
    ];
    for (let f = 0; f < 6; f++) {
      const dur = (i: number): Partial<OtlpSpan> => (i === 50 ? { endTimeUnixNano: ms(NOW - 60_000 + 2000 + 10 + 3000) } : i === 90 ? { endTimeUnixNano: ms(NOW - 60_000 + 4000 + 10 + 1) } : {});
      await store.append('t', request('web', Array.from({ length: 20 }, (_, j) => span(100 + f * 20 + j, 1000 + f * 20 + j, NOW - 60_000 + f * 1000 + j, { attributes: attrs(f * 20 + j), ...dur(f * 20 + j) }))));
      await store.flush();
    }
    const check = async (s: DuckDbTraceStore): Promise<void> => {
      expect(await ids(s, { kind: 'spanAttr', key: 'order.id', value: 'sord-45' })).toEqual([tid(145)]);
      expect(await ids(s, { kind: 'spanAttr', key: 'tags', value: 'i101' })).toEqual([tid(201)]);
      expect(await ids(s, { kind: 'or', items: [{ kind: 'spanAttr', key: 'order.id', value: 'sord-3' }, { kind: 'spanAttr', key: 'order.id', value: 'sord-119' }] })).toEqual([tid(219), tid(103)]);
      expect(await ids(s, { kind: 'and', items: [{ kind: 'spanAttr', key: 'order.id', value: 'sord-3' }, { kind: 'spanAttr', key: 'tags', value: 'i4' }] })).toEqual([]);
      expect(await ids(s, { kind: 'spanAttr', key: 'order.id', value: 'sord-999' })).toEqual([]);
      expect(await ids(s, { kind: 'spanAttr', key: 'order.id' })).toHaveLength(120);
      // Span durations: flush f's spans last 50 ms, except one of 3 s in flush 2 and one of 1 ms in flush 4.
      expect(await ids(s, { kind: 'duration', op: '>', ns: 2e9 })).toEqual([tid(150)]);
      expect(await ids(s, { kind: 'duration', op: '<', ns: 2e6 })).toEqual([tid(190)]);
      expect(await ids(s, { kind: 'duration', op: '>=', ns: 3e9 })).toEqual([tid(150)]);
      expect(await ids(s, { kind: 'duration', op: '>', ns: 3e9 })).toEqual([]);
    };
    await check(store);
    // The escaped key and value: the exact token of the stored value.
    const tok = valueToken({ type: 'string', value: 'v\u001e7' })!;
    expect(keyValueToken('esc\u001f', tok)).toContain('\\f');
    expect(await ids(store, { kind: 'spanAttr', key: 'esc\u001f', value: tok })).toEqual([tid(107)]);
    await store.close();
    stores.pop();
    const again = await open({}, dir);
    await check(again.store);
    await again.store.close();
    stores.pop();
    // Flushes written before token filters existed (NULL) are always read.
    const db = await DuckDBInstance.create(path.join(dir, 'traces.duckdb'));
    const c = await db.connect();
    await c.run('UPDATE span_flushes SET token_filter = NULL, min_duration = NULL, max_duration = NULL');
    c.closeSync();
    db.closeSync();
    const old = await open({}, dir);
    await check(old.store);
  });

  it('drops spans past traces.retention (whole old days, the older part of the boundary day)', async () => {
    const { store } = await open({ retentionMs: 2 * DAY_MS });
    await store.append('t', request('a', [span(1, 1, NOW - 5 * DAY_MS), span(2, 2, NOW - 2 * DAY_MS - 60_000), span(3, 3, NOW - 2 * DAY_MS + 60_000), span(4, 4, NOW - 1000)]));
    await store.flush();
    expect(await store.spanCount()).toBe(4);
    await store.applyRetention();
    expect(await store.getTrace('t', tid(1))).toEqual([]);
    expect(await store.getTrace('t', tid(2))).toEqual([]);
    expect(await store.getTrace('t', tid(3))).toHaveLength(1);
    expect(await store.getTrace('t', tid(4))).toHaveLength(1);
    expect(await store.spanCount()).toBe(2);
  });

  it('deletes the oldest spans while the database uses more than traces.max_bytes', { timeout: 120_000 }, async () => {
    const { store } = await open({ maxBytes: 0 });
    // Three days of spans, about 6 MB of blocks.
    for (let day = 3; day >= 1; day--) {
      for (let batch = 0; batch < 3; batch++) {
        const spans: OtlpSpan[] = [];
        for (let i = 0; i < 2000; i++) {
          const n = day * 100_000 + batch * 10_000 + i;
          spans.push(span(n, n, NOW - day * DAY_MS + i, { attributes: [{ key: 'pad', value: { type: 'string', value: randomBytes(200).toString('hex') } }] }));
        }
        await store.append('t', request('a', spans));
        await store.flush();
      }
    }
    const before = await store.usedBytes();
    const limited = new DuckDbTraceStore({ ...options(dirs[0]!), maxBytes: Math.floor(before / 2) });
    await store.close();
    stores.pop();
    await limited.open();
    stores.push(limited);
    await limited.applyRetention();
    expect(await limited.usedBytes()).toBeLessThanOrEqual(Math.floor(before / 2));
    // The newest day is kept, the oldest is gone.
    expect(await limited.getTrace('t', tid(100_000))).toHaveLength(1);
    expect(await limited.getTrace('t', tid(300_000))).toEqual([]);
  });

  it('moves spans stored by the first layout (one spans table of OTLP protobuf) into day tables', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-traces-'));
    dirs.push(dir);
    const inst = await DuckDBInstance.create(path.join(dir, 'traces.duckdb'));
    const c = await inst.connect();
    await c.run('CREATE TABLE spans (tenant VARCHAR NOT NULL, trace_id VARCHAR NOT NULL, span_id VARCHAR NOT NULL, start_ns BIGINT NOT NULL, end_ns BIGINT NOT NULL, service VARCHAR NOT NULL, name VARCHAR NOT NULL, payload BLOB NOT NULL)');
    const old = flattenTraces(request('legacy', [rich]))[0]!;
    const a = await c.createAppender('spans');
    a.appendVarchar('t');
    a.appendVarchar(tid(1));
    a.appendVarchar(sid(1));
    a.appendBigInt(rich.startTimeUnixNano);
    a.appendBigInt(rich.endTimeUnixNano);
    a.appendVarchar('legacy');
    a.appendVarchar(rich.name);
    a.appendBlob(encodeStoredSpan(old));
    a.endRow();
    a.closeSync();
    c.closeSync();
    inst.closeSync();
    const { store } = await open({}, dir);
    expect(await store.getTrace('t', tid(1))).toEqual([old]);
  });
});

describe('DuckDbTraceStore size retention within one day', () => {
  it('deletes the oldest quarter of the only day until under the limit', { timeout: 120_000 }, async () => {
    const { store, dir } = await open();
    for (let batch = 0; batch < 8; batch++) {
      const spans: OtlpSpan[] = [];
      for (let i = 0; i < 2000; i++) {
        const n = batch * 10_000 + i + 1;
        spans.push(span(n, n, NOW - 3_600_000 + batch * 60_000 + i, { attributes: [{ key: 'pad', value: { type: 'string', value: randomBytes(200).toString('hex') } }] }));
      }
      await store.append('t', request('a', spans));
      await store.flush();
    }
    const before = await store.usedBytes();
    await store.close();
    stores.pop();
    const { store: limited } = await open({ maxBytes: Math.floor(before * 0.6) }, dir);
    // Retention runs periodically; a run whose deletion DuckDB has not yet given back as free
    // blocks stops rather than delete more, and the next run finds the space freed.
    for (let run = 0; run < 3 && (run === 0 || (await limited.usedBytes()) > Math.floor(before * 0.6)); run++) await limited.applyRetention();
    expect(await limited.usedBytes()).toBeLessThanOrEqual(Math.floor(before * 0.6));
    expect(await limited.getTrace('t', tid(70_001))).toHaveLength(1);
    expect(await limited.getTrace('t', tid(1))).toEqual([]);
  });
});
