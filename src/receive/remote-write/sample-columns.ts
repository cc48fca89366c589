/**
 * The samples of a whole request in two growable columns, so a request costs two arrays
 * instead of two per series; series get views into them once decoding is done. Values are
 * copied as raw bits (two little-endian u32), so a NaN's payload (the staleness marker)
 * can never be canonicalised on the way.
 */
export class SampleColumns {
  t: Float64Array;
  v: Float64Array;
  private bits: Uint32Array;
  n = 0;

  constructor(capacity: number) {
    this.t = new Float64Array(Math.max(16, capacity));
    this.v = new Float64Array(this.t.length);
    this.bits = new Uint32Array(this.v.buffer);
  }

  /** Appends a sample whose value is the 8 little-endian bytes at `buf[valueAt]` (-1: value 0). */
  push(t: number, buf: Buffer, valueAt: number): void {
    if (this.n === this.t.length) this.grow();
    const i = this.n++;
    this.t[i] = t;
    if (valueAt < 0) {
      this.bits[i * 2] = 0;
      this.bits[i * 2 + 1] = 0;
    } else {
      this.bits[i * 2] = buf.readUInt32LE(valueAt);
      this.bits[i * 2 + 1] = buf.readUInt32LE(valueAt + 4);
    }
  }

  private grow(): void {
    const t = new Float64Array(this.t.length * 2);
    const v = new Float64Array(t.length);
    t.set(this.t);
    v.set(this.v);
    this.t = t;
    this.v = v;
    this.bits = new Uint32Array(v.buffer);
  }
}
