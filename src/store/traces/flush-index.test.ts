import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeyValue } from '../../receive/otlp/index.js';
import { attributeText, keyValueToken, valueToken } from './attr-tokens.js';
import { bloomHas, buildBloom, FlushIndex, TokenBloomBuilder, tokenBloomHas } from './flush-index.js';
import { flushMayMatch } from './span-predicate.js';

const ids = (n: number): string[] => Array.from({ length: n }, () => randomBytes(16).toString('hex'));

describe('FlushIndex', () => {
  it('never misses an id it was built with, and rarely claims one it was not', () => {
    const inside = ids(20_000);
    const bloom = buildBloom(inside, inside.length);
    expect(inside.every((id) => bloomHas(bloom, id))).toBe(true);
    const outside = ids(20_000);
    const false_ = outside.filter((id) => bloomHas(bloom, id)).length;
    expect(false_ / outside.length).toBeLessThan(0.02);
    // Structured ids (counters, zero padding) spread as well as random ones.
    const seq = Array.from({ length: 5000 }, (_, i) => i.toString(16).padStart(32, '0'));
    const b2 = buildBloom(seq, seq.length);
    const other = Array.from({ length: 5000 }, (_, i) => (i + 1_000_000).toString(16).padStart(32, '0'));
    expect(other.filter((id) => bloomHas(b2, id)).length / other.length).toBeLessThan(0.02);
  });

  it('points a lookup at the flushes of the day that may hold it (and always at unnumbered rows)', () => {
    const index = new FlushIndex();
    const a = ids(100);
    const b = ids(100);
    const f = (day: number, no: number, list: string[], minStart: bigint, maxStart: bigint): void =>
      index.add({ day, no, bloom: buildBloom(list, list.length), minStart, maxStart, rows: list.length });
    const n1 = index.allocate();
    f(10, n1, a, 100n, 200n);
    const n2 = index.allocate();
    f(10, n2, b, 150n, 300n);
    f(11, n2, b.slice(0, 1), 400n, 400n);
    expect(index.overlapping(0n, 1000n).map((x) => [x.day, x.no])).toEqual([[11, n2], [10, n2], [10, n1]]);
    expect(index.overlapping(250n, 350n).map((x) => x.no)).toEqual([n2]);
    expect(index.flushesFor(10, [a[5]!])).toEqual([0, n1]);
    expect(index.flushesFor(10, [a[5]!, b[7]!])).toEqual([0, n1, n2]);
    expect(index.flushesFor(11, [b[0]!])).toEqual([0, n2]);
    expect(index.flushesFor(12, [b[0]!])).toEqual([0]);
    index.dropDay(10);
    expect(index.flushesFor(10, [a[5]!])).toEqual([0]);
    const again = new FlushIndex();
    again.add({ day: 3, no: 41, bloom: buildBloom(a, a.length), minStart: 0n, maxStart: 0n, rows: 100 });
    expect(again.allocate()).toBe(42);
  });

  it('holds every attribute value of a flush (array elements, escaped text) and rules most others out', () => {
    const b = new TokenBloomBuilder();
    const spans: KeyValue[][] = [];
    for (let i = 0; i < 5000; i++) {
      spans.push([
        { key: 'order.id', value: { type: 'string', value: `ord-${i}` } },
        { key: 'n', value: { type: 'int', value: BigInt(i) } },
        { key: 'odd', value: { type: 'bool', value: i % 2 === 1 } },
        { key: 'tags', value: { type: 'array', value: [{ type: 'string', value: `t${i}` }, { type: 'double', value: i / 4 }] } },
        { key: 'we\u001fird\u001e', value: { type: 'string', value: `a\u001fb\u001e\\${i}` } },
        { key: 'kv', value: { type: 'kvlist', value: [{ key: 'x', value: { type: 'int', value: 1n } }] } },
      ]);
    }
    for (const attrs of spans) b.addText(attributeText(attrs));
    b.addText('');
    const bloom = b.build();
    const has = (key: string, v: Parameters<typeof valueToken>[0]): boolean => tokenBloomHas(bloom, keyValueToken(key, valueToken(v)!));
    for (let i = 0; i < 5000; i++) {
      expect(has('order.id', { type: 'string', value: `ord-${i}` })).toBe(true);
      expect(has('n', { type: 'int', value: BigInt(i) })).toBe(true);
      expect(has('tags', { type: 'string', value: `t${i}` })).toBe(true);
      expect(has('tags', { type: 'double', value: i / 4 })).toBe(true);
      expect(has('we\u001fird\u001e', { type: 'string', value: `a\u001fb\u001e\\${i}` })).toBe(true);
    }
    expect(has('odd', { type: 'bool', value: true })).toBe(true);
    let false_ = 0;
    for (let i = 5000; i < 25_000; i++) if (has('order.id', { type: 'string', value: `ord-${i}` })) false_++;
    expect(false_ / 20_000).toBeLessThan(0.02);
    // Same value, other key or type: a different token.
    expect(has('n', { type: 'string', value: '7' }) && has('missing', { type: 'int', value: 7n })).toBe(false);

    const attr = (key: string, value: string): { kind: 'spanAttr'; key: string; value: string } => ({ kind: 'spanAttr', key, value });
    expect(flushMayMatch(attr('order.id', 'sord-17'), { tokens: bloom })).toBe(true);
    expect(flushMayMatch(attr('order.id', 'sord-nope'), { tokens: bloom })).toBe(false);
    expect(flushMayMatch({ kind: 'and', items: [attr('order.id', 'sord-17'), attr('order.id', 'sord-nope')] }, { tokens: bloom })).toBe(false);
    expect(flushMayMatch({ kind: 'or', items: [attr('order.id', 'sord-nope'), attr('n', 'i17')] }, { tokens: bloom })).toBe(true);
    expect(flushMayMatch({ kind: 'or', items: [attr('order.id', 'sord-nope'), { kind: 'root' }] }, { tokens: bloom })).toBe(true);
    // Key presence and anything not about attribute values never rule a flush out.
    expect(flushMayMatch({ kind: 'spanAttr', key: 'absent' }, { tokens: bloom })).toBe(true);
    expect(flushMayMatch({ kind: 'text', column: 'name', op: '=', value: 'x' }, { tokens: bloom })).toBe(true);
  });

  it('rules a flush out by its shortest and longest span for duration bounds it cannot meet', () => {
    const f = { minDurationNs: 1_000n, maxDurationNs: 2_000_000n };
    const d = (op: '=' | '!=' | '<' | '<=' | '>' | '>=', ns: number): boolean => flushMayMatch({ kind: 'duration', op, ns }, f);
    expect([d('>', 2_000_000), d('>', 1_999_999.6), d('>=', 2_000_000), d('>=', 2_000_001)]).toEqual([false, false, true, false]);
    expect([d('<', 1_000), d('<', 1_001), d('<=', 1_000), d('<=', 999)]).toEqual([false, true, true, false]);
    expect([d('=', 5_000), d('=', 999), d('=', 2_000_001), d('!=', 5_000)]).toEqual([true, false, false, true]);
    // Flushes written before durations were recorded are always read.
    expect(flushMayMatch({ kind: 'duration', op: '>', ns: 1e15 }, {})).toBe(true);
    expect(flushMayMatch({ kind: 'or', items: [{ kind: 'duration', op: '>', ns: 1e15 }, { kind: 'root' }] }, f)).toBe(true);
    expect(flushMayMatch({ kind: 'and', items: [{ kind: 'duration', op: '>', ns: 1e15 }, { kind: 'root' }] }, f)).toBe(false);
  });
});
