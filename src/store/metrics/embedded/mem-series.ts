import type { Labels } from '../../../model/index.js';
import type { SampleBuffer } from './sample-buffer.js';

/** Samples held in memory: parallel arrays, valid in [0, n). Values are copied by raw bits. */
export interface SampleRun {
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly n: number;
  /** True when some timestamp is not after its predecessor (out-of-order appends). */
  readonly unsorted: boolean;
}

/** A chunk a flush wrote to DuckDB, kept compressed in memory for reads of recent data. */
export interface RecentChunk {
  readonly minT: number;
  readonly maxT: number;
  readonly data: Uint8Array;
}

/**
 * How far back (before a series' newest flushed sample) the chunks recent flushes wrote stay
 * in memory: dashboards and rules read the last minutes to hours, and then never touch
 * DuckDB. About a byte per sample: 3 hours at 15 s is ~1 KB per series.
 */
export const RECENT_CHUNKS_MS = 3 * 3600_000;

/**
 * One series in memory: its labels, where its head samples are (see SampleBuffer: the
 * newest one's index and a count, in the current buffer), the samples being flushed right
 * now (`frozen*`, in the previous buffer, still read until the flush commits), and the time
 * bounds of what DuckDB holds, so reads skip DuckDB for series it has nothing of.
 */
export class MemSeries {
  private buf: SampleBuffer | undefined;
  private last = -1;
  private count = 0;
  private unsorted = false;
  /** Time of the head's oldest sample (in append order; a range read of an in-order head needs no walk to find it). */
  private firstT = 0;
  private frozenBuf: SampleBuffer | undefined;
  private frozenLast = -1;
  private frozenFirstT = 0;
  /** Samples being flushed right now. */
  frozenCount = 0;
  private frozenUnsorted = false;
  /** The newest appended sample (duplicate detection); its value bits only when `lastKnown`. */
  lastT = -Infinity;
  lastLo = 0;
  lastHi = 0;
  lastKnown = false;
  /** Bounds over everything the series holds (disk and memory). */
  minT = Infinity;
  maxT = -Infinity;
  diskMinT = Infinity;
  diskMaxT = -Infinity;
  /** Whether its row is in DuckDB's series table. */
  persisted = false;
  /** Whether a durable log record (or DuckDB) defines it: log records may then name it by id alone. */
  durableDef = false;
  /** Wall-clock ms of the last append (active-series accounting). */
  lastAppend = 0;
  active = false;
  /** Dropped by retention (a stale entry in TenantHead.byLabels must not be used). */
  removed = false;
  /**
   * The chunks recent flushes wrote (see RECENT_CHUNKS_MS), packed: their bytes end to end,
   * and [minT, maxT, end offset] per chunk. Why packed: an object and a typed array per
   * chunk cost ~300 bytes each, against ~45 bytes of data for 10 minutes at 15 s; 18 flushes
   * in 3 hours made that ~6 KB per series (650 MB at 100k series).
   */
  private recentBytes: Uint8Array | undefined;
  private recentIndex: Float64Array | undefined;
  /**
   * Every sample at or after this time is in memory (recent chunks or head), so a read
   * starting there skips DuckDB. After a restart: just past what DuckDB holds.
   */
  memFrom = -Infinity;

  constructor(
    readonly id: number,
    readonly tenant: string,
    readonly labels: Labels,
  ) {}

  /** Samples in the head (not counting those being flushed). */
  get n(): number {
    return this.count;
  }

  get hasFrozen(): boolean {
    return this.frozenCount > 0;
  }

  /** Appends one sample (value as its two u32 halves) to the head buffer `buf`. */
  append(buf: SampleBuffer, t: number, lo: number, hi: number): void {
    if (this.buf !== buf) {
      this.buf = buf;
      this.last = -1;
      this.count = 0;
      this.unsorted = false;
    }
    if (this.count === 0) this.firstT = t;
    else if (t <= buf.time(this.last)) this.unsorted = true;
    this.last = buf.append(this.last, t, lo, hi);
    this.count++;
    this.lastT = t;
    this.lastLo = lo;
    this.lastHi = hi;
    this.lastKnown = true;
    if (t < this.minT) this.minT = t;
    if (t > this.maxT) this.maxT = t;
  }

