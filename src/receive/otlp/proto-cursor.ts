/**
 * The protobuf wire reader under the OTLP fast path (fast-traces.ts): a cursor over one
 * buffer that gives up (GiveUp) on anything malformed instead of describing it, since the
 * general decoder then reports the problem. Attribute keys are interned by their bytes: the
 * same few keys recur in every span.
 */
/** Thrown inside the reader; the caller turns it into "not for the fast path". */
export class GiveUp extends Error {}
export const giveUp = (): never => {
  throw new GiveUp();
};

/** Deepest nesting of AnyValue arrays and kvlists read. */
export const MAX_DEPTH = 32;
const MAX_KEY = 64;
const KEY_SLOTS = 2048;
const keyBytes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(KEY_SLOTS);
const keyStrings: string[] = new Array<string>(KEY_SLOTS);

/** A position in a protobuf message: varints, fixed numbers, strings, interned keys, nested messages. */
export class Cursor {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /** A varint up to 2^53 as a number (lengths, tags, enums, counts). */
  varint(): number {
    let out = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) giveUp();
      const b = this.buf[this.pos++]!;
      out += (b & 0x7f) * mul;
      if (b < 0x80) return out;
      mul *= 128;
    }
    return giveUp();
  }

  /** A full 64-bit varint as a signed bigint (int64). */
  varint64(): bigint {
    // Up to 7 bytes (49 bits, every small and positive value): one exact number, one BigInt.
    let n = 0;
    let mul = 1;
    const start = this.pos;
    for (let i = 0; i < 7 && this.pos < this.end; i++) {
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return BigInt(n);
      mul *= 128;
    }
    this.pos = start;
    return this.varint64Long();
  }

  private varint64Long(): bigint {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) giveUp();
      const b = this.buf[this.pos++]!;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if (b < 0x80) return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    }
    return giveUp();
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) giveUp();
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) giveUp();
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.end) giveUp();
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** The bounds of a length-delimited field. */
  sub(): Cursor {
    const n = this.varint();
    const start = this.pos;
    if (start + n > this.end) giveUp();
    this.pos = start + n;
    return new Cursor(this.buf, start, start + n);
  }

  string(): string {
    const n = this.varint();
    if (this.pos + n > this.end) giveUp();
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /**
   * A string that repeats from span to span (attribute keys, span names): the same string
   * object each time its bytes recur, found by a hash of the bytes in a small direct-mapped
   * table, so the common case allocates nothing and later map lookups by it hit a string
   * whose hash V8 already knows.
   */
  key(): string {
    const n = this.varint();
    const p = this.pos;
    if (p + n > this.end) giveUp();
    this.pos = p + n;
    const buf = this.buf;
    if (n > MAX_KEY) return buf.toString('utf8', p, p + n);
    let h = 0x811c9dc5 ^ n;
    for (let i = p; i < p + n; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const slot = (h ^ (h >>> 16)) & (KEY_SLOTS - 1);
    const known = keyBytes[slot];
    if (known !== undefined && known.length === n) {
      let i = 0;
      while (i < n && known[i] === buf[p + i]) i++;
      if (i === n) return keyStrings[slot]!;
    }
    const str = buf.toString('utf8', p, p + n);
    keyBytes[slot] = Uint8Array.prototype.slice.call(buf, p, p + n);
    keyStrings[slot] = str;
    return str;
  }

  /** Bytes as lowercase hex of exactly `len` bytes, or '' when empty. */
  id(len: number): string {
    const n = this.varint();
    if (n === 0) return '';
    if (n !== len || this.pos + n > this.end) giveUp();
    const s = this.buf.toString('hex', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  bytes(): Buffer {
    const n = this.varint();
    if (this.pos + n > this.end) giveUp();
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos += this.varint();
        break;
      case 5:
        this.pos += 4;
        break;
      default:
        giveUp();
    }
    if (this.pos > this.end) giveUp();
  }
}

/** Reads fields until the end: `on(field, wire)` consumes what it knows and returns false for the rest (skipped). */
export function fields(c: Cursor, on: (field: number, wire: number) => boolean): void {
  while (c.more()) {
    const tag = c.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (!on(field, wire)) c.skip(wire);
  }
}

export const expect = (wire: number, want: number): void => {
  if (wire !== want) giveUp();
};
