import zlib from 'node:zlib';

/** CRC-32 (IEEE), table-driven: the fallback for Node before 20.15, which lacks zlib.crc32. */
const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function tableCrc32(buf: Uint8Array, start: number, end: number, seed: number): number {
  let c = ~seed;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

// zlib's native CRC-32 (same polynomial) is ~20× faster than the table loop on log records.
const native = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** `seed`: the CRC of the bytes before these (0 to start), so parts can be summed without a copy. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length, seed = 0): number {
  if (native) return native(start === 0 && end === buf.length ? buf : buf.subarray(start, end), seed) >>> 0;
  return tableCrc32(buf, start, end, seed);
}
