/** Big-endian bit writer/reader for the chunk encoding (bits are written most significant first). */
export class BitWriter {
  private buf = new Uint8Array(64);
  private bytePos = 0;
  private bitPos = 0; // bits used in buf[bytePos]

  /** Writes the low `n` bits (n ≤ 32) of `value`. */
  write(value: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) {
      if (this.bitPos === 0) this.ensure();
      if ((value >>> i) & 1) this.buf[this.bytePos]! |= 0x80 >>> this.bitPos;
      if (++this.bitPos === 8) {
        this.bitPos = 0;
        this.bytePos++;
      }
    }
  }

  bit(b: boolean): void {
    this.write(b ? 1 : 0, 1);
  }

  /** Writes the low `n` bits (n ≤ 64) of the 64-bit value hi:lo. */
  write64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.write(hi, n - 32);
      this.write(lo, 32);
    } else this.write(lo, n);
  }

  /** Unsigned varint of a non-negative integer up to 2^53. */
  uvarint(v: number): void {
    while (v >= 0x80) {
      this.write((v % 128) | 0x80, 8);
      v = Math.floor(v / 128);
    }
    this.write(v, 8);
  }

  finish(): Uint8Array {
    const len = this.bytePos + (this.bitPos > 0 ? 1 : 0);
    return this.buf.slice(0, len);
  }

  private ensure(): void {
    if (this.bytePos >= this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
  }
}

export class BitReader {
  private bytePos = 0;
  private bitPos = 0;
  constructor(private readonly buf: Uint8Array) {}

  read(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      if (this.bytePos >= this.buf.length) throw new Error('chunk is truncated');
      const bit = (this.buf[this.bytePos]! >>> (7 - this.bitPos)) & 1;
      v = ((v << 1) | bit) >>> 0;
      if (++this.bitPos === 8) {
        this.bitPos = 0;
        this.bytePos++;
      }
    }
    return v;
  }

  bit(): boolean {
    return this.read(1) === 1;
  }

  uvarint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.read(8);
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
  }
}
