import type { Exemplar, Label, Labels, MetricMetadata } from '../../../model/index.js';

/**
 * Write-ahead log records of the metric store. Labels travel in full (not as ids), so a
 * replay needs nothing but the log and DuckDB's series table; the log is short-lived (it is
 * truncated after each flush), so the extra bytes are cheap.
 *
 * kind 1 (samples): tenant, series count, then per series: labels, sample count, timestamps
 * (f64), values (raw f64 bits), exemplars as JSON. kind 2 (metadata): tenant, JSON array.
 */
export interface WalSeries {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly exemplars?: readonly Exemplar[] | undefined;
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

export function decodeRecord(buf: Buffer): WalRecord {
  let p = 1;
  const tlen = buf.readUInt16LE(p);
  const tenant = buf.toString('utf8', p + 2, p + 2 + tlen);
  p += 2 + tlen;
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
