import { BitReader, BitWriter, padded, peek32 } from './bit-stream.js';
import { XorWriter, codeBits, unzigzag, writeCode, zigzag } from './chunk-codes.js';
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
  const w = new BitWriter(16 + (to - from) * 2);
  encodeChunkTo(w, ts, values, from, to);
  return w.finish();
}

/**
 * encodeChunk into a writer that may hold other chunks before: the chunk starts at the
 * writer's byte position (which must be whole) and ends at its byte position after
 * `w.alignByte()`. A flush encodes every series' chunks into one writer this way.
 */
export function encodeChunkTo(w: BitWriter, ts: ArrayLike<number>, values: Float64Array, from: number, to: number): void {
  const n = to - from;
  w.write(0, 8);
  w.write(2, 8);
  w.uvarint(n);
  if (n === 0) return;
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
    return;
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
  const n = chunkSamples(data);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  decodeChunkInto(data, timestamps, values, new Uint32Array(values.buffer), 0);
  return { timestamps, values };
}

/** How many samples a chunk holds (its header), without decoding it. */
export function chunkSamples(data: Uint8Array): number {
  if (data.length < 2 || data[0] !== 0) return decodeChunkV1(data).timestamps.length;
  const r = new BitReader(data);
  r.read(16);
  return r.uvarint();
}

/** Position just past the code codeAt read last (kept outside to return two numbers without an allocation). */
let codeEnd = 0;

/** readCode over a padded buffer, a 32-bit word at a time. */
function codeAt(b: Uint8Array, pos: number): number {
  const w = peek32(b, pos);
  if (w < 0x80000000) {
    codeEnd = pos + 1;
    return 0;
  }
  if (w < 0xc0000000) {
    codeEnd = pos + 9;
    return unzigzag((w >>> 23) & 0x7f);
  }
  if (w < 0xe0000000) {
    codeEnd = pos + 17;
    return unzigzag((w >>> 15) & 0x3fff);
  }
  if (w < 0xf0000000) {
    codeEnd = pos + 24;
    return unzigzag((w >>> 8) & 0xfffff);
  }
  const r = new BitReader(b);
  r.pos = pos + 4;
  const v = unzigzag(r.uvarint());
  codeEnd = r.pos;
  return v;
}

/** The `n` (≤ 32) bits at `pos` of a padded buffer. */
function bitsAt(b: Uint8Array, pos: number, n: number): number {
  return n === 0 ? 0 : peek32(b, pos) >>> (32 - n);
}

/**
 * Decodes a chunk into `t`/`v` (`bits`: a Uint32Array over v's buffer) from index `at`,
 * which must have room for chunkSamples(data) samples; stops before the first sample
 * after `maxt`. Returns how many samples it wrote.
 *
 * Word-at-a-time over a padded copy: a regular scrape's sample is two zero bits (timestamp
 * and value codes), and runs of them are taken together.
 */
export function decodeChunkInto(data: Uint8Array, t: Float64Array, v: Float64Array, bits: Uint32Array, at: number, maxt = Infinity): number {
  if (data.length < 2 || data[0] !== 0) {
    const c = decodeChunkV1(data);
    let n = 0;
    while (n < c.timestamps.length && c.timestamps[n]! <= maxt) n++;
    t.set(c.timestamps.subarray(0, n), at);
    v.set(c.values.subarray(0, n), at);
    return n;
  }
  if (data[1] !== 2) throw new Error(`unknown chunk format ${data[1]}`);
  const r = new BitReader(data);
  r.read(16);
  const n = r.uvarint();
  if (n === 0) return 0;
  let ts = unzigzag(r.uvarint());
  if (ts > maxt) return 0;
  t[at] = ts;
  const form = r.read(2);
  let hi = 0;
  let lo = 0;
  let p = 1;
  let g = 0;
  let m = 0;
  if (form === FORM_XOR) {
    hi = r.read(32);
    lo = r.read(32);
    bits[at * 2] = lo;
    bits[at * 2 + 1] = hi;
  } else {
    p = 10 ** r.read(4);
    g = r.uvarint();
    m = unzigzag(r.uvarint());
    v[at] = m / p;
  }
  const b = padded(data);
  const limit = data.length * 8;
  let pos = r.pos;
  let d = 0;
  let delta = 0;
  let leading = 0;
  let trailing = 0;
  let i = 1;
  while (i < n) {
    const w = peek32(b, pos);
    if (w < 0x40000000) {
      // Both codes zero (same interval, same delta or value): a run of such samples at once.
      let run = Math.clz32(w) >>> 1;
      if (run > n - i) run = n - i;
      pos += run * 2;
      for (const end = i + run; i < end; i++) {
        ts += d;
        if (ts > maxt) return checkEnd(pos, limit, i);
        t[at + i] = ts;
        if (form === FORM_XOR) {
          bits[(at + i) * 2] = lo;
          bits[(at + i) * 2 + 1] = hi;
        } else {
          if (form === FORM_DOD) m += delta;
          else delta = 0;
          v[at + i] = m / p;
        }
      }
      continue;
    }
    d += codeAt(b, pos);
    pos = codeEnd;
    ts += d;
    if (ts > maxt) return checkEnd(pos, limit, i);
    t[at + i] = ts;
    if (form === FORM_XOR) {
      const x = peek32(b, pos);
      if (x >= 0x80000000) {
        if (x >= 0xc0000000) {
          leading = (x >>> 25) & 0x1f;
          trailing = 64 - leading - (((x >>> 19) & 0x3f) + 1);
          pos += 13;
        } else pos += 2;
        const sig = 64 - leading - trailing;
        let xhi = 0;
        let xlo: number;
        if (sig > 32) {
          xhi = bitsAt(b, pos, sig - 32);
          xlo = bitsAt(b, pos + sig - 32, 32);
        } else xlo = bitsAt(b, pos, sig);
        pos += sig;
        // Shift the meaningful bits back into place (64-bit shift left by `trailing`).
        let shi: number;
        let slo: number;
        if (trailing === 0) {
          shi = xhi;
          slo = xlo;
        } else if (trailing >= 32) {
          shi = (xlo << (trailing - 32)) >>> 0;
          slo = 0;
        } else {
          shi = ((xhi << trailing) | (xlo >>> (32 - trailing))) >>> 0;
          slo = (xlo << trailing) >>> 0;
        }
        hi = (hi ^ shi) >>> 0;
        lo = (lo ^ slo) >>> 0;
      } else pos += 1;
      bits[(at + i) * 2] = lo;
      bits[(at + i) * 2 + 1] = hi;
    } else {
      const c = codeAt(b, pos) * g;
      pos = codeEnd;
      delta = form === FORM_DELTA ? c : delta + c;
      m += delta;
      v[at + i] = m / p;
    }
    i++;
  }
  return checkEnd(pos, limit, n);
}

/** A chunk whose codes ran past its last byte is corrupt (the padding read as zeros). */
function checkEnd(pos: number, limit: number, n: number): number {
  if (pos > limit) throw new Error('chunk is truncated');
  return n;
}