  /** Takes the head for flushing (appends continue into the next buffer); false when empty. */
  freeze(): boolean {
    if (this.count === 0) return false;
    this.frozenBuf = this.buf;
    this.frozenLast = this.last;
    this.frozenCount = this.count;
    this.frozenUnsorted = this.unsorted;
    this.frozenFirstT = this.firstT;
    this.buf = undefined;
    this.last = -1;
    this.count = 0;
    this.unsorted = false;
    return true;
  }

  /** The samples being flushed, in append order. */
  frozenRun(): SampleRun | undefined {
    return this.frozenCount === 0 ? undefined : materialize(this.frozenBuf!, this.frozenLast, this.frozenCount, this.frozenUnsorted);
  }

  /** Copies the frozen samples (append order) into shared scratch columns; returns how many. */
  copyFrozen(t: Float64Array, bits: Uint32Array): number {
    this.frozenBuf?.copyOut(this.frozenLast, this.frozenCount, t, bits, 0);
    return this.frozenCount;
  }

  get frozenSorted(): boolean {
    return !this.frozenUnsorted;
  }

  /** The flush committed: the frozen samples are in DuckDB. */
  dropFrozen(): void {
    this.frozenBuf = undefined;
    this.frozenLast = -1;
    this.frozenCount = 0;
    this.frozenUnsorted = false;
  }

  /**
   * The flush failed: the frozen samples go back in front of the head, rebuilt in `buf`
   * (the current buffer) in their original order, so a later write still wins a tie.
   */
  thaw(buf: SampleBuffer): void {
    if (this.frozenCount === 0) return;
    const runs = [this.frozenRun()!];
    if (this.count > 0 && this.buf) runs.push(materialize(this.buf, this.last, this.count, this.unsorted));
    this.dropFrozen();
    this.buf = buf;
    this.last = -1;
    this.count = 0;
    this.unsorted = false;
    const { lastT, lastLo, lastHi, lastKnown } = this;
    for (const r of runs) {
      const bits = new Uint32Array(r.v.buffer, r.v.byteOffset, r.n * 2);
      for (let i = 0; i < r.n; i++) this.append(buf, r.t[i]!, bits[i * 2]!, bits[i * 2 + 1]!);
    }
    Object.assign(this, { lastT, lastLo, lastHi, lastKnown });
  }

  /** The chunks recent flushes wrote, still in memory, oldest first (objects built per call). */
  get recent(): RecentChunk[] {
    const idx = this.recentIndex;
    const bytes = this.recentBytes;
    if (idx === undefined || bytes === undefined) return [];
    const out = new Array<RecentChunk>(idx.length / 3);
    for (let k = 0, start = 0; k < out.length; k++) {
      const end = idx[k * 3 + 2]!;
      out[k] = { minT: idx[k * 3]!, maxT: idx[k * 3 + 1]!, data: bytes.subarray(start, end) };
      start = end;
    }
    return out;
  }

  /** A flush committed these chunks: keep them readable in memory, dropping those past the window. */
  retain(chunks: readonly RecentChunk[]): void {
    if (chunks.length === 0) return;
    const all = this.recent.concat(chunks);
    let newest = -Infinity;
    for (const c of all) if (c.maxT > newest) newest = c.maxT;
    this.pack(this.keepAfter(all, newest - RECENT_CHUNKS_MS));
  }

  /** Retention deleted what ends before `cutoff` from DuckDB: memory must not serve it either. */
  dropRecentBefore(cutoff: number): void {
    if (this.recentIndex !== undefined) this.pack(this.keepAfter(this.recent, cutoff));
    if (cutoff > this.memFrom) this.memFrom = cutoff;
  }

