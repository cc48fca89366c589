import { isUtf8 } from 'node:buffer';
import { IchigenError } from '../../model/index.js';

/**
 * A minimal protobuf wire reader over one Buffer. Why not protobufjs' decoder: it makes an
 * object per sample and a Long per int64, and hands doubles back as JS numbers, which may
 * lose a NaN's payload (the staleness marker). This reader copies the 8 value bytes straight
 * into a Float64Array and reads int64 timestamps as numbers (exact up to 2^53 ms).
 */
export class ProtoReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw truncated();
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new IchigenError('INVALID_BODY', 'invalid protobuf: varint longer than 10 bytes');
  }

  /**
   * An int64 field as a number (exact up to 2^53). Negative values arrive as 10-byte two's
   * complement, which a float accumulator would round: the halves are read as two int32s.
   */
  int64(): number {
    let lo = 0;
    let hi = 0;
    for (let i = 0, shift = 0; ; i++, shift += 7) {
      if (i === 10) throw new IchigenError('INVALID_BODY', 'invalid protobuf: varint longer than 10 bytes');
      if (this.pos >= this.end) throw truncated();
      const b = this.buf[this.pos++]!;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if ((b & 0x80) === 0) break;
    }
    return hi * 4294967296 + (lo >>> 0);
  }

  /** End of the field last opened by sub(). */
  subEnd = 0;

  /** Opens a length-delimited field: returns its start, its end goes to `subEnd`. */
  sub(): number {
    const len = this.varint();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw truncated();
    this.pos = end;
    this.subEnd = end;
    return start;
  }

  /** Returns [start, end) of a length-delimited field. */
  bytes(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw truncated();
    this.pos = end;
    return [start, end];
  }

  string(what: string): string {
    const [s, e] = this.bytes();
    const sub = this.buf.subarray(s, e);
    if (!isUtf8(sub)) throw new IchigenError('INVALID_BODY', `invalid protobuf: ${what} is not valid UTF-8`);
    return sub.toString('utf8');
  }

  /** Copies a fixed64 double's bytes into `dst[index]` bit-exactly. */
  double(dst: Float64Array, index: number): void {
    if (this.pos + 8 > this.end) throw truncated();
    const bytes = new Uint8Array(dst.buffer, dst.byteOffset + index * 8, 8);
    this.buf.copy(bytes, 0, this.pos, this.pos + 8);
    this.pos += 8;
  }

  /** A double as a JS number (for exemplar values, where NaN payloads do not matter). */
  doubleNumber(): number {
    if (this.pos + 8 > this.end) throw truncated();
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.bytes();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new IchigenError('INVALID_BODY', `invalid protobuf: unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) throw truncated();
  }
}

function truncated(): IchigenError {
  return new IchigenError('INVALID_BODY', 'invalid protobuf: message is truncated');
}
