import { describe, expect, it } from 'vitest';
import { STALE_NAN_HI, STALE_NAN_LO, isStaleAt, labelsFromRecord } from '../../model/index.js';
import { decodeWriteRequest } from './decode.js';
import { LabelsInterner } from './labels-interner.js';
import { WriteRequestType } from './schema.js';

function encode(timeseries: unknown[]): Buffer {
  return Buffer.from(WriteRequestType.encode(WriteRequestType.fromObject({ timeseries })).finish());
}

describe('remote write 1.0 decoder', () => {
  it('decodes into request-wide columns and hands out the same label set for the same bytes', () => {
    const body = encode([
      { labels: [{ name: '__name__', value: 'a' }, { name: 'job', value: 'x' }], samples: [{ value: 1.5, timestamp: 1000 }, { value: -2, timestamp: 2000 }] },
      { labels: [{ name: '__name__', value: 'b' }], samples: [{ value: 3, timestamp: -5 }] },
    ]);
    const interner = new LabelsInterner();
    const first = decodeWriteRequest(body, interner);
    const again = decodeWriteRequest(body, interner);
    expect(first.samples).toBe(3);
    expect(first.series.map((s) => [s.labels, Array.from(s.timestamps), Array.from(s.values)])).toEqual([
      [labelsFromRecord({ __name__: 'a', job: 'x' }), [1000, 2000], [1.5, -2]],
      [labelsFromRecord({ __name__: 'b' }), [-5], [3]],
    ]);
    expect(again.series[0]!.labels).toBe(first.series[0]!.labels);
    expect(again.series[1]!.labels).toBe(first.series[1]!.labels);
    expect(Array.from(again.series[1]!.values)).toEqual([3]);
    const extremes = decodeWriteRequest(encode([{ labels: [{ name: '__name__', value: 'c' }], samples: [{ value: 0, timestamp: 2 ** 53 - 1 }, { value: 0, timestamp: -1_700_000_000_123 }] }]));
    expect(Array.from(extremes.series[0]!.timestamps)).toEqual([2 ** 53 - 1, -1_700_000_000_123]);
  });

  it('keeps staleness markers bit-exact and decodes labels split around samples', () => {
    // Hand-made wire bytes: label, sample (value = staleness NaN), label — legal protobuf, unusual order.
    const label = (n: string, v: string): Buffer => {
      const inner = Buffer.concat([Buffer.from([0x0a, n.length]), Buffer.from(n), Buffer.from([0x12, v.length]), Buffer.from(v)]);
      return Buffer.concat([Buffer.from([0x0a, inner.length]), inner]);
    };
    const value = Buffer.alloc(8);
    value.writeUInt32LE(STALE_NAN_LO, 0);
    value.writeUInt32LE(STALE_NAN_HI, 4);
    const sampleInner = Buffer.concat([Buffer.from([0x09]), value, Buffer.from([0x10, 0x07])]);
    const sample = Buffer.concat([Buffer.from([0x12, sampleInner.length]), sampleInner]);
    const ts = Buffer.concat([label('__name__', 'up'), sample, label('job', 'j')]);
    const body = Buffer.concat([Buffer.from([0x0a, ts.length]), ts]);
    const interner = new LabelsInterner();
    for (let i = 0; i < 2; i++) {
      const d = decodeWriteRequest(body, interner);
      expect(d.series[0]!.labels).toEqual(labelsFromRecord({ __name__: 'up', job: 'j' }));
      expect(Array.from(d.series[0]!.timestamps)).toEqual([7]);
      expect(isStaleAt(d.series[0]!.values, 0)).toBe(true);
    }
  });

  it('refuses an invalid label set every time, not only the first', () => {
    const body = encode([{ labels: [{ name: 'job', value: 'x' }], samples: [{ value: 1, timestamp: 1 }] }]);
    const interner = new LabelsInterner();
    for (let i = 0; i < 2; i++) expect(() => decodeWriteRequest(body, interner)).toThrow(/no metric name/);
  });

  it('forgets label sets two generations old, and tells colliding keys apart by their bytes', () => {
    const interner = new LabelsInterner(2);
    const key = (s: string): [Uint8Array, number, number] => [Buffer.from(`xx${s}yy`), 2, 2 + s.length];
    const a = labelsFromRecord({ __name__: 'a' });
    interner.set(...key('a'), a);
    interner.set(...key('b'), labelsFromRecord({ __name__: 'b' }));
    interner.set(...key('c'), labelsFromRecord({ __name__: 'c' }));
    expect(interner.get(...key('a'))).toBe(a);
    interner.set(...key('d'), labelsFromRecord({ __name__: 'd' }));
    interner.set(...key('e'), labelsFromRecord({ __name__: 'e' }));
    expect(interner.get(...key('b'))).toBeUndefined();
    expect(interner.get(...key('ab'))).toBeUndefined();
  });
});
