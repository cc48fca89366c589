/**
 * Big-endian bit writer/reader for the chunk encoding (bits are written most significant
 * first). Both move whole bytes at a time: chunk encoding runs for every series at every
 * flush and compaction, decoding for every chunk a query touches.
 */
export class BitWriter {
  private buf: Uint8Array;
  private bytePos = 0;
  /** Pending bits, most significant first, not yet a whole byte (0–7 of them). */
  private acc = 0;
  private accBits = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
  }

  /** Writes the low `n` bits (n ≤ 32) of `value`. */
  write(value: number, n: number): void {
    if (n === 0) return;
    if (this.bytePos + 5 > this.buf.length) this.grow();
    let left = n;
    // Top up the pending byte, then emit whole bytes.
    value = n < 32 ? value & (2 ** n - 1) : value >>> 0;
    while (left > 0) {
      const room = 8 - this.accBits;
      const take = left < room ? left : room;
      const bits = Math.floor(value / 2 ** (left - take)) & ((1 << take) - 1);
      this.acc = (this.acc << take) | bits;
      this.accBits += take;
      left -= take;
      if (this.accBits === 8) {
        this.buf[this.bytePos++] = this.acc;
        this.acc = 0;
        this.accBits = 0;
      }
    }
  }

  bit(b: boolean): void {
    this.acc = (this.acc << 1) | (b ? 1 : 0);
    if (++this.accBits === 8) {
      if (this.bytePos >= this.buf.length) this.grow();
      this.buf[this.bytePos++] = this.acc;
      this.acc = 0;
      this.accBits = 0;
    }
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

  /** Bits written so far. */
  get bits(): number {
    return this.bytePos * 8 + this.accBits;
  }

  /** Empties the writer, keeping its buffer (a flush encodes all its chunks into one writer). */
  reset(): void {
    this.bytePos = 0;
    this.acc = 0;
    this.accBits = 0;
  }

  /** Pads the pending bits with zeros to a whole byte (what finish() does to the last byte). */
  alignByte(): void {
    if (this.accBits > 0) this.write(0, 8 - this.accBits);
  }

  /** Whole bytes written so far. */
  get byteLength(): number {
    return this.bytePos;
  }

  /** Bytes [from, to) as a view, valid until the next write (which may move the buffer). */
  view(from: number, to: number): Uint8Array {
    return this.buf.subarray(from, to);
  }

  /** The buffer's size (a flusher drops a writer that one huge flush grew). */
  get capacity(): number {
    return this.buf.length;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.bytePos + (this.accBits > 0 ? 1 : 0));
    out.set(this.buf.subarray(0, this.bytePos));
    if (this.accBits > 0) out[this.bytePos] = this.acc << (8 - this.accBits);
    return out;
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2 + 8);
    next.set(this.buf);
    this.buf = next;
  }
}

export class BitReader {
  /** Position in bits. */
  pos = 0;
  private readonly limit: number;
  constructor(private readonly buf: Uint8Array) {
    this.limit = buf.length * 8;
  }

  /** Reads `n` bits (n ≤ 32) as an unsigned number. */
  read(n: number): number {
    if (this.pos + n > this.limit) throw new Error('chunk is truncated');
    let v = 0;
    let pos = this.pos;
    let left = n;
    while (left > 0) {
      const off = pos & 7;
      const avail = 8 - off;
      const take = left < avail ? left : avail;
      const bits = (this.buf[pos >>> 3]! >>> (avail - take)) & ((1 << take) - 1);
      v = v * (1 << take) + bits;
      left -= take;
      pos += take;
    }
    this.pos = pos;
    return v;
  }

  bit(): boolean {
    const pos = this.pos;
    if (pos >= this.limit) throw new Error('chunk is truncated');
    this.pos = pos + 1;
    return ((this.buf[pos >>> 3]! >>> (7 - (pos & 7))) & 1) === 1;
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

/**
 * Padded copies for the word-at-a-time decoder: peek32 may look up to 5 bytes past a
 * position, so the bytes past the data are zeros (the caller checks it did not read past
 * the real end).
 */
let padBuf = new Uint8Array(4096);

export function padded(data: Uint8Array): Uint8Array {
  if (padBuf.length < data.length + 8) padBuf = new Uint8Array(Math.max(data.length + 8, padBuf.length * 2));
  padBuf.set(data);
  padBuf.fill(0, data.length, data.length + 8);
  return padBuf;
}

/** The 32 bits starting at bit `pos` of a padded buffer, as an unsigned number. */
export function peek32(b: Uint8Array, pos: number): number {
  const i = pos >>> 3;
  const off = pos & 7;
  const w = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  return off === 0 ? w : ((w << off) | (b[i + 4]! >>> (8 - off))) >>> 0;
}
