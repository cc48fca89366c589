import type { Exemplar, Label, Labels, MetricMetadata } from '../../../model/index.js';

/**
 * Write-ahead log records of the metric store.
 *
 * kind 3 (samples by series id): tenant, entry count, then per entry: series id, flags
 * (1: the series' labels follow, 2: exemplars follow), [labels], sample count, timestamps
 * (f64), values (two u32 per sample: raw bits), [exemplars as JSON]. A series' labels are
 * logged until a durable record (or DuckDB's series table) holds them, then only its id:
 * 24 bytes per sample instead of ~120 with the labels of a typical series.
 * kind 1 (samples with labels, written by earlier versions, still replayed): tenant, series
 * count, then per series: labels, sample count, timestamps, values, exemplars as JSON.
 * kind 2 (metadata): tenant, JSON array.
 */
export interface WalSeries {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly exemplars?: readonly Exemplar[] | undefined;
}

/** One series' part of a kind-3 record. */
export interface WalEntry {
  readonly id: number;
  /** Present when the record defines the series. */
  readonly labels: Labels | undefined;
  readonly timestamps: ArrayLike<number>;
  readonly values: Float64Array;
  readonly exemplars: readonly Exemplar[] | undefined;
}

export type WalRecord =
  | { readonly kind: 'samples'; readonly tenant: string; readonly series: WalSeries[] }
  | { readonly kind: 'metadata'; readonly tenant: string; readonly metadata: MetricMetadata[] };

export function encodeSamplesRecord(tenant: string, series: readonly WalSeries[]): Buffer {
  let size = 1 + 2 + Buffer.byteLength(tenant) + 4;
  const exJson: string[] = [];
  for (const s of series) {
    size += 2;
    for (const l of s.labels) size += 2 + Buffer.byteLength(l.name) + 4 + Buffer.byteLength(l.value);
    const ex = s.exemplars && s.exemplars.length > 0 ? JSON.stringify(s.exemplars) : '';
    exJson.push(ex);
    size += 4 + s.timestamps.length * 16 + 4 + Buffer.byteLength(ex);
  }
  const buf = Buffer.allocUnsafe(size);
  let p = 0;
  buf[p++] = 1;
  p = writeStr16(buf, p, tenant);
  buf.writeUInt32LE(series.length, p);
  p += 4;
  series.forEach((s, i) => {
    buf.writeUInt16LE(s.labels.length, p);
    p += 2;
    for (const l of s.labels) {
      p = writeStr16(buf, p, l.name);
      const len = buf.write(l.value, p + 4);
      buf.writeUInt32LE(len, p);
      p += 4 + len;
    }
    const n = s.timestamps.length;
    buf.writeUInt32LE(n, p);
    p += 4;
    p += Buffer.from(s.timestamps.buffer, s.timestamps.byteOffset, n * 8).copy(buf, p);
    p += Buffer.from(s.values.buffer, s.values.byteOffset, n * 8).copy(buf, p);
    const ex = exJson[i]!;
    const len = buf.write(ex, p + 4);
    buf.writeUInt32LE(len, p);
    p += 4 + len;
  });
  return buf;
}

export function encodeMetadataRecord(tenant: string, metadata: readonly MetricMetadata[]): Buffer {
  const json = JSON.stringify(metadata);
  const buf = Buffer.allocUnsafe(1 + 2 + Buffer.byteLength(tenant) + Buffer.byteLength(json));
  buf[0] = 2;
  const p = writeStr16(buf, 1, tenant);
  buf.write(json, p);
  return buf;
}

export function encodeEntriesRecord(tenant: string, entries: readonly WalEntry[]): Buffer {
  let size = 1 + 2 + Buffer.byteLength(tenant) + 4;
  let exJson: string[] | undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    size += 4 + 1 + 4 + e.timestamps.length * 16;
    if (e.labels) {
      size += 2;
      for (const l of e.labels) size += 2 + Buffer.byteLength(l.name) + 4 + Buffer.byteLength(l.value);
    }
    if (e.exemplars && e.exemplars.length > 0) {
      exJson ??= [];
      exJson[i] = JSON.stringify(e.exemplars);
      size += 4 + Buffer.byteLength(exJson[i]!);
    }
  }
  const buf = Buffer.allocUnsafe(size);
  buf[0] = 3;
  let p = writeStr16(buf, 1, tenant);
  buf.writeUInt32LE(entries.length, p);
  p += 4;
  // Value bits through a u32 view of each source buffer (requests share one): exact NaN payloads, no per-series view.
  let viewOf: ArrayBufferLike | undefined;
  let view: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const ex = exJson?.[i];
    buf.writeUInt32LE(e.id, p);
    buf[p + 4] = (e.labels ? 1 : 0) | (ex !== undefined ? 2 : 0);
    p += 5;
    if (e.labels) {
      buf.writeUInt16LE(e.labels.length, p);
      p += 2;
      for (const l of e.labels) {
        p = writeStr16(buf, p, l.name);
        const len = buf.write(l.value, p + 4);
        buf.writeUInt32LE(len, p);
        p += 4 + len;
      }
    }
    const n = e.timestamps.length;
    buf.writeUInt32LE(n, p);
    p += 4;
    for (let k = 0; k < n; k++, p += 8) buf.writeDoubleLE(e.timestamps[k]!, p);
    if (e.values.buffer !== viewOf) {
      viewOf = e.values.buffer;
      view = new Uint32Array(viewOf, 0, viewOf.byteLength >>> 2);
    }
    const base = e.values.byteOffset >>> 2;
    for (let k = 0; k < n; k++, p += 8) {
      buf.writeUInt32LE(view[base + k * 2]!, p);
      buf.writeUInt32LE(view[base + k * 2 + 1]!, p + 4);
    }
    if (ex !== undefined) {
      const len = buf.write(ex, p + 4);
      buf.writeUInt32LE(len, p);
      p += 4 + len;
    }
  }
  return buf;
}

