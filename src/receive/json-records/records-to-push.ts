import { IchigenError, compareLabelNames, isValidLabelName, type Label } from '../../model/index.js';
import type { LogEntry, PushBatch, PushStream } from '../loki-push/index.js';

/** How records become stream labels, a line, a time and structured metadata. */
export interface RecordMapping {
  /** Labels every stream gets. */
  readonly labels: readonly Label[];
  /** Record keys (dotted paths into nested objects) whose values become stream labels. */
  readonly labelKeys: readonly string[];
  /** Record keys whose values become structured metadata. */
  readonly metadataKeys: readonly string[];
  /** The key holding the line; undefined: the rest of the record, as JSON (Fluent Bit's loki output `line_format json`). */
  readonly lineKey: string | undefined;
  /** The key holding the time (Fluent Bit's `json_date_key`, default `date`). */
  readonly timeKey: string;
}

function lookup(record: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  let cur: unknown = record;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** `a.b-c` as a label name: `a_b_c`. */
export function labelNameOf(key: string): string {
  const n = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(n) ? `_${n}` : n;
}

/**
 * A record's time in ns: numbers by magnitude (seconds with a fraction as Fluent Bit's
 * `double`, `epoch`, `epoch_ms`, µs, ns), strings as ISO 8601 or `java_sql_timestamp`
 * (`2024-01-02 03:04:05.123456`, UTC). Undefined when absent.
 */
export function recordTimeNs(v: unknown, where: string): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
    if (v < 1e11) return BigInt(Math.round(v * 1e6)) * 1000n;
    if (v < 1e14) return BigInt(Math.round(v * 1000)) * 1000n;
    if (v < 1e17) return BigInt(Math.round(v)) * 1000n;
    return BigInt(Math.round(v));
  }
  if (typeof v === 'string') {
    if (/^\d{1,19}$/.test(v)) return recordTimeNs(Number(v), where) ?? undefined;
    const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(v.trim());
    if (m) {
      const ms = Date.parse(`${m[1]}T${m[2]}${m[4] ?? 'Z'}`);
      if (!Number.isNaN(ms)) return BigInt(ms) * 1_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'));
    }
  }
  throw new IchigenError('INVALID_BODY', `${where}: cannot read the time ${JSON.stringify(v).slice(0, 60)} (use epoch seconds, milliseconds or nanoseconds, or ISO 8601)`);
}

/**
 * Records to push streams. Stream labels: the fixed labels plus the label keys found in the
 * record; a record with no stream label at all is refused (Loki needs one). The keys used
 * for labels, metadata and the time are left out of a JSON line.
 */
export function recordsToPush(records: ReadonlyArray<Record<string, unknown>>, mapping: RecordMapping, nowNs: () => bigint): PushBatch {
  const streams = new Map<string, PushStream>();
  const used = new Set([...mapping.labelKeys, ...mapping.metadataKeys, mapping.timeKey]);
  records.forEach((record, i) => {
    const where = `record ${i + 1}`;
    const labels = new Map(mapping.labels.map((l) => [l.name, l.value]));
    for (const k of mapping.labelKeys) {
      const v = lookup(record, k);
      if (v !== undefined && v !== null && text(v) !== '') labels.set(labelNameOf(k), text(v));
    }
    if (labels.size === 0) throw new IchigenError('INVALID_BODY', `${where}: no stream label; add fixed labels (?labels=job=fluent-bit) or record keys (?label_keys=host)`);
    const metadata: Label[] = [];
    for (const k of mapping.metadataKeys) {
      const v = lookup(record, k);
      if (v !== undefined && v !== null && text(v) !== '') metadata.push({ name: labelNameOf(k), value: text(v) });
    }
    let line: string;
    if (mapping.lineKey !== undefined) {
      const v = lookup(record, mapping.lineKey);
      if (v === undefined) throw new IchigenError('INVALID_BODY', `${where}: has no "${mapping.lineKey}" key for the line`);
      line = text(v);
    } else {
      const rest: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(record)) if (!used.has(k)) rest[k] = v;
      line = JSON.stringify(rest);
    }
    const entry: LogEntry = { tsNs: recordTimeNs(record[mapping.timeKey], where) ?? nowNs(), line, metadata: metadata.sort(compareLabelNames) };
    const sorted = [...labels].map(([name, value]) => ({ name, value })).sort(compareLabelNames);
    for (const l of sorted) if (!isValidLabelName(l.name)) throw new IchigenError('INVALID_BODY', `${where}: invalid label name "${l.name}"`);
    const key = JSON.stringify(sorted);
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { labels: sorted, entries: [] }));
    s.entries.push(entry);
  });
  return { streams: [...streams.values()] };
}
