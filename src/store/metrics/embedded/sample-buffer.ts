/** Samples per segment (1.3 MB): growth adds segments, it never copies what is there. */
const SEGMENT_BITS = 16;
const SEGMENT = 1 << SEGMENT_BITS;
const MASK = SEGMENT - 1;

interface Segment {
  readonly t: Float64Array;
  /** Value bits, two u32 per sample (little-endian halves): NaN payloads survive. */
  readonly bits: Uint32Array;
  readonly prev: Int32Array;
}

/**
 * Segments of dropped buffers, for the next buffers to reuse. Why: the head is dropped and
 * rebuilt every head block (see EmbeddedMetricStore) and flush; freed segments went back to
 * malloc, which kept most of the pages (glibc raises its mmap threshold after the first such
 * free), so RSS stayed as if they were in use while fresh ones were allocated.
 */
const pool: Segment[] = [];
const POOL_MAX = 24;

/**
 * The head's samples, for all series at once: three columns (time, value bits, link to the
 * same series' previous sample). A sample costs 20 bytes and no object; a series is just
 * the index of its newest sample, and its samples are found by following the links.
 * Why not arrays per series: with 100k series receiving one sample per request, per-series
 * typed arrays (growth, a fresh pair per flush) dominated memory and garbage collection.
 * Why segments: doubling one array copies it, and held old and new at once (a 250 MB peak
 * at 6M samples).
 *
 * A flush swaps in a fresh buffer; the old one stays readable until the flush commits.
 */
export class SampleBuffer {
  private readonly segments: Segment[] = [];
  n = 0;

  /** Appends a sample after `prev` (-1: the series' first here); returns its index. */
  append(prev: number, t: number, lo: number, hi: number): number {
    const i = this.n;
    const off = i & MASK;
    if (off === 0) this.segments.push(pool.pop() ?? { t: new Float64Array(SEGMENT), bits: new Uint32Array(SEGMENT * 2), prev: new Int32Array(SEGMENT) });
    const s = this.segments[i >>> SEGMENT_BITS]!;
    s.t[off] = t;
    s.bits[off * 2] = lo;
    s.bits[off * 2 + 1] = hi;
    s.prev[off] = prev;
    this.n = i + 1;
    return i;
  }

  /**
   * Hands the segments to the next buffers. Only once nothing reads this buffer any more:
   * every series moved off it, and readers copy samples out synchronously.
   */
  release(): void {
    for (const s of this.segments) if (pool.length < POOL_MAX) pool.push(s);
    this.segments.length = 0;
    this.n = 0;
  }

  /** Time of sample `i`. */
  time(i: number): number {
    return this.segments[i >>> SEGMENT_BITS]!.t[i & MASK]!;
  }

  /** Index of the same series' sample before `i` (-1: none in this buffer). */
  previous(i: number): number {
    return this.segments[i >>> SEGMENT_BITS]!.prev[i & MASK]!;
  }

  /**
   * Copies the `count` samples ending at `last` into `t`/`bits` from `at` on, in append
   * order (the chain runs newest first).
   */
  copyOut(last: number, count: number, t: Float64Array, bits: Uint32Array, at: number): void {
    let i = last;
    for (let k = at + count - 1; k >= at; k--) {
      const s = this.segments[i >>> SEGMENT_BITS]!;
      const off = i & MASK;
      t[k] = s.t[off]!;
      bits[k * 2] = s.bits[off * 2]!;
      bits[k * 2 + 1] = s.bits[off * 2 + 1]!;
      i = s.prev[off]!;
    }
  }
}