/** Where one entry of a kind-3 record is, for reading it in place (no objects per entry). */
export interface EntryVisitor {
  /**
   * `defAt`: offset of the series' labels (readDefLabels), -1 when not defined here;
   * `samplesAt`: n timestamps (f64) then n values (two u32 each); `exemplars` as JSON.
   */
  (tenant: string, id: number, defAt: number, samplesAt: number, n: number, exemplarsJson: string | undefined): void;
}

/** Tenant of a record (any kind). */
export function recordTenant(buf: Buffer): string {
  return buf.toString('utf8', 3, 3 + buf.readUInt16LE(1));
}

/** Walks a kind-3 record's entries in order. */
export function walkEntries(buf: Buffer, visit: EntryVisitor): void {
  const tlen = buf.readUInt16LE(1);
  const tenant = buf.toString('utf8', 3, 3 + tlen);
  let p = 3 + tlen;
  const count = buf.readUInt32LE(p);
  p += 4;
  for (let i = 0; i < count; i++) {
    const id = buf.readUInt32LE(p);
    const flags = buf[p + 4]!;
    p += 5;
    let defAt = -1;
    if (flags & 1) {
      defAt = p;
      const nl = buf.readUInt16LE(p);
      p += 2;
      for (let j = 0; j < nl; j++) {
        p += 2 + buf.readUInt16LE(p);
        p += 4 + buf.readUInt32LE(p);
      }
    }
    const n = buf.readUInt32LE(p);
    p += 4;
    const samplesAt = p;
    p += n * 16;
    let ex: string | undefined;
    if (flags & 2) {
      const len = buf.readUInt32LE(p);
      ex = buf.toString('utf8', p + 4, p + 4 + len);
      p += 4 + len;
    }
    visit(tenant, id, defAt, samplesAt, n, ex);
  }
}

/** The labels a kind-3 entry defines (see walkEntries' `defAt`). */
export function readDefLabels(buf: Buffer, at: number): Label[] {
  const labels: Label[] = [];
  const nl = buf.readUInt16LE(at);
  let p = at + 2;
  for (let j = 0; j < nl; j++) {
    const a = buf.readUInt16LE(p);
    const name = buf.toString('utf8', p + 2, p + 2 + a);
    p += 2 + a;
    const b = buf.readUInt32LE(p);
    labels.push({ name, value: buf.toString('utf8', p + 4, p + 4 + b) });
    p += 4 + b;
  }
  return labels;
}

export function decodeRecord(buf: Buffer): WalRecord {
  let p = 1;
  const tlen = buf.readUInt16LE(p);
  const tenant = buf.toString('utf8', p + 2, p + 2 + tlen);
  p += 2 + tlen;
  if (buf[0] === 3) throw new Error('metric log records of kind 3 are read in place: use walkEntries');
  if (buf[0] === 2) return { kind: 'metadata', tenant, metadata: JSON.parse(buf.toString('utf8', p)) as MetricMetadata[] };
  if (buf[0] !== 1) throw new Error(`unknown metric log record kind ${buf[0]}`);
  const count = buf.readUInt32LE(p);
  p += 4;
  const series: WalSeries[] = [];
  for (let i = 0; i < count; i++) {
    const nl = buf.readUInt16LE(p);
    p += 2;
    const labels: Label[] = [];
    for (let j = 0; j < nl; j++) {
      const a = buf.readUInt16LE(p);
      const name = buf.toString('utf8', p + 2, p + 2 + a);
      p += 2 + a;
      const b = buf.readUInt32LE(p);
      const value = buf.toString('utf8', p + 4, p + 4 + b);
      p += 4 + b;
      labels.push({ name, value });
    }
    const n = buf.readUInt32LE(p);
    p += 4;
    // Copy into fresh, aligned arrays (the record buffer's offsets are not 8-aligned).
    const timestamps = new Float64Array(n);
    const values = new Float64Array(n);
    buf.copy(new Uint8Array(timestamps.buffer), 0, p, p + n * 8);
    p += n * 8;
    buf.copy(new Uint8Array(values.buffer), 0, p, p + n * 8);
    p += n * 8;
    const el = buf.readUInt32LE(p);
    const exemplars = el > 0 ? (JSON.parse(buf.toString('utf8', p + 4, p + 4 + el)) as Exemplar[]) : undefined;
    p += 4 + el;
    series.push({ labels, timestamps, values, exemplars });
  }
  return { kind: 'samples', tenant, series };
}

function writeStr16(buf: Buffer, p: number, s: string): number {
  const len = buf.write(s, p + 2);
  buf.writeUInt16LE(len, p);
  return p + 2 + len;
}
