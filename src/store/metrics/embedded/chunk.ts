import { BitReader, BitWriter } from './bit-stream.js';
import { XorReader, XorWriter, codeBits, readCode, unzigzag, writeCode, zigzag } from './chunk-codes.js';
import { decodeChunkV1 } from './chunk-v1.js';

/**
 * The on-disk sample chunk, format 2. Timestamps: delta-of-delta codes (a regular scrape
 * costs 1 bit, a few ms of jitter 9). Values, the first form that fits the whole chunk:
 *
 * - integers after decimal scaling: when every value is m / 10^k exactly (k ≤ 9, as
 *   exporters print them: 1234.56, 0.25), the integers m, their deltas divided by their
 *   greatest common divisor (memory in pages, bytes in sectors), coded as deltas or as
 *   delta-of-deltas, whichever is shorter for this chunk;
 * - otherwise Gorilla XOR of the raw 64-bit patterns (NaN payloads, the staleness marker,
 *   come back bit-exact).
 *
 * Measured on a real node_exporter (bench/metrics-ingest/codec.ts) against format 1 (XOR,
 * or integer delta-of-deltas): 1.40 → ~1.0 bytes per sample in 120-sample chunks.
 *
 * Layout: 0x00 0x02, uvarint count, uvarint zigzag(first t), 2 bits value form (0 XOR,
 * 1 integer delta-of-deltas, 2 integer deltas); integer forms: 4 bits k, uvarint divisor,
 * uvarint zigzag(first m); XOR: the first value's 64 bits; then per sample a timestamp code
 * and a value code. Format 1 chunks (no 0x00 0x02 prefix) are still read.
 */

/**
 * Most samples in one chunk: 2 hours at a 15 s scrape interval, one chunk per compaction
 * window. Longer chunks hardly compress better (1.40 bytes per sample at 120, 1.36 at 240 in
 * format 1) while a read decodes the whole chunk.
 */
export const MAX_CHUNK_SAMPLES = 480;

const FORM_XOR = 0;
const FORM_DOD = 1;
const FORM_DELTA = 2;
const MAX_DECIMALS = 9;

export interface DecodedChunk {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** Encodes samples [from, to) (ascending, unique timestamps) read from `values` by raw bits. */
export function encodeChunk(ts: ArrayLike<number>, values: Float64Array, from: number, to: number): Uint8Array {
  const n = to - from;
  const w = new BitWriter(16 + n * 2);
  w.write(0, 8);
  w.write(2, 8);
  w.uvarint(n);
  if (n === 0) return w.finish();
  let prevT = ts[from]!;
  w.uvarint(zigzag(prevT));
  let prevD = 0;
  const timeCode = (i: number): void => {
    const t = ts[i]!;
    const d = t - prevT;
    writeCode(w, d - prevD);
    prevD = d;
    prevT = t;
  };
  const ints = integerForm(values, from, to);
  if (ints) {
    const { m, k, g, form } = ints;
    w.write(form, 2);
    w.write(k, 4);
    w.uvarint(g);
    w.uvarint(zigzag(m[0]!));
    let prevDelta = 0;
    for (let i = 1; i < n; i++) {
      timeCode(from + i);
      const d = (m[i]! - m[i - 1]!) / g;
      writeCode(w, form === FORM_DELTA ? d : d - prevDelta);
      prevDelta = d;
    }
    return w.finish();
  }
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  w.write(FORM_XOR, 2);
  w.write(bits[from * 2 + 1]!, 32);
  w.write(bits[from * 2]!, 32);
  const x = new XorWriter(bits[from * 2 + 1]!, bits[from * 2]!);
  for (let i = from + 1; i < to; i++) {
    timeCode(i);
    x.write(w, bits[i * 2 + 1]!, bits[i * 2]!);
  }
  return w.finish();
}

/**
 * The chunk's values as integers m with value = m / 10^k exactly (the decoder's very
 * division), their deltas' common divisor and the cheaper of the two codings; undefined
 * when some value is not such a number (then XOR).
 */
function integerForm(values: Float64Array, from: number, to: number): { m: Float64Array; k: number; g: number; form: number } | undefined {
  const n = to - from;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || Object.is(v, -0)) return undefined;
  }
  const m = new Float64Array(n);
  let k = 0;
  for (; k <= MAX_DECIMALS; k++) {
    const p = 10 ** k;
    let ok = true;
    for (let i = 0; i < n; i++) {
      const v = values[from + i]!;
      const x = Math.round(v * p);
      if (Math.abs(x) > 2 ** 50 || x / p !== v) {
        ok = false;
        break;
      }
      m[i] = x;
    }
    if (ok) break;
  }
  if (k > MAX_DECIMALS) return undefined;
  let g = 0;
  for (let i = 1; i < n; i++) g = gcd(g, Math.abs(m[i]! - m[i - 1]!));
  if (g === 0) g = 1;
  let deltaBits = 0;
  let dodBits = 0;
  let prev = 0;
  for (let i = 1; i < n; i++) {
    const d = (m[i]! - m[i - 1]!) / g;
    deltaBits += codeBits(d);
    dodBits += codeBits(d - prev);
    prev = d;
  }
  return { m, k, g, form: deltaBits < dodBits ? FORM_DELTA : FORM_DOD };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export function decodeChunk(data: Uint8Array): DecodedChunk {
  if (data.length < 2 || data[0] !== 0) return decodeChunkV1(data);
  if (data[1] !== 2) throw new Error(`unknown chunk format ${data[1]}`);
  const r = new BitReader(data);
  r.read(16);
  const n = r.uvarint();
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  if (n === 0) return { timestamps, values };
  let t = unzigzag(r.uvarint());
  timestamps[0] = t;
  let d = 0;
  const form = r.read(2);
  if (form === FORM_XOR) {
    const bits = new Uint32Array(values.buffer);
    const x = new XorReader(r.read(32), r.read(32));
    bits[0] = x.lo;
    bits[1] = x.hi;
    for (let i = 1; i < n; i++) {
      d += readCode(r);
      t += d;
      timestamps[i] = t;
      x.read(r);
      bits[i * 2] = x.lo;
      bits[i * 2 + 1] = x.hi;
    }
    return { timestamps, values };
  }
  const p = 10 ** r.read(4);
  const g = r.uvarint();
  let m = unzigzag(r.uvarint());
  values[0] = m / p;
  let delta = 0;
  for (let i = 1; i < n; i++) {
    d += readCode(r);
    t += d;
    timestamps[i] = t;
    const c = readCode(r) * g;
    delta = form === FORM_DELTA ? c : delta + c;
    m += delta;
    values[i] = m / p;
  }
  return { timestamps, values };
}
