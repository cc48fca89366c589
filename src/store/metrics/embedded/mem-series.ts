import type { Labels } from '../../../model/index.js';
import { chunkMerger } from './chunk-merge.js';
import { chunkSamples, decodeChunkInto } from './chunk.js';
import type { HeadBlocks } from './head-blocks.js';
import { mergeRuns } from './merge-runs.js';
import type { SampleBuffer } from './sample-buffer.js';
import { F64, U32, seriesColumns } from './series-columns.js';

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
 * Recent chunks in memory are merged up to this many samples when their buffer is copied
 * anyway (it is full). Why: each flush writes one chunk per series, and a chunk costs 40
 * bytes of index plus its header; flushes every 10 minutes at 15 s made 18 chunks of 40
 * samples in 3 hours, flushes every few seconds hundreds of one or two samples. Why only
 * then: merging at every flush made a fresh buffer per series per flush (old-generation
 * garbage: 30% more CPU and a larger heap in the benchmark).
 */
const RECENT_CHUNK_SAMPLES = 120;

/** Numbers per recent chunk in MemSeries' index: minT, maxT, start, end, samples. */
const IDX = 5;

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
  private frozenBuf: SampleBuffer | undefined;
  private frozenLast = -1;
  /** Samples being flushed right now. */
  frozenCount = 0;
  private frozenUnsorted = false;
  lastKnown = false;
  /** This series' row in seriesColumns (its numeric fields: see the accessors below) and in head blocks. */
  readonly slot = seriesColumns.alloc();
  /** Samples of the series in the store's head blocks (current), and in those being flushed. */
  blockSamples = 0;
  private frozenBlockSamples = 0;
  /** Whether its row is in DuckDB's series table. */
  persisted = false;
  /** Whether a durable log record (or DuckDB) defines it: log records may then name it by id alone. */
  durableDef = false;
  active = false;
  /** Dropped by retention (a stale entry in TenantHead.byLabels must not be used). */
  removed = false;
  /**
   * The chunks recent flushes wrote (see RECENT_CHUNKS_MS), packed: their bytes end to end
   * in one buffer with room to grow, and [minT, maxT, start, end, samples] per chunk (live
   * from chunk `recentFirst` on). Why packed: an object and a typed array per chunk cost ~300
   * bytes each, against ~45 bytes of data for 10 minutes at 15 s. Why room to grow: a flush
   * appends to every series; a fresh exact-size copy per series per flush was 100k
   * allocations that lived across the flush's commit, then garbage in the old generation
   * (V8's heap grew to 2-3 times what it held). Bytes are only ever added past
   * `recentEnd`, never changed in place: readers may hold views of the chunks. Why one
   * buffer for both (index numbers first, chunk bytes after): V8 spends ~150 bytes on every
   * typed array and ~180 on a growable array, per series.
   */
  private recentBuf: Float64Array | undefined;
  /** Numbers of index room at the front of recentBuf (chunk bytes follow). */
  private recentIdxCap = 0;
  /** Index numbers in use (IDX per chunk). */
  private recentCount = 0;
  private recentFirst = 0;
  /** Chunk bytes in use, from the start of the bytes region. */
  private recentEnd = 0;

  constructor(
    readonly id: number,
    readonly tenant: string,
    readonly labels: Labels,
    private readonly blocks: HeadBlocks,
  ) {}

  /** Time of the head's oldest sample (in append order; a range read of an in-order head needs no walk to find it). */
  private get firstT(): number {
    return seriesColumns.f64[this.slot * F64.Count + F64.FirstT]!;
  }
  private set firstT(v: number) {
    seriesColumns.f64[this.slot * F64.Count + F64.FirstT] = v;
  }
  private get frozenFirstT(): number {
    return seriesColumns.f64[this.slot * F64.Count + F64.FrozenFirstT]!;
  }
  private set frozenFirstT(v: number) {
    seriesColumns.f64[this.slot * F64.Count + F64.FrozenFirstT] = v;
  }
  /** The newest appended sample (duplicate detection); its value bits only when `lastKnown`. */
  get lastT(): number {
    return seriesColumns.f64[this.slot * F64.Count + F64.LastT]!;
  }
  set lastT(v: number) {
    seriesColumns.f64[this.slot * F64.Count + F64.LastT] = v;
  }
  get lastLo(): number {
    return seriesColumns.u32[this.slot * U32.Count + U32.LastLo]!;
  }
  set lastLo(v: number) {
    seriesColumns.u32[this.slot * U32.Count + U32.LastLo] = v;
  }
  get lastHi(): number {
    return seriesColumns.u32[this.slot * U32.Count + U32.LastHi]!;
  }
  set lastHi(v: number) {
    seriesColumns.u32[this.slot * U32.Count + U32.LastHi] = v;
  }
  /** Bounds over everything the series holds (disk and memory). */
  get minT(): number {
    return seriesColumns.f64[this.slot * F64.Count + F64.MinT]!;
  }
  set minT(v: number) {
    seriesColumns.f64[this.slot * F64.Count + F64.MinT] = v;
  }
  get maxT(): number {
    return seriesColumns.f64[this.slot * F64.Count + F64.MaxT]!;
  }
  set maxT(v: number) {
    seriesColumns.f64[this.slot * F64.Count + F64.MaxT] = v;
  }
  get diskMinT(): number {
    return seriesColumns.f64[this.slot * F64.Count + F64.DiskMinT]!;
  }
  set diskMinT(v: number) {
    seriesColumns.f64[this.slot * F64.Count + F64.DiskMinT] = v;
  }
  get diskMaxT(): number {
    return seriesColumns.f64[this.slot * F64.Count + F64.DiskMaxT]!;
  }
  set diskMaxT(v: number) {
    seriesColumns.f64[this.slot * F64.Count + F64.DiskMaxT] = v;
  }
  /** Wall-clock ms of the last append (active-series accounting). */
  get lastAppend(): number {
    return seriesColumns.f64[this.slot * F64.Count + F64.LastAppend]!;
  }
  set lastAppend(v: number) {
    seriesColumns.f64[this.slot * F64.Count + F64.LastAppend] = v;
  }
  /**
   * Every sample at or after this time is in memory (recent chunks or head), so a read
   * starting there skips DuckDB. After a restart: just past what DuckDB holds.
   */
  get memFrom(): number {
    return seriesColumns.f64[this.slot * F64.Count + F64.MemFrom]!;
  }
  set memFrom(v: number) {
    seriesColumns.f64[this.slot * F64.Count + F64.MemFrom] = v;
  }

  /** Retention removed the series: its slot goes to the next new series (the object must not be used after). */
  release(): void {
    seriesColumns.release(this.slot);
  }

  /** Samples in the head (not counting those being flushed). */
  get n(): number {
    return this.count;
  }

  get hasFrozen(): boolean {
    return this.frozenCount > 0 || this.frozenBlockSamples > 0;
  }

  /**
   * Moves the head's samples into a head-block pass (see HeadBlocks): sorted, a later write
   * winning a tie, encoded; the head is empty after.
   */
  moveHeadTo(blocks: HeadBlocks, scratch: Scratch): void {
    if (this.count === 0 || !this.buf) return;
    let t: Float64Array;
    let v: Float64Array;
    let n: number;
    if (!this.unsorted) {
      scratch.fit(this.count);
      this.buf.copyOut(this.last, this.count, scratch.t, scratch.bits, 0);
      t = scratch.t;
      v = scratch.v;
      n = this.count;
    } else {
      const m = mergeRuns([materialize(this.buf, this.last, this.count, true)], -Infinity, Infinity);
      t = m.t;
      v = m.v;
      n = t.length;
    }
    blocks.add(this.slot, t, v, n);
    this.blockSamples += n;
    this.buf = undefined;
    this.last = -1;
    this.count = 0;
    this.unsorted = false;
  }

  /** The series' chunks in head blocks (frozen first), oldest first; those ending before `mint` left out. */
  blockChunks(mint = -Infinity): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.frozenBlockSamples > 0) {
      for (const b of this.blocks.frozen) {
        const c = b.chunk(this.slot, mint);
        if (c) out.push(c);
      }
    }
    if (this.blockSamples > 0) {
      for (const b of this.blocks.current) {
        const c = b.chunk(this.slot, mint);
        if (c) out.push(c);
      }
    }
    return out;
  }

  /**
   * Everything frozen for the flush (head blocks, then the frozen head), ascending and
   * unique; in order without blocks (the usual case), straight into `scratch`.
   */
  frozenSamples(scratch: Scratch): { t: Float64Array; v: Float64Array; n: number } {
    if (this.frozenBlockSamples === 0 && !this.frozenUnsorted) {
      scratch.fit(this.frozenCount);
      this.frozenBuf?.copyOut(this.frozenLast, this.frozenCount, scratch.t, scratch.bits, 0);
      return { t: scratch.t, v: scratch.v, n: this.frozenCount };
    }
    const runs: SampleRun[] = [];
    for (const b of this.blocks.frozen) {
      const c = b.chunk(this.slot);
      if (c) runs.push(decodedRun(c));
    }
    const raw = this.frozenRun();
    if (raw) runs.push(raw);
    const m = mergeRuns(runs, -Infinity, Infinity);
    return { t: m.t, v: m.v, n: m.t.length };
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
    this.frozenBlockSamples = this.blockSamples;
    this.blockSamples = 0;
    if (this.count === 0) return this.frozenBlockSamples > 0;
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

  /** The flush committed: the frozen samples are in DuckDB. */
  dropFrozen(): void {
    this.frozenBlockSamples = 0;
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
    // The frozen blocks go back in front of the current ones (the store moves the blocks).
    this.blockSamples += this.frozenBlockSamples;
    this.frozenBlockSamples = 0;
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
    const idx = this.recentBuf;
    if (idx === undefined) return [];
    const bytes = this.recentBytes(idx);
    const out: RecentChunk[] = [];
    for (let k = this.recentFirst * IDX; k < this.recentCount; k += IDX) out.push({ minT: idx[k]!, maxT: idx[k + 1]!, data: bytes.subarray(idx[k + 2], idx[k + 3]) });
    return out;
  }

  /** The bytes region of a recent buffer. */
  private recentBytes(buf: Float64Array): Uint8Array {
    const off = this.recentIdxCap * 8;
    return new Uint8Array(buf.buffer, buf.byteOffset + off, buf.byteLength - off);
  }

  /**
   * A flush committed these chunks: keep them readable in memory, dropping those past the
   * window. `meta` holds [minT, maxT, start, end, samples] per chunk of the flush (bytes in
   * `src`), this series' are chunks [from, to).
   */
  retain(src: Uint8Array, meta: Float64Array, from: number, to: number): void {
    for (let c = from; c < to; c++) {
      const m = c * IDX;
      this.addRecent(meta[m]!, meta[m + 1]!, src.subarray(meta[m + 2], meta[m + 3]), meta[m + 4]!);
    }
    const idx = this.recentBuf;
    if (idx === undefined) return;
    let newest = -Infinity;
    for (let k = this.recentFirst * IDX; k < this.recentCount; k += IDX) if (idx[k + 1]! > newest) newest = idx[k + 1]!;
    // The oldest chunks leave once past the window (only from the front: a late chunk out of
    // order stays a little longer, which costs nothing but its bytes).
    const cutoff = newest - RECENT_CHUNKS_MS;
    while (this.recentFirst * IDX < this.recentCount && idx[this.recentFirst * IDX + 1]! < cutoff) {
      const maxT = idx[this.recentFirst * IDX + 1]!;
      if (maxT + 1 > this.memFrom) this.memFrom = maxT + 1;
      this.recentFirst++;
    }
  }

  /** Appends a chunk's bytes past `recentEnd` (a fresh buffer when full) and its index entry. */
  private addRecent(minT: number, maxT: number, data: Uint8Array, samples: number): void {
    const buf = this.recentBuf;
    if (buf === undefined || this.recentCount + IDX > this.recentIdxCap || this.recentEnd + data.length > buf.byteLength - this.recentIdxCap * 8) this.repack(data.length, -Infinity);
    const idx = this.recentBuf!;
    this.recentBytes(idx).set(data, this.recentEnd);
    const k = this.recentCount;
    idx[k] = minT;
    idx[k + 1] = maxT;
    idx[k + 2] = this.recentEnd;
    idx[k + 3] = this.recentEnd + data.length;
    idx[k + 4] = samples;
    this.recentCount = k + IDX;
    this.recentEnd += data.length;
  }

  /** Retention deleted what ends before `cutoff` from DuckDB: memory must not serve it either. */
  dropRecentBefore(cutoff: number): void {
    const idx = this.recentBuf;
    if (idx !== undefined) {
      let stale = false;
      for (let k = this.recentFirst * IDX; k < this.recentCount; k += IDX) if (idx[k + 1]! < cutoff) stale = true;
      if (stale) this.repack(0, cutoff);
    }
    if (cutoff > this.memFrom) this.memFrom = cutoff;
  }

  /**
   * Copies the live chunks into a fresh buffer with room for `need` more bytes and a chunk
   * more (and half again, so appends rarely copy), merging runs of small in-order chunks
   * (see RECENT_CHUNK_SAMPLES); drops what left the window or ends before `dropBefore`.
   * Readers keep the old buffer.
   */
  private repack(need: number, dropBefore: number): void {
    const idx = this.recentBuf;
    const old = idx === undefined ? undefined : this.recentBytes(idx);
    const first = this.recentFirst * IDX;
    const count = idx === undefined ? 0 : this.recentCount;
    // Plan: runs of chunks that merge are encoded into chunkMerger's buffer (sizes known
    // before allocating); a chunk alone is copied as it is.
    const m = chunkMerger;
    m.reset();
    const plan: number[] = [];
    let size = 0;
    let mergedEnd = 0;
    for (let k = first; k < count; ) {
      if (idx![k + 1]! < dropBefore) {
        if (idx![k + 1]! + 1 > this.memFrom) this.memFrom = idx![k + 1]! + 1;
        k += IDX;
        continue;
      }
      let e = k + IDX;
      let n = idx![k + 4]!;
      while (e < count && idx![e + 1]! >= dropBefore && n + idx![e + 4]! <= RECENT_CHUNK_SAMPLES && idx![e]! > idx![e - IDX + 1]!) {
        n += idx![e + 4]!;
        e += IDX;
      }
      if (e === k + IDX) {
        // [minT, maxT, source (0: old buffer, 1: merged), start, end, samples]
        plan.push(idx![k]!, idx![k + 1]!, 0, idx![k + 2]!, idx![k + 3]!, n);
        size += idx![k + 3]! - idx![k + 2]!;
      } else {
        for (let j = k; j < e; j += IDX) m.add(old!.subarray(idx![j + 2], idx![j + 3]), idx![j + 4]!);
        const start = mergedEnd;
        mergedEnd = m.cut();
        plan.push(idx![k]!, idx![e - IDX + 1]!, 1, start, mergedEnd, n);
        size += mergedEnd - start;
      }
      k = e;
    }
    const chunks = plan.length / 6;
    if (size + need === 0 && chunks === 0) {
      this.recentBuf = undefined;
      this.recentIdxCap = 0;
      this.recentCount = 0;
      this.recentEnd = 0;
      this.recentFirst = 0;
      return;
    }
    const idxCap = Math.ceil((chunks + 1) * 1.5) * IDX;
    const byteCap = Math.ceil(((size + need) * 1.5) / 8) * 8;
    const next = new Float64Array(idxCap + byteCap / 8);
    this.recentIdxCap = idxCap;
    const bytes = this.recentBytes(next);
    let at = 0;
    for (let p = 0, k = 0; p < plan.length; p += 6, k += IDX) {
      const len = plan[p + 4]! - plan[p + 3]!;
      bytes.set(plan[p + 2] === 0 ? old!.subarray(plan[p + 3], plan[p + 4]) : m.view(plan[p + 3]!, plan[p + 4]!), at);
      next[k] = plan[p]!;
      next[k + 1] = plan[p + 1]!;
      next[k + 2] = at;
      next[k + 3] = at + len;
      next[k + 4] = plan[p + 5]!;
      at += len;
    }
    this.recentBuf = next;
    this.recentCount = chunks * IDX;
    this.recentEnd = at;
    this.recentFirst = 0;
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

/** Growable sample columns, reused from series to series (`bits` views `v`). */
export class Scratch {
  t = new Float64Array(1024);
  v = new Float64Array(1024);
  bits = new Uint32Array(this.v.buffer);

  /** Makes room for n samples. */
  fit(n: number): void {
    if (n > this.t.length) {
      const cap = Math.max(n, this.t.length * 2);
      this.t = new Float64Array(cap);
      this.v = new Float64Array(cap);
      this.bits = new Uint32Array(this.v.buffer);
    }
  }
}

function decodedRun(data: Uint8Array): SampleRun {
  const n = chunkSamples(data);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  decodeChunkInto(data, t, v, new Uint32Array(v.buffer), 0);
  return { t, v, n, unsorted: false };
}
