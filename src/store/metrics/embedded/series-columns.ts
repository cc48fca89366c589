/**
 * The numeric fields of every MemSeries, in typed-array columns indexed by a slot per
 * series. Why: V8 keeps a number field that is not a small integer (a timestamp, a u32
 * half of a value) as a separate 16-byte heap object behind an 8-byte pointer; eleven of
 * them per series were ~2.6 MB per 10k series. Here each costs its 8 (or 4) bytes.
 * Slots of series that retention removed are reused.
 */
export const enum F64 {
  FirstT,
  FrozenFirstT,
  LastT,
  MinT,
  MaxT,
  DiskMinT,
  DiskMaxT,
  LastAppend,
  MemFrom,
  Count,
}

export const enum U32 {
  LastLo,
  LastHi,
  Count,
}

export class SeriesColumns {
  f64 = new Float64Array(1024 * F64.Count);
  u32 = new Uint32Array(1024 * U32.Count);
  private capacity = 1024;
  private next = 0;
  private readonly free: number[] = [];

  /** A slot with every field at its initial value. */
  alloc(): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.next === this.capacity) this.grow();
      slot = this.next++;
    }
    const f = slot * F64.Count;
    this.f64[f + F64.FirstT] = 0;
    this.f64[f + F64.FrozenFirstT] = 0;
    this.f64[f + F64.LastT] = -Infinity;
    this.f64[f + F64.MinT] = Infinity;
    this.f64[f + F64.MaxT] = -Infinity;
    this.f64[f + F64.DiskMinT] = Infinity;
    this.f64[f + F64.DiskMaxT] = -Infinity;
    this.f64[f + F64.LastAppend] = 0;
    this.f64[f + F64.MemFrom] = -Infinity;
    this.u32[slot * U32.Count + U32.LastLo] = 0;
    this.u32[slot * U32.Count + U32.LastHi] = 0;
    return slot;
  }

  /** Slots handed out so far (every slot is below this). */
  get slots(): number {
    return this.next;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  private grow(): void {
    this.capacity *= 2;
    const f64 = new Float64Array(this.capacity * F64.Count);
    f64.set(this.f64);
    this.f64 = f64;
    const u32 = new Uint32Array(this.capacity * U32.Count);
    u32.set(this.u32);
    this.u32 = u32;
  }
}

/** All series of the process share the columns (a slot per series, whatever its store). */
export const seriesColumns = new SeriesColumns();
