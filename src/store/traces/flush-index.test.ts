import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bloomHas, buildBloom, FlushIndex } from './flush-index.js';

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
});
