import { BitReader, BitWriter } from './bit-stream.js';

/**
 * The on-disk sample chunk: timestamps as delta-of-delta, values as XOR with the previous
 * value (the Gorilla scheme that Prometheus' XOR chunks also use; written here from the
 * paper's description). Regular scrapes cost ~1 bit per timestamp and unchanged values 1 bit,
 * so typical series land near 1–2 bytes per sample. Values are handled as raw 64-bit
 * patterns, so staleness markers (a NaN payload) come back bit-exact.
 *
 * Integer-valued chunks (most counters and many gauges) use a second value mode: the
 * value's delta-of-delta with the timestamp codes, so a counter growing at a steady rate
 * costs about one bit per sample instead of the XOR's dozen.
 *
 * Layout: uvarint count, 1 bit mode, uvarint zigzag(first t), the first value (64 raw bits,
 * or zigzag uvarint in integer mode), then per sample a timestamp code and a value code.
 */

/**
 * Most samples in one chunk: 2 hours at a 15 s scrape interval, one chunk per compaction
 * window. Longer chunks hardly compress better (bench/metrics-ingest/codec.ts: 1.40 bytes
 * per sample at 120, 1.36 at 240) while a read decodes the whole chunk.
 */
export const MAX_CHUNK_SAMPLES = 480;

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}
function unzigzag(v: number): number {
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}
function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}
function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/** Encodes samples (ascending, unique timestamps) read from `values` by raw bits. */
export function encodeChunk(ts: ArrayLike<number>, values: Float64Array, from: number, to: number): Uint8Array {
  const w = new BitWriter();
  const n = to - from;
  w.uvarint(n);
  if (n === 0) return w.finish();
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const intMode = allSafeIntegers(values, from, to);
  w.bit(intMode);
  let prevT = ts[from]!;
  w.uvarint(zigzag(prevT));
  if (intMode) {
    let prevV = values[from]!;
    let prevVd = 0;
    w.uvarint(zigzag(prevV));
    let prevD = 0;
    for (let i = from + 1; i < to; i++) {
      const t = ts[i]!;
      const delta = t - prevT;
      writeDod(w, delta - prevD);
      prevD = delta;
      prevT = t;
      const v = values[i]!;
      const vd = v - prevV;
      writeDod(w, vd - prevVd);
      prevVd = vd;
      prevV = v;
    }
    return w.finish();
  }
  let prevHi = bits[from * 2 + 1]!;
  let prevLo = bits[from * 2]!;
  w.write(prevHi, 32);
  w.write(prevLo, 32);
  let prevDelta = 0;
  let leading = -1;
  let trailing = 0;
  for (let i = from + 1; i < to; i++) {
    const t = ts[i]!;
    const delta = t - prevT;
    const dod = delta - prevDelta;
    prevDelta = delta;
    prevT = t;
    writeDod(w, dod);
    const hi = bits[i * 2 + 1]!;
    const lo = bits[i * 2]!;
    const xhi = (hi ^ prevHi) >>> 0;
    const xlo = (lo ^ prevLo) >>> 0;
    prevHi = hi;
    prevLo = lo;
    if (xhi === 0 && xlo === 0) {
      w.bit(false);
      continue;
    }
    w.bit(true);
    let lz = clz64(xhi, xlo);
    const tz = ctz64(xhi, xlo);
    if (lz > 31) lz = 31;
    if (leading >= 0 && lz >= leading && tz >= trailing) {
      w.bit(false);
      const [shi, slo] = shiftRight(xhi, xlo, trailing);
      w.write64(shi, slo, 64 - leading - trailing);
    } else {
      leading = lz;
      trailing = tz;
      const sig = 64 - lz - tz;
      w.bit(true);
      w.write(lz, 5);
      w.write(sig - 1, 6);
      const [shi, slo] = shiftRight(xhi, xlo, tz);
      w.write64(shi, slo, sig);
    }
  }
  return w.finish();
}

/** Integer mode needs every value a safe integer whose deltas stay exact (and no -0). */
function allSafeIntegers(values: Float64Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 50 || Object.is(v, -0)) return false;
  }
  return true;
}

function writeDod(w: BitWriter, dod: number): void {
  if (dod === 0) w.bit(false);
  else if (dod >= -8191 && dod <= 8192) {
    w.write(0b10, 2);
    w.write(zigzag(dod), 14);
  } else if (dod >= -65535 && dod <= 65536) {
    w.write(0b110, 3);
    w.write(zigzag(dod), 17);
  } else if (dod >= -524287 && dod <= 524288) {
    w.write(0b1110, 4);
    w.write(zigzag(dod), 20);
  } else {
    w.write(0b1111, 4);
    w.uvarint(zigzag(dod));
  }
}

function shiftRight(hi: number, lo: number, n: number): [number, number] {
  if (n === 0) return [hi, lo];
  if (n >= 32) return [0, hi >>> (n - 32)];
  return [hi >>> n, ((lo >>> n) | (hi << (32 - n))) >>> 0];
}

function shiftLeft(hi: number, lo: number, n: number): [number, number] {
  if (n === 0) return [hi, lo];
  if (n >= 32) return [(lo << (n - 32)) >>> 0, 0];
  return [((hi << n) | (lo >>> (32 - n))) >>> 0, (lo << n) >>> 0];
}

export interface DecodedChunk {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

export function decodeChunk(data: Uint8Array): DecodedChunk {
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
      d += readDod(r);
      t += d;
      timestamps[i] = t;
      vd += readDod(r);
      v += vd;
      values[i] = v;
    }
    return { timestamps, values };
  }
  let hi = r.read(32);
  let lo = r.read(32);
  timestamps[0] = t;
  bits[0] = lo;
  bits[1] = hi;
  let delta = 0;
  let leading = 0;
  let trailing = 0;
  for (let i = 1; i < n; i++) {
    delta += readDod(r);
    t += delta;
    timestamps[i] = t;
    if (r.bit()) {
      if (r.bit()) {
        leading = r.read(5);
        trailing = 64 - leading - (r.read(6) + 1);
      }
      const sig = 64 - leading - trailing;
      let xhi = 0;
      let xlo: number;
      if (sig > 32) {
        xhi = r.read(sig - 32);
        xlo = r.read(32);
      } else xlo = r.read(sig);
      const [shi, slo] = shiftLeft(xhi, xlo, trailing);
      hi = (hi ^ shi) >>> 0;
      lo = (lo ^ slo) >>> 0;
    }
    bits[i * 2] = lo;
    bits[i * 2 + 1] = hi;
  }
  return { timestamps, values };
}


function readDod(r: BitReader): number {
  if (!r.bit()) return 0;
  if (!r.bit()) return unzigzag(r.read(14));
  if (!r.bit()) return unzigzag(r.read(17));
  if (!r.bit()) return unzigzag(r.read(20));
  return unzigzag(r.uvarint());
}
