import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../model/index.js';
import { labelsHash, ratioOffset, xxhash64 } from './label-hash.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('label hash for limit_ratio', () => {
  it('is xxHash64 with seed 0 (published test vectors)', () => {
    expect(xxhash64(bytes('')).toString(16)).toBe('ef46db3751d8e999');
    expect(xxhash64(bytes('a')).toString(16)).toBe('d24ec4f1a98c6e5b');
    expect(xxhash64(bytes('abc')).toString(16)).toBe('44bc2cf5ad770999');
    expect(xxhash64(bytes('Nobody inspects the spammish repetition')).toString(16)).toBe('fbcea83c8a378bf1');
  });

  it('hashes the length-prefixed name/value encoding of the sorted label set', () => {
    const ls = labelsFromRecord({ job: 'api', __name__: 'up' });
    const enc = Uint8Array.from([8, ...bytes('__name__'), 2, ...bytes('up'), 3, ...bytes('job'), 3, ...bytes('api')]);
    expect(labelsHash(ls)).toBe(xxhash64(enc));
    const long = 'v'.repeat(300);
    const withLong = Uint8Array.from([1, ...bytes('a'), 255, 300 & 0xff, 300 >> 8, 0, ...bytes(long)]);
    expect(labelsHash(labelsFromRecord({ a: long }))).toBe(xxhash64(withLong));
    const off = ratioOffset(ls);
    expect(off).toBeGreaterThanOrEqual(0);
    expect(off).toBeLessThan(1);
  });
});
