import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { SpanChunkWriter } from './span-chunk.js';
import type { HeadSpan } from './span-head.js';
import { SPAN_COLUMNS } from './span-sql.js';

const hexOf = (v: bigint, digits: number): string => v.toString(16).padStart(digits, '0');

describe('SpanChunkWriter', () => {
  it('stores every column exactly, over several chunks, inline and long strings, edge ids and times', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      await c.run(`CREATE TABLE spans_t (${SPAN_COLUMNS})`);
      const names = ['', 'a', 'GET /x', 'twelve-chars', 'thirteen-char', 'ä', 'naïve-1234', '🙂 emoji span name', 'x'.repeat(300)];
      const payloads = [Buffer.alloc(0), Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(12, 7), Buffer.alloc(13, 9), Buffer.alloc(500, 0xfe)];
      const spans: Array<{ tenant: string; s: HeadSpan }> = [];
      for (let i = 0; i < 5000; i++) {
        const trace = i === 0 ? (1n << 128n) - 1n : (BigInt(i) << 100n) | BigInt(i * 7919);
        const span = i === 1 ? (1n << 64n) - 1n : (BigInt(i) << 40n) | 0x8000000000000000n;
        spans.push({
          tenant: i % 3 === 0 ? 'single-tenant' : i % 3 === 1 ? 't' : 'a-much-longer-tenant-name',
          s: {
            traceId: hexOf(trace, 32),
            spanId: hexOf(span, 16),
            parentSpanId: i % 4 === 0 ? '' : hexOf(BigInt(i) * 0x1000003n, 16),
            startNs: i === 2 ? (1n << 63n) + 5n : BigInt(i) * 1_000_000_007n,
            endNs: BigInt(i) * 1_000_000_007n + BigInt(i),
            service: i % 2 === 0 ? 'orders-db-proxy' : 'web',
            name: names[i % names.length]!,
            kind: i % 6,
            status: i % 3,
            resourceId: (1n << 64n) - 1n - BigInt(i),
            scopeId: BigInt(i),
            attrs: `\u001fk\u001esv${i}\u001f`,
            payload: payloads[i % payloads.length]!,
          },
        });
      }
      const a = await c.createAppender('spans_t');
      const w = new SpanChunkWriter(a);
      for (const { tenant, s } of spans) w.add(tenant, s, 42);
      w.write();
      a.closeSync();
      const rows = (await c.runAndReadAll('SELECT tenant, trace_id, span_id, parent_id, start_ns, end_ns, service, name, kind, status, resource_id, scope_id, attrs, payload, flush_no FROM spans_t ORDER BY rowid')).getRows();
      expect(rows.length).toBe(spans.length);
      const I64 = (1n << 63n) - 1n;
      rows.forEach((r, i) => {
        const { tenant, s } = spans[i]!;
        expect(r[0]).toBe(tenant);
        expect(hexOf(r[1] as bigint, 32)).toBe(s.traceId);
        expect(hexOf(r[2] as bigint, 16)).toBe(s.spanId);
        expect(r[3]).toBe(s.parentSpanId === '' ? 0n : BigInt(`0x${s.parentSpanId}`));
        expect(r[4]).toBe(s.startNs > I64 ? I64 : s.startNs);
        expect(r[5]).toBe(s.endNs);
        expect(r[6]).toBe(s.service);
        expect(r[7]).toBe(s.name);
        expect(Number(r[8])).toBe(s.kind);
        expect(Number(r[9])).toBe(s.status);
        expect(r[10]).toBe(s.resourceId);
        expect(r[11]).toBe(s.scopeId);
        expect(r[12]).toBe(s.attrs);
        expect(Buffer.from((r[13] as { bytes: Uint8Array }).bytes).equals(s.payload)).toBe(true);
        expect(Number(r[14])).toBe(42);
      });
      // Inline strings compare like any other (their unused bytes are zero).
      expect((await c.runAndReadAll(`SELECT count(*) FROM spans_t WHERE name = 'twelve-chars' AND tenant = 't'`)).getRows()[0]![0]).toBe(BigInt(spans.filter((x) => x.s.name === 'twelve-chars' && x.tenant === 't').length));
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});
