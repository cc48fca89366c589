import type { Labels } from '../../model/index.js';

interface Entry {
  readonly labels: Labels;
  next: Entry | undefined;
}

/** One generation: label sets by the hash of the bytes that carried them. */
class Generation {
  readonly entries = new Map<number, Entry>();
  size = 0;

  find(h: number, buf: Uint8Array, start: number, end: number): Entry | undefined {
    for (let e = this.entries.get(h); e !== undefined; e = e.next) if (sameLabels(buf, start, end, e.labels)) return e;
    return undefined;
  }

  insert(h: number, labels: Labels): void {
    this.entries.set(h, { labels, next: this.entries.get(h) });
    this.size++;
  }
}

/**
 * Remembers validated label sets by the raw protobuf bytes that carried them. Senders send
 * the same series over and over, byte for byte: a hit skips decoding and validating ten
 * strings per series and hands out the same Labels object each time, which the store then
 * recognises by identity. Keyed by an FNV-1a hash of the bytes, about 3× faster than a Map
 * keyed by a string made of the bytes (measured), whose hash and comparison V8 computes on
 * every fresh string. A hit is checked against the remembered labels themselves (see
 * sameLabels), so the key bytes need not be kept: they were a 16 MB array at 100k series.
 * Two generations bound the memory: when the young one fills up it becomes the old one,
 * and whatever was not seen since is forgotten.
 */
export class LabelsInterner {
  private young = new Generation();
  private old = new Generation();

  constructor(private readonly generationSize = 262_144) {}

  /** The label set last stored for the label fields `buf[start, end)` of a TimeSeries. */
  get(buf: Uint8Array, start: number, end: number): Labels | undefined {
    const h = hashBytes(buf, start, end);
    const hit = this.young.find(h, buf, start, end);
    if (hit !== undefined) return hit.labels;
    const aged = this.old.find(h, buf, start, end);
    if (aged === undefined) return undefined;
    this.insert(h, aged.labels);
    return aged.labels;
  }

  /** Remembers `labels`, decoded (and found valid) from the label fields `buf[start, end)`. */
  set(buf: Uint8Array, start: number, end: number, labels: Labels): void {
    this.insert(hashBytes(buf, start, end), labels);
  }

  private insert(h: number, labels: Labels): void {
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Generation();
    }
    this.young.insert(h, labels);
  }
}

function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h;
}

/** Reads a varint at `at` (lengths and tags: small); sets `varEnd`; -1 when malformed. */
let varEnd = 0;
function varintAt(buf: Uint8Array, at: number, end: number): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 5 && at < end; i++) {
    const b = buf[at++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      varEnd = at;
      return result;
    }
    mul *= 128;
  }
  return -1;
}

/** Whether UTF-8 bytes [from, to) spell `s` (ASCII compared in place; anything else decoded). */
function sameText(buf: Uint8Array, from: number, to: number, s: string): boolean {
  if (to - from < s.length) return false;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    if (buf[from + i] !== c) return false;
  }
  if (i === s.length) return from + i === to;
  return Buffer.from(buf.buffer, buf.byteOffset + from + i, to - from - i).toString('utf8') === s.slice(i);
}

/**
 * Whether the label fields `buf[start, end)` (repeated `Label labels = 1`, each with
 * name = 1 and value = 2) hold exactly `labels`, in order. Anything unusual (an empty
 * value, which decoding would drop; other fields; odd wire types) is a miss: the caller
 * then decodes and validates as for a new series.
 */
function sameLabels(buf: Uint8Array, start: number, end: number, labels: Labels): boolean {
  let k = 0;
  let at = start;
  while (at < end) {
    if (buf[at] !== 0x0a || k >= labels.length) return false;
    const len = varintAt(buf, at + 1, end);
    if (len < 0 || varEnd + len > end) return false;
    const msgEnd = varEnd + len;
    at = varEnd;
    const l = labels[k++]!;
    let name = false;
    let value = false;
    while (at < msgEnd) {
      const tag = buf[at];
      if (tag !== 0x0a && tag !== 0x12) return false;
      const n = varintAt(buf, at + 1, msgEnd);
      if (n < 0 || varEnd + n > msgEnd) return false;
      if (tag === 0x0a) {
        if (name || !sameText(buf, varEnd, varEnd + n, l.name)) return false;
        name = true;
      } else {
        if (value || n === 0 || !sameText(buf, varEnd, varEnd + n, l.value)) return false;
        value = true;
      }
      at = varEnd + n;
    }
    if (!name || !value) return false;
  }
  return k === labels.length;
}
