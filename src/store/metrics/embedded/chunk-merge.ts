import { BitWriter } from './bit-stream.js';
import { decodeChunkInto, encodeChunkTo } from './chunk.js';

/**
 * Merges runs of chunks into single chunks, all into one reused writer: `add` decodes a
 * chunk's samples after those added before, `cut` encodes them as one chunk and returns
 * its end offset (it starts where the previous one ended, or at 0 after `reset`). Runs
 * synchronously, one caller at a time (module state: no allocation per use).
 */
class ChunkMerger {
  private readonly writer = new BitWriter(4096);
  private t = new Float64Array(256);
  private v = new Float64Array(256);
  private bits = new Uint32Array(this.v.buffer);
  private count = 0;

  reset(): void {
    this.writer.reset();
    this.count = 0;
  }

  /** Appends a chunk of `n` samples (all after those added since the last cut). */
  add(data: Uint8Array, n: number): void {
    const need = this.count + n;
    if (this.t.length < need) {
      const t = new Float64Array(need * 2);
      const v = new Float64Array(need * 2);
      t.set(this.t.subarray(0, this.count));
      v.set(this.v.subarray(0, this.count));
      this.t = t;
      this.v = v;
      this.bits = new Uint32Array(v.buffer);
    }
    this.count += decodeChunkInto(data, this.t, this.v, this.bits, this.count);
  }

  cut(): number {
    encodeChunkTo(this.writer, this.t, this.v, 0, this.count);
    this.writer.alignByte();
    this.count = 0;
    return this.writer.byteLength;
  }

  /** Bytes [from, to) of the merged chunks, valid until the next reset. */
  view(from: number, to: number): Uint8Array {
    return this.writer.view(from, to);
  }
}

export const chunkMerger = new ChunkMerger();
