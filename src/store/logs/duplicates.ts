import type { DuckDBConnection } from '@duckdb/node-api';
import type { LogEntry } from '../../receive/loki-push/index.js';
import { partitionOf } from './partitions.js';

/**
 * Loki keeps an entry once per stream: an entry with the same timestamp, line and structured
 * metadata as one already stored is dropped, so a retried or replayed push does not double
 * lines. The store holds that in three places: a push is checked against the stream's entries
 * still in memory (this file's `MemoryEntries`), a flush against DuckDB, and a read's entries
 * still in memory against the DuckDB snapshot it reads (`storedDuplicates`). Only entries at or
 * before the newest time a stream has in DuckDB can be such a duplicate: in-order ingest never
 * pays for a lookup.
 */

/** Structured metadata as the `meta` column stores it (NULL when none). */
export function metaText(e: LogEntry): string | null {
  return e.metadata.length === 0 ? null : JSON.stringify(e.metadata.map((m) => [m.name, m.value]));
}

/** Same timestamp, line and structured metadata (metadata is sorted with unique names). */
export function sameEntry(a: LogEntry, b: LogEntry): boolean {
  if (a.tsNs !== b.tsNs || a.line !== b.line || a.metadata.length !== b.metadata.length) return false;
  for (let i = 0; i < a.metadata.length; i++) {
    if (a.metadata[i]!.name !== b.metadata[i]!.name || a.metadata[i]!.value !== b.metadata[i]!.value) return false;
  }
  return true;
}

/**
 * A key for an entry among those sharing its timestamp: the line, plus the metadata when there
 * is any (the usual entry without metadata costs no allocation).
 */
export function keyAtTime(e: LogEntry): string {
  return e.metadata.length === 0 ? e.line : `${e.line}\u0000${metaText(e)}`;
}

/**
 * A stream's entries in memory by timestamp, built when the stream first gets an entry older
 * than its newest (in-order entries need no lookup), dropped once they are flushed.
 */
export class MemoryEntries {
  /** By the timestamp as a double: ns times that round alike share a bucket, compared exactly. */
  private readonly byTime = new Map<number, LogEntry | LogEntry[]>();

  constructor(...lists: ReadonlyArray<readonly LogEntry[]>) {
    for (const list of lists) for (const e of list) this.add(e);
  }

  has(e: LogEntry): boolean {
    const at = this.byTime.get(Number(e.tsNs));
    if (at === undefined) return false;
    if (!Array.isArray(at)) return sameEntry(at, e);
    for (const x of at) if (sameEntry(x, e)) return true;
    return false;
  }

  add(e: LogEntry): void {
    const k = Number(e.tsNs);
    const at = this.byTime.get(k);
    if (at === undefined) this.byTime.set(k, e);
    else if (Array.isArray(at)) at.push(e);
    else this.byTime.set(k, [at, e]);
  }
}

/** Entries of one stream that may already be in DuckDB. */
export interface Candidates {
  readonly streamId: number;
  readonly entries: readonly LogEntry[];
}

/** (stream, time) pairs per lookup: the SQL stays small, the join cheap. */
const PAIRS_PER_QUERY = 2000;

/**
 * The candidates DuckDB already holds (same stream, time, line and metadata), looked up with a
 * semi-join on (stream, time) per day table in `days` (the tables the caller's snapshot has).
 */
export async function storedDuplicates(conn: DuckDBConnection, table: (day: number) => string, days: ReadonlySet<number>, candidates: readonly Candidates[]): Promise<Set<LogEntry>> {
  const found = new Set<LogEntry>();
  const byDay = new Map<number, Map<string, { streamId: number; entries: LogEntry[] }>>();
  for (const c of candidates) {
    for (const e of c.entries) {
      const day = partitionOf(e.tsNs);
      if (!days.has(day)) continue;
      let pairs = byDay.get(day);
      if (!pairs) byDay.set(day, (pairs = new Map()));
      const key = `${c.streamId}/${e.tsNs}`;
      const at = pairs.get(key);
      if (at) at.entries.push(e);
      else pairs.set(key, { streamId: c.streamId, entries: [e] });
    }
  }
  for (const [day, pairs] of byDay) {
    const list = [...pairs.values()];
    for (let i = 0; i < list.length; i += PAIRS_PER_QUERY) {
      const part = list.slice(i, i + PAIRS_PER_QUERY);
      let idLo = Infinity;
      let idHi = -Infinity;
      let tsLo = part[0]!.entries[0]!.tsNs;
      let tsHi = tsLo;
      const values: string[] = [];
      for (const p of part) {
        const ts = p.entries[0]!.tsNs;
        if (p.streamId < idLo) idLo = p.streamId;
        if (p.streamId > idHi) idHi = p.streamId;
        if (ts < tsLo) tsLo = ts;
        if (ts > tsHi) tsHi = ts;
        values.push(`(${p.streamId}, ${ts}::BIGINT)`);
      }
      // Only integers of our own are spliced in. The ranges let DuckDB skip row groups by zone map.
      const rows = (
        await conn.runAndReadAll(
          `SELECT t.stream_id, t.ts, t.line, t.meta FROM ${table(day)} t SEMI JOIN (VALUES ${values.join(',')}) v(sid, ts) ON t.stream_id = v.sid AND t.ts = v.ts ` +
            `WHERE t.stream_id BETWEEN ${idLo} AND ${idHi} AND t.ts BETWEEN ${tsLo} AND ${tsHi}`,
        )
      ).getRows();
      for (const r of rows) {
        const at = pairs.get(`${Number(r[0])}/${r[1] as bigint}`);
        if (!at) continue;
        for (const e of at.entries) if (e.line === r[2] && metaText(e) === (r[3] as string | null)) found.add(e);
      }
    }
  }
  return found;
}
