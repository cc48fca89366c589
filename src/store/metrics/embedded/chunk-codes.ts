import type { BitReader, BitWriter } from './bit-stream.js';

/** Bit-level pieces shared by the chunk formats (chunk.ts, chunk-v1.ts). */

export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

export function unzigzag(v: number): number {
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}

/**
 * Format 2's variable-length integer code (timestamp delta-of-deltas, integer value
 * deltas): '0' for 0, then buckets of 7, 14 and 20 bits, then a varint. The 7-bit bucket
 * is what a scrape's few milliseconds of jitter need.
 */
export function writeCode(w: BitWriter, d: number): void {
  if (d === 0) {
    w.bit(false);
    return;
  }
  const z = zigzag(d);
  if (z < 1 << 7) {
    w.write(0b10, 2);
    w.write(z, 7);
  } else if (z < 1 << 14) {
    w.write(0b110, 3);
    w.write(z, 14);
  } else if (z < 1 << 20) {
    w.write(0b1110, 4);
    w.write(z, 20);
  } else {
    w.write(0b1111, 4);
    w.uvarint(z);
  }
}

/** Bits writeCode takes for `d` (to pick the cheaper of two encodings). */
export function codeBits(d: number): number {
  if (d === 0) return 1;
  const z = zigzag(d);
  if (z < 1 << 7) return 9;
  if (z < 1 << 14) return 17;
  if (z < 1 << 20) return 24;
  let bytes = 1;
  for (let v = z; v >= 128; v = Math.floor(v / 128)) bytes++;
  return 4 + bytes * 8;
}

export function readCode(r: BitReader): number {
  if (!r.bit()) return 0;
  if (!r.bit()) return unzigzag(r.read(7));
  if (!r.bit()) return unzigzag(r.read(14));
  if (!r.bit()) return unzigzag(r.read(20));
  return unzigzag(r.uvarint());
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

/**
 * Gorilla XOR value coding (written from the paper's description, as Prometheus' XOR chunks
 * do): a value equal to the previous one costs 1 bit; otherwise the XOR's meaningful bits,
 * reusing the previous leading/trailing window when they fit. Works on raw 64-bit patterns,
 * so a NaN's payload (the staleness marker) comes back bit-exact.
 */
export class XorWriter {
  private leading = -1;
  private trailing = 0;
  constructor(
    private prevHi: number,
    private prevLo: number,
  ) {}

  write(w: BitWriter, hi: number, lo: number): void {
    const xhi = (hi ^ this.prevHi) >>> 0;
    const xlo = (lo ^ this.prevLo) >>> 0;
    this.prevHi = hi;
    this.prevLo = lo;
    if (xhi === 0 && xlo === 0) {
      w.bit(false);
      return;
    }
    w.bit(true);
    let lz = clz64(xhi, xlo);
    const tz = ctz64(xhi, xlo);
    if (lz > 31) lz = 31;
    if (this.leading >= 0 && lz >= this.leading && tz >= this.trailing) {
      w.bit(false);
      const [shi, slo] = shiftRight(xhi, xlo, this.trailing);
      w.write64(shi, slo, 64 - this.leading - this.trailing);
    } else {
      this.leading = lz;
      this.trailing = tz;
      const sig = 64 - lz - tz;
      w.bit(true);
      w.write(lz, 5);
      w.write(sig - 1, 6);
      const [shi, slo] = shiftRight(xhi, xlo, tz);
      w.write64(shi, slo, sig);
    }
  }
}

export class XorReader {
  private leading = 0;
  private trailing = 0;
  constructor(
    public hi: number,
    public lo: number,
  ) {}

  /** Reads the next value into hi/lo. */
  read(r: BitReader): void {
    if (!r.bit()) return;
    if (r.bit()) {
      this.leading = r.read(5);
      this.trailing = 64 - this.leading - (r.read(6) + 1);
    }
    const sig = 64 - this.leading - this.trailing;
    let xhi = 0;
    let xlo: number;
    if (sig > 32) {
      xhi = r.read(sig - 32);
      xlo = r.read(32);
    } else xlo = r.read(sig);
    const [shi, slo] = shiftLeft(xhi, xlo, this.trailing);
    this.hi = (this.hi ^ shi) >>> 0;
    this.lo = (this.lo ^ slo) >>> 0;
  }
}
