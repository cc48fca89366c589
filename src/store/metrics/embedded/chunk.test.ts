import { describe, expect, it } from 'vitest';
import { STALE_NAN_HI, STALE_NAN_LO, isStaleAt } from '../../../model/index.js';
import { chunkSamples, decodeChunk, decodeChunkInto, encodeChunk } from './chunk.js';

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

  it('stores decimal and page-sized values as scaled integers, far smaller than XOR, exactly', () => {
    const ts = Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * 15_000);
    let cpu = 12345.67;
    const cpuSeconds = ts.map((_, i) => (cpu = Math.round((cpu + 0.01 * ((i * 37) % 300)) * 100) / 100));
    const memory = ts.map((_, i) => 8_000_000_000 - 4096 * ((i * 7919) % 5000));
    const load = ts.map((_, i) => [0.52, 0.48, 1.07, 0.9][i % 4]!);
    for (const vs of [cpuSeconds, memory, load]) {
      const { v, bytes } = roundTrip(ts, vs);
      expect(Array.from(v)).toEqual(vs);
      expect(bytes / ts.length).toBeLessThan(3);
    }
    // Numbers that are not short decimals (9 digits after the point and more) fall back to XOR, exactly.
    const odd = ts.map((_, i) => Math.PI * i + 1e-12);
    expect(Array.from(roundTrip(ts, odd).v)).toEqual(odd);
  });

  it('reads chunks of format 1, written by earlier versions', () => {
    const ts = [1700000000000, 1700000015000, 1700000030003, 1700000045000];
    const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
    const f = decodeChunk(hex('04405055ff7cb11ff000000000000063a986c03000d9f8fc9705f4136b4ac005e0fff86cb82fa09b5a54'));
    expect(Array.from(f.timestamps)).toEqual(ts);
    expect(Array.from(f.values)).toEqual([0.5, 0.75, 1e-9, -3.25]);
    const stale = decodeChunk(hex('04405055ff7cb11ff800000000000063a98612bffc0036c0300178bcffe0000000000008'));
    expect(Array.from(stale.values.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(isStaleAt(stale.values, 3)).toBe(true);
    expect(Array.from(decodeChunk(hex('04c05055ff7cb16400e3a98403c40032002e06e0')).values)).toEqual([100, 160, 220, 500]);
  });

  it('decodes into shared arrays at an offset, up to a time, and refuses a truncated chunk', () => {
    for (const vs of [[5, 6, 7, 8, 9, 10, 11, 12, 13, 14], [0.1, Math.PI, 2, 2, 2, 2, -7e300, 2, 2, 1]]) {
      // Regular steps (zero-code runs), then a jitter and a jump past the 20-bit code.
      const ts = [0, 15, 30, 45, 60, 75, 91, 106, 5_000_000_106, 5_000_000_121].map((x) => 1_700_000_000_000 + x * 1000);
      const data = encodeChunk(ts, Float64Array.from(vs), 0, ts.length);
      expect(chunkSamples(data)).toBe(10);
      const t = new Float64Array(13);
      const v = new Float64Array(13);
      expect(decodeChunkInto(data, t, v, new Uint32Array(v.buffer), 3)).toBe(10);
      expect(Array.from(t.subarray(3))).toEqual(ts);
      expect(Array.from(v.subarray(3))).toEqual(vs);
      t.fill(0);
      expect(decodeChunkInto(data, t, v, new Uint32Array(v.buffer), 0, ts[6]!)).toBe(7);
      expect(Array.from(t.subarray(0, 7))).toEqual(ts.slice(0, 7));
      expect(t[7]).toBe(0);
      expect(decodeChunkInto(data, t, v, new Uint32Array(v.buffer), 0, ts[0]! - 1)).toBe(0);
      expect(() => decodeChunk(data.subarray(0, data.length - 4))).toThrow(/truncated/);
    }
  });
});
