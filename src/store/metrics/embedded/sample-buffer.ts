/**
 * The head's samples, for all series at once: three columns (time, value bits, link to the
 * same series' previous sample). A sample costs 20 bytes and no object; a series is just
 * the index of its newest sample, and its samples are found by following the links.
 * Why not arrays per series: with 100k series receiving one sample per request, per-series
 * typed arrays (growth, a fresh pair per flush) dominated memory and garbage collection.
 *
 * A flush swaps in a fresh buffer; the old one stays readable until the flush commits.
 */
export class SampleBuffer {
  t: Float64Array;
  /** Value bits, two u32 per sample (little-endian halves): NaN payloads survive. */
  bits: Uint32Array;
  prev: Int32Array;
  n = 0;

  constructor(capacity: number) {
    this.t = new Float64Array(capacity);
    this.bits = new Uint32Array(capacity * 2);
    this.prev = new Int32Array(capacity);
  }

  /** Appends a sample after `prev` (-1: the series' first here); returns its index. */
  append(prev: number, t: number, lo: number, hi: number): number {
    if (this.n === this.t.length) this.grow();
    const i = this.n++;
    this.t[i] = t;
    this.bits[i * 2] = lo;
    this.bits[i * 2 + 1] = hi;
    this.prev[i] = prev;
    return i;
  }

  /**
   * Copies the `count` samples ending at `last` into `t`/`bits` from `at` on, in append
   * order (the chain runs newest first).
   */
  copyOut(last: number, count: number, t: Float64Array, bits: Uint32Array, at: number): void {
    let i = last;
    for (let k = at + count - 1; k >= at; k--) {
      t[k] = this.t[i]!;
      bits[k * 2] = this.bits[i * 2]!;
      bits[k * 2 + 1] = this.bits[i * 2 + 1]!;
      i = this.prev[i]!;
    }
  }

  private grow(): void {
    const cap = this.t.length * 2;
    const t = new Float64Array(cap);
    const bits = new Uint32Array(cap * 2);
    const prev = new Int32Array(cap);
    t.set(this.t);
    bits.set(this.bits);
    prev.set(this.prev);
    this.t = t;
    this.bits = bits;
    this.prev = prev;
  }
}
