import { describe, expect, it } from 'vitest';
import { STALE_NAN_HI, STALE_NAN_LO, isStaleAt } from '../../../model/index.js';
import { decodeChunk, encodeChunk } from './chunk.js';

function roundTrip(ts: number[], vs: number[], staleAt = -1): { t: Float64Array; v: Float64Array; bytes: number } {
  const v = Float64Array.from(vs);
  if (staleAt >= 0) new Uint32Array(v.buffer).set([STALE_NAN_LO, STALE_NAN_HI], staleAt * 2);
  const data = encodeChunk(ts, v, 0, ts.length);
  const out = decodeChunk(data);
  return { t: out.timestamps, v: out.values, bytes: data.length };
}

describe('sample chunk codec', () => {
  it('round-trips regular scrapes compactly and keeps staleness markers bit-exact', () => {
    const ts: number[] = [];
    const vs: number[] = [];
    let c = 0;
    for (let i = 0; i < 240; i++) {
      ts.push(1_700_000_000_000 + i * 15_000 + (i % 7 === 0 ? 3 : 0));
      c += i % 5 === 0 ? 0 : 3;
      vs.push(c);
    }
    const { t, v, bytes } = roundTrip(ts, vs);
    expect(Array.from(t)).toEqual(ts);
    expect(Array.from(v)).toEqual(vs);
    expect(bytes / ts.length).toBeLessThan(2);
    const stale = roundTrip(ts, vs, 100);
    for (let i = 0; i < vs.length; i++) if (i !== 100) expect(stale.v[i]).toBe(vs[i]);
    expect(isStaleAt(stale.v, 100)).toBe(true);
    // A float gauge that changes rarely also stays small.
    const g = roundTrip(ts, ts.map((_, i) => 0.25 * Math.floor(i / 30)));
    expect(Array.from(g.v)).toEqual(ts.map((_, i) => 0.25 * Math.floor(i / 30)));
    expect(g.bytes / ts.length).toBeLessThan(1.5);
  });

  it('round-trips awkward values and time gaps', () => {
    const ts = [-5000, 0, 1, 2, 10_000_000, 10_000_001, 9_007_199_254_000, 9_007_199_254_740];
    const vs = [0, -0, Infinity, -Infinity, NaN, 1e-300, 3.14159, -123456789.125];
    const { t, v } = roundTrip(ts, vs);
    expect(Array.from(t)).toEqual(ts);
    expect(Object.is(v[1], -0)).toBe(true);
    expect(Array.from(v)).toEqual(vs);
    const one = roundTrip([42], [7]);
    expect(Array.from(one.t)).toEqual([42]);
    expect(Array.from(roundTrip([], []).t)).toEqual([]);
  });

  it('round-trips random doubles', () => {
    const ts: number[] = [];
    const vs: number[] = [];
    let t = 1000;
    for (let i = 0; i < 2000; i++) {
      t += 1 + Math.floor(Math.random() * 1e7);
      ts.push(t);
      vs.push((Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 20 - 10));
    }
    const r = roundTrip(ts, vs);
    expect(Array.from(r.t)).toEqual(ts);
    expect(Array.from(r.v)).toEqual(vs);
    const ints = vs.map((x) => Math.round(x * 1e6));
    const ri = roundTrip(ts, ints);
    expect(Array.from(ri.v)).toEqual(ints);
    const pos = ints.map((x) => Math.abs(x) + 0);
    expect(Array.from(roundTrip(ts, pos).v)).toEqual(pos);
  });
});
