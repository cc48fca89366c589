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

  it('forgets label sets two generations old, and tells label sets apart by their content, not their hash alone', () => {
    const interner = new LabelsInterner(2);
    // The label fields of a TimeSeries, as the decoder hands them to the interner (after two bytes of something else).
    const key = (...pairs: Array<[string, string]>): [Uint8Array, number, number] => {
      const bytes = Buffer.from(WriteRequestType.encode(WriteRequestType.fromObject({ timeseries: [{ labels: pairs.map(([name, value]) => ({ name, value })) }] })).finish());
      // WriteRequest field 1 (tag, length), then the TimeSeries' label fields to the end.
      const inner = bytes[1]! < 0x80 ? 2 : 3;
      return [Buffer.concat([Buffer.from('xx'), bytes.subarray(inner)]), 2, 2 + bytes.length - inner];
    };
    const a = labelsFromRecord({ __name__: 'a' });
    interner.set(...key(['__name__', 'a']), a);
    interner.set(...key(['__name__', 'b']), labelsFromRecord({ __name__: 'b' }));
    interner.set(...key(['__name__', 'c']), labelsFromRecord({ __name__: 'c' }));
    expect(interner.get(...key(['__name__', 'a']))).toBe(a);
    interner.set(...key(['__name__', 'd']), labelsFromRecord({ __name__: 'd' }));
    interner.set(...key(['__name__', 'e']), labelsFromRecord({ __name__: 'e' }));
    expect(interner.get(...key(['__name__', 'b']))).toBeUndefined();
    expect(interner.get(...key(['__name__', 'ab']))).toBeUndefined();
    // Same hash, other labels: a set remembered under a forced collision is not handed out.
    const gen = (interner as unknown as { young: { entries: Map<number, { labels: unknown; next: unknown }> } }).young;
    const [buf, s, e] = key(['__name__', 'e']);
    let h = 0x811c9dc5 | 0;
    for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    gen.entries.set(h, { labels: labelsFromRecord({ __name__: 'x' }), next: undefined });
    expect(interner.get(buf, s, e)).toBeUndefined();
    // Non-ASCII text is compared too; an empty value (dropped by decoding) is a miss.
    const u = labelsFromRecord({ __name__: 'm', city: 'Zürich' });
    interner.set(...key(['__name__', 'm'], ['city', 'Zürich']), u);
    expect(interner.get(...key(['__name__', 'm'], ['city', 'Zürich']))).toBe(u);
    expect(interner.get(...key(['__name__', 'm'], ['city', 'Zürichs']))).toBeUndefined();
    expect(interner.get(...key(['__name__', 'm'], ['city', 'Zürich'], ['empty', '']))).toBeUndefined();
  });
});
