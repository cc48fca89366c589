/**
 * Which flush holds a trace. Every flush writes its spans with a flush number (a column DuckDB
 * keeps min/max statistics for, appended in increasing order) and leaves here a Bloom filter
 * of the trace ids it wrote. A lookup by trace id then reads only the flushes whose filter
 * may hold the id (about 1% false positives) instead of scanning every trace id of the day:
 * trace by id and the whole-trace reads of a search stay fast however much a day holds. Each
 * flush's time span and size also let a search read newest flushes first, a few at a time.
 * A second filter holds the flush's attribute tokens (`key = typed value`, see attr-tokens),
 * so a search for a rare value (an order id, a user id) skips the flushes that cannot hold it;
 * its shortest and longest span let a search for slow spans skip the flushes without any.
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

const SEP = 0x1f;

/**
 * A token's 30-bit key (FNV-1a, one multiply per character: this runs over every attribute
 * of every span flushed). The filter's bits are a function of the key alone, so tokens are
 * deduplicated by key (a number, no string built per attribute) and two tokens sharing a key
 * share their bits: no false negative, and a 30-bit key collision adds far fewer false
 * positives than the filter's own 1%.
 */
function tokenKey(s: string, from: number, to: number): number {
  let h = Math.imul(0x811c9dc5 ^ SEP, 0x01000193);
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  // 30 bits: a small integer to V8 (the Set of a flush's keys holds no heap numbers).
  return fmix32(Math.imul(h ^ SEP, 0x01000193)) >>> 2;
}

function keyHashes(key: number): [number, number] {
  return [key, fmix32(key ^ 0x9e3779b9) | 1];
}

/**
 * Collects the attribute tokens of a flush's spans from their attribute text (`␟tok␟tok␟`,
 * attr-tokens): every `␟…␟` piece is a token, which covers each scalar value and each element
 * of an array; the other pieces (array headers, opaque values) only add harmless bits.
 */
export class TokenBloomBuilder {
  private readonly keys = new Set<number>();

  addText(text: string): void {
    let from = 1;
    for (let i = 1; i < text.length; i++) {
      if (text.charCodeAt(i) !== SEP) continue;
      this.keys.add(tokenKey(text, from, i));
      from = i + 1;
    }
  }

  build(): Buffer {
    const bits = Math.max(64, Math.ceil((this.keys.size * BITS_PER_ID) / 8) * 8);
    const bloom = Buffer.alloc(bits / 8);
    for (const k of this.keys) setBits(bloom, bits, keyHashes(k));
    return bloom;
  }
}

/** Whether a flush's token filter may hold a token (keyValueToken: `␟key␞value␟`). */
export function tokenBloomHas(bloom: Uint8Array, token: string): boolean {
  return bloomHasHashes(bloom, keyHashes(tokenKey(token, 1, token.length - 1)));
}

function setBits(bloom: Buffer, bits: number, [h1, h2]: [number, number]): void {
  for (let i = 0; i < HASHES; i++) {
    const at = ((h1 + Math.imul(i, h2)) >>> 0) % bits;
    bloom[at >>> 3]! |= 1 << (at & 7);
  }
}

export function buildBloom(ids: Iterable<string>, count: number): Buffer {
  const bits = Math.max(64, Math.ceil((count * BITS_PER_ID) / 8) * 8);
  const bloom = Buffer.alloc(bits / 8);
  for (const id of ids) setBits(bloom, bits, hashes(id));
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
  /** The attribute token filter (TokenBloomBuilder); absent for flushes written before it. */
  readonly tokens?: Uint8Array;
  /** Shortest and longest span (end - start as stored); absent for flushes written before them. */
  readonly minDurationNs?: bigint;
  readonly maxDurationNs?: bigint;
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

  /**
   * Flushes with spans starting in the window that `may` says can match, newest first: the
   * slices a search reads.
   */
  overlapping(lo: bigint, hi: bigint, may: (f: Flush) => boolean = () => true): Flush[] {
    const out: Flush[] = [];
    for (const list of this.byDay.values()) for (const f of list) if (f.maxStart >= lo && f.minStart <= hi && may(f)) out.push(f);
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
