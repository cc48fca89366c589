import snappy from 'snappy';
import { IchigenError } from '../../model/index.js';

/**
 * Decompresses a snappy block (remote write and Loki push use block format, not framed).
 * The uncompressed length is read from the block's varint preamble first, so a tiny body
 * claiming gigabytes is refused before any memory is allocated.
 */
export function uncompressSnappyBlock(body: Buffer, maxBytes: number): Buffer {
  let len = 0;
  let shift = 0;
  let i = 0;
  for (; i < body.length && i < 5; i++) {
    const b = body[i]!;
    len += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  if (body.length === 0 || i >= body.length || i === 5) throw new IchigenError('INVALID_BODY', 'invalid snappy block: missing or corrupt length preamble');
  if (len > maxBytes) throw new IchigenError('BODY_TOO_LARGE', `snappy block decompresses to ${len} bytes, over the limit of ${maxBytes}`);
  try {
    return snappy.uncompressSync(body, { asBuffer: true }) as Buffer;
  } catch (e) {
    throw new IchigenError('INVALID_BODY', `invalid snappy block: ${(e as Error).message}`);
  }
}

export function compressSnappyBlock(data: Buffer | Uint8Array): Buffer {
  return snappy.compressSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
