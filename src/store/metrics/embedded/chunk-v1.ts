import { BitReader } from './bit-stream.js';
import { XorReader, unzigzag } from './chunk-codes.js';
import type { DecodedChunk } from './chunk.js';

/**
 * Decoder of chunk format 1 (written before format 2; still read, and rewritten as format 2
 * by compaction). Layout: uvarint count, 1 bit mode, uvarint zigzag(first t), the first
 * value (64 raw bits, or zigzag uvarint in integer mode), then per sample a timestamp
 * delta-of-delta code and a value code (XOR, or delta-of-delta in integer mode).
 */
export function decodeChunkV1(data: Uint8Array): DecodedChunk {
  const r = new BitReader(data);
  const n = r.uvarint();
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  if (n === 0) return { timestamps, values };
  const bits = new Uint32Array(values.buffer);
  const intMode = r.bit();
  let t = unzigzag(r.uvarint());
  if (intMode) {
    let v = unzigzag(r.uvarint());
    timestamps[0] = t;
    values[0] = v;
    let d = 0;
    let vd = 0;
    for (let i = 1; i < n; i++) {
      d += readDodV1(r);
      t += d;
      timestamps[i] = t;
      vd += readDodV1(r);
      v += vd;
      values[i] = v;
    }
    return { timestamps, values };
  }
  const x = new XorReader(r.read(32), r.read(32));
  timestamps[0] = t;
  bits[0] = x.lo;
  bits[1] = x.hi;
  let delta = 0;
  for (let i = 1; i < n; i++) {
    delta += readDodV1(r);
    t += delta;
    timestamps[i] = t;
    x.read(r);
    bits[i * 2] = x.lo;
    bits[i * 2 + 1] = x.hi;
  }
  return { timestamps, values };
}

function readDodV1(r: BitReader): number {
  if (!r.bit()) return 0;
  if (!r.bit()) return unzigzag(r.read(14));
  if (!r.bit()) return unzigzag(r.read(17));
  if (!r.bit()) return unzigzag(r.read(20));
  return unzigzag(r.uvarint());
}