  /** Replaces the packed chunks (never changed in place: readers may hold views of them). */
  private pack(chunks: readonly RecentChunk[]): void {
    if (chunks.length === 0) {
      this.recentBytes = undefined;
      this.recentIndex = undefined;
      return;
    }
    let size = 0;
    for (const c of chunks) size += c.data.length;
    const bytes = new Uint8Array(size);
    const idx = new Float64Array(chunks.length * 3);
    let at = 0;
    for (let k = 0; k < chunks.length; k++) {
      const c = chunks[k]!;
      bytes.set(c.data, at);
      at += c.data.length;
      idx[k * 3] = c.minT;
      idx[k * 3 + 1] = c.maxT;
      idx[k * 3 + 2] = at;
    }
    this.recentBytes = bytes;
    this.recentIndex = idx;
  }

  private keepAfter(chunks: readonly RecentChunk[], cutoff: number): RecentChunk[] {
    const kept: RecentChunk[] = [];
    for (const c of chunks) {
      if (c.maxT >= cutoff) kept.push(c);
      else if (c.maxT + 1 > this.memFrom) this.memFrom = c.maxT + 1;
    }
    return kept;
  }

  /**
   * A snapshot of the in-memory runs (frozen first), safe to read across awaits. With a
   * time range, only the samples in [mint, maxt] are copied (a query of the last five
   * minutes then copies five minutes, not the whole head).
   */
  memoryRuns(mint = -Infinity, maxt = Infinity, alloc: RunAllocator = freshRun): SampleRun[] {
    const runs: SampleRun[] = [];
    if (this.frozenCount > 0) runs.push(materializeRange(this.frozenBuf!, this.frozenLast, this.frozenCount, this.frozenUnsorted, this.frozenFirstT, mint, maxt, alloc));
    if (this.count > 0 && this.buf) runs.push(materializeRange(this.buf, this.last, this.count, this.unsorted, this.firstT, mint, maxt, alloc));
    return runs;
  }
}

/**
 * The samples of a chain within [mint, maxt]. The chain runs newest first, so for an
 * in-order run the walk stops at the first sample older than mint; an out-of-order run is
 * copied whole (readers clip it).
 */
function materializeRange(buf: SampleBuffer, last: number, count: number, unsorted: boolean, firstT: number, mint: number, maxt: number, alloc: RunAllocator): SampleRun {
  if (unsorted || (mint === -Infinity && maxt === Infinity)) return materialize(buf, last, count, unsorted);
  let newest = last;
  let n = count;
  // An in-order head wholly inside the range (a long range read) needs no walk to count it:
  // the walk follows links between samples far apart in memory.
  if (firstT < mint || buf.time(last) > maxt) {
    let skipped = 0;
    while (skipped < count && buf.time(newest) > maxt) {
      newest = buf.previous(newest);
      skipped++;
    }
    n = 0;
    for (let i = newest, k = skipped; k < count && buf.time(i) >= mint; k++) {
      n++;
      i = buf.previous(i);
    }
  }
  const { t, v } = alloc(n);
  if (n > 0) buf.copyOut(newest, n, t, new Uint32Array(v.buffer, v.byteOffset, n * 2), 0);
  return { t, v, n, unsorted: false };
}

/** Where a range snapshot's samples go: fresh arrays, or a reader's reused memory. */
export type RunAllocator = (n: number) => { t: Float64Array; v: Float64Array };

function freshRun(n: number): { t: Float64Array; v: Float64Array } {
  return { t: new Float64Array(n), v: new Float64Array(n) };
}

function materialize(buf: SampleBuffer, last: number, count: number, unsorted: boolean): SampleRun {
  const t = new Float64Array(count);
  const v = new Float64Array(count);
  buf.copyOut(last, count, t, new Uint32Array(v.buffer), 0);
  return { t, v, n: count, unsorted };
}
