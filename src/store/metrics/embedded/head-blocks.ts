import { BitWriter } from './bit-stream.js';
import { encodeChunkTo } from './chunk.js';

/**
 * A compacted slice of the head: every series' samples of one pass, each series' encoded as
 * one chunk, end to end in one array; `ranges` holds [start, end) per series slot (see
 * SeriesColumns; start = end: none). Why: raw head samples cost 20 bytes each (SampleBuffer),
 * 80 MB for 4M samples at 100k series; encoded they cost 1-3 bytes, and a pass allocates two
 * arrays, not one per series.
 */
export class HeadBlock {
  constructor(
    readonly bytes: Uint8Array,
    readonly ranges: Uint32Array,
    /** Newest sample time per slot: a read of the last minutes skips older chunks undecoded. */
    readonly maxTs: Float64Array,
  ) {}

  /** The chunk of the series in `slot`, if this block holds any of its samples at or after `mint`. */
  chunk(slot: number, mint = -Infinity): Uint8Array | undefined {
    if (slot * 2 + 1 >= this.ranges.length || this.maxTs[slot]! < mint) return undefined;
    const start = this.ranges[slot * 2]!;
    const end = this.ranges[slot * 2 + 1]!;
    return end > start ? this.bytes.subarray(start, end) : undefined;
  }
}

/**
 * The store's head blocks: `current` (appends go on after them) and `frozen` (taken by the
 * flush in progress, still read until it commits), oldest first.
 */
export class HeadBlocks {
  current: HeadBlock[] = [];
  frozen: HeadBlock[] = [];
  private writer = new BitWriter(1 << 20);

  private ranges = new Uint32Array(0);
  private maxTs = new Float64Array(0);

  /** Starts a pass: `slots` is how many series slots exist. */
  begin(slots: number): void {
    this.writer.reset();
    this.ranges = new Uint32Array(slots * 2);
    this.maxTs = new Float64Array(slots);
  }

  /** Encodes one series' samples (ascending, unique) for the pass; records its range. */
  add(slot: number, t: Float64Array, v: Float64Array, n: number): void {
    const start = this.writer.byteLength;
    encodeChunkTo(this.writer, t, v, 0, n);
    this.writer.alignByte();
    this.ranges[slot * 2] = start;
    this.ranges[slot * 2 + 1] = this.writer.byteLength;
    this.maxTs[slot] = t[n - 1]!;
  }

  /** Ends a pass: the block joins `current`. */
  end(): void {
    this.current.push(new HeadBlock(this.writer.view(0, this.writer.byteLength).slice(), this.ranges, this.maxTs));
    // One pass over very many series must not keep its buffer for good.
    if (this.writer.capacity > 64 << 20) this.writer = new BitWriter(1 << 20);
  }
}
