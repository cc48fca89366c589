/**
 * Which flush holds a trace. Every flush writes its spans with a flush number (a column DuckDB
 * keeps min/max statistics for, appended in increasing order) and leaves here a Bloom filter
 * of the trace ids it wrote. A lookup by trace id then reads only the flushes whose filter
 * may hold the id (about 1% false positives) instead of scanning every trace id of the day:
 * trace by id and the whole-trace reads of a search stay fast however much a day holds. Each
 * flush's time span and size also let a search read newest flushes first, a few at a time.
 */
const BITS_PER_ID = 10;
const HASHES = 7;

function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Two independent 32-bit hashes of a 32-digit hex trace id. */
function hashes(id: string): [number, number] {
  const a = parseInt(id.slice(0, 8), 16);
  const b = parseInt(id.slice(8, 16), 16);
  const c = parseInt(id.slice(16, 24), 16);
  const d = parseInt(id.slice(24, 32), 16);
  const h1 = fmix32(a ^ fmix32(b ^ fmix32(c ^ fmix32(d))));
  const h2 = fmix32(d ^ 0x9e3779b9 ^ fmix32(c ^ fmix32(b ^ fmix32(a + 0x7f4a7c15)))) | 1;
  return [h1, h2];
}

export function buildBloom(ids: Iterable<string>, count: number): Buffer {
  const bits = Math.max(64, Math.ceil((count * BITS_PER_ID) / 8) * 8);
  const bloom = Buffer.alloc(bits / 8);
  for (const id of ids) {
    const [h1, h2] = hashes(id);
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0;
      const at = bit % bits;
      bloom[at >>> 3]! |= 1 << (at & 7);
    }
  }
  return bloom;
}

export function bloomHas(bloom: Uint8Array, id: string): boolean {
  return bloomHasHashes(bloom, hashes(id));
}

function bloomHasHashes(bloom: Uint8Array, [h1, h2]: [number, number]): boolean {
  const bits = bloom.length * 8;
  for (let i = 0; i < HASHES; i++) {
    const at = ((h1 + Math.imul(i, h2)) >>> 0) % bits;
    if ((bloom[at >>> 3]! & (1 << (at & 7))) === 0) return false;
  }
  return true;
}

export interface Flush {
  readonly day: number;
  readonly no: number;
  readonly bloom: Uint8Array;
  /** Earliest and latest span start in this flush (of this day). */
  readonly minStart: bigint;
  readonly maxStart: bigint;
  readonly rows: number;
}

export class FlushIndex {
  private last = 0;
  private readonly byDay = new Map<number, Flush[]>();

  /** A flush (of one day) written, or read back at open. */
  add(f: Flush): void {
    let list = this.byDay.get(f.day);
    if (!list) this.byDay.set(f.day, (list = []));
    list.push(f);
    if (f.no > this.last) this.last = f.no;
  }

  /** The next flush number. */
  allocate(): number {
    return ++this.last;
  }

  dropDay(day: number): void {
    this.byDay.delete(day);
  }

  /** Flushes with spans starting in the window, newest first: the slices a search reads. */
  overlapping(lo: bigint, hi: bigint): Flush[] {
    const out: Flush[] = [];
    for (const list of this.byDay.values()) for (const f of list) if (f.maxStart >= lo && f.minStart <= hi) out.push(f);
    return out.sort((a, b) => (a.maxStart > b.maxStart ? -1 : a.maxStart < b.maxStart ? 1 : b.no - a.no));
  }

  /**
   * The flush numbers of a day that may hold any of the ids, with 0 (rows written before
   * flushes were numbered) always included.
   */
  flushesFor(day: number, ids: readonly string[]): number[] {
    const out = [0];
    const hs = ids.map(hashes);
    for (const f of this.byDay.get(day) ?? []) if (hs.some((h) => bloomHasHashes(f.bloom, h))) out.push(f.no);
    return out;
  }
}
