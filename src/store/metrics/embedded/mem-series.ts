import type { Labels } from '../../../model/index.js';

/** Samples held in memory: parallel arrays, valid in [0, n). Values are copied by raw bits. */
export interface SampleRun {
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly n: number;
  /** True when some timestamp is not after its predecessor (out-of-order appends). */
  readonly unsorted: boolean;
}

/**
 * One series in memory: its labels, its head (samples not yet in DuckDB), the samples being
 * flushed right now (`frozen`, still visible to reads until the flush commits) and the time
 * bounds of what DuckDB holds, so reads skip DuckDB for series it has nothing of.
 */
export class MemSeries {
  t: Float64Array;
  v: Float64Array;
  private vb: Uint32Array;
  n = 0;
  unsorted = false;
  frozen: SampleRun | undefined;
  /** Bounds over everything the series holds (disk and memory). */
  minT = Infinity;
  maxT = -Infinity;
  diskMinT = Infinity;
  diskMaxT = -Infinity;
  /** Whether its row is in DuckDB's series table. */
  persisted = false;
  /** Wall-clock ms of the last append (active-series accounting). */
  lastAppend = 0;
  active = false;

  constructor(
    readonly id: number,
    readonly tenant: string,
    readonly labels: Labels,
    readonly key: string,
  ) {
    this.t = new Float64Array(4);
    this.v = new Float64Array(4);
    this.vb = new Uint32Array(this.v.buffer);
  }

  /** Last timestamp in the head (or -Infinity). */
  get lastT(): number {
    return this.n > 0 ? this.t[this.n - 1]! : this.frozen && this.frozen.n > 0 ? this.frozen.t[this.frozen.n - 1]! : this.diskMaxT;
  }

  /** Appends sample `i` of `values` (bits via `valueBits`). */
  append(t: number, valueBits: Uint32Array, i: number): void {
    if (this.n === this.t.length) this.grow();
    const n = this.n;
    if (n > 0 && t <= this.t[n - 1]!) this.unsorted = true;
    this.t[n] = t;
    this.vb[n * 2] = valueBits[i * 2]!;
    this.vb[n * 2 + 1] = valueBits[i * 2 + 1]!;
    this.n = n + 1;
    if (t < this.minT) this.minT = t;
    if (t > this.maxT) this.maxT = t;
  }

  /** Takes the head for flushing; appends continue into a fresh head. */
  freeze(): SampleRun | undefined {
    if (this.n === 0) return undefined;
    const run: SampleRun = { t: this.t, v: this.v, n: this.n, unsorted: this.unsorted };
    this.frozen = run;
    this.t = new Float64Array(Math.max(4, Math.min(this.n, 256)));
    this.v = new Float64Array(this.t.length);
    this.vb = new Uint32Array(this.v.buffer);
    this.n = 0;
    this.unsorted = false;
    return run;
  }

  /** Puts a frozen run back in front of the head after a failed flush. */
  thaw(): void {
    const f = this.frozen;
    if (!f) return;
    this.frozen = undefined;
    const t = new Float64Array(f.n + this.n + 4);
    const v = new Float64Array(t.length);
    t.set(f.t.subarray(0, f.n));
    v.set(f.v.subarray(0, f.n));
    t.set(this.t.subarray(0, this.n), f.n);
    v.set(this.v.subarray(0, this.n), f.n);
    this.unsorted = true;
    this.t = t;
    this.v = v;
    this.vb = new Uint32Array(v.buffer);
    this.n = f.n + this.n;
  }

  /** A snapshot of the in-memory runs (frozen first), safe to read across awaits. */
  memoryRuns(): SampleRun[] {
    const runs: SampleRun[] = [];
    if (this.frozen) runs.push(this.frozen);
    if (this.n > 0) runs.push({ t: this.t, v: this.v, n: this.n, unsorted: this.unsorted });
    return runs;
  }

  private grow(): void {
    const cap = this.t.length * 2;
    const t = new Float64Array(cap);
    const v = new Float64Array(cap);
    t.set(this.t);
    v.set(this.v);
    this.t = t;
    this.v = v;
    this.vb = new Uint32Array(v.buffer);
  }
}
