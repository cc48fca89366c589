import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Labels } from '../../model/index.js';
import type { LogEntry } from '../../receive/loki-push/index.js';

/** Which rows of one day table a read wants. */
export interface RowFilter {
  /** Stream ids, ascending. */
  readonly ids: readonly number[];
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** Substrings every line must contain (pushed into SQL as `contains`). */
  readonly mustContain: readonly string[];
}

/**
 * The WHERE clause of a read. The BETWEEN on stream ids lets DuckDB skip row groups by their
 * zone maps (flushes write each stream's rows together, so a row group spans few ids); the IN
 * list is the exact test. Substrings are parameters, never spliced into the SQL.
 */
export function whereClause(f: RowFilter): { sql: string; params: DuckDBValue[] } {
  const lo = f.ids[0]!;
  const hi = f.ids[f.ids.length - 1]!;
  const conds = [`ts >= ${f.startNs}`, `ts < ${f.endNs}`, `stream_id BETWEEN ${lo} AND ${hi}`];
  if (hi - lo + 1 !== f.ids.length) conds.push(`stream_id IN (${f.ids.join(',')})`);
  f.mustContain.forEach((_, i) => conds.push(`contains(line, $${i + 1})`));
  return { sql: conds.join(' AND '), params: [...f.mustContain] };
}

/** A run of consecutive rows of one stream, as read. */
export interface StreamRun {
  readonly streamId: number;
  readonly entries: LogEntry[];
}

/**
 * Streams the matching rows of one day table in storage order (each flush wrote its rows
 * stream by stream, in arrival order), one DuckDB chunk at a time, as runs of one stream:
 * memory stays at one chunk however much the table holds.
 */
export async function* readRuns(conn: DuckDBConnection, table: string, f: RowFilter): AsyncGenerator<StreamRun> {
  const where = whereClause(f);
  const result = await conn.stream(`SELECT stream_id, ts, line, meta FROM ${table} WHERE ${where.sql}`, where.params);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    const n = chunk.rowCount;
    const ids = chunk.getColumnVector(0);
    const tss = chunk.getColumnVector(1);
    const lines = chunk.getColumnVector(2);
    const metas = chunk.getColumnVector(3);
    let cur = -1;
    let run: LogEntry[] = [];
    for (let i = 0; i < n; i++) {
      const id = ids.getItem(i) as number;
      if (id !== cur) {
        if (run.length > 0) yield { streamId: cur, entries: run };
        cur = id;
        run = [];
      }
      run.push({ tsNs: tss.getItem(i) as bigint, line: lines.getItem(i) as string, metadata: parseMeta(metas.getItem(i) as string | null) });
    }
    if (run.length > 0) yield { streamId: cur, entries: run };
  }
}

/** Entries and bytes per stream (and per time bucket when `stepNs` is set), summed in DuckDB. */
export async function usageRows(
  conn: DuckDBConnection,
  table: string,
  f: RowFilter,
  stepNs: bigint | undefined,
): Promise<Array<{ streamId: number; bucket: bigint; entries: number; bytes: number }>> {
  const where = whereClause(f);
  const bucket = stepNs === undefined ? '0::BIGINT' : `(ts - ${f.startNs}) // ${stepNs}`;
  const reader = await conn.runAndReadAll(
    `SELECT stream_id, ${bucket} AS b, count(*)::BIGINT, sum(COALESCE(bytes, strlen(line)))::BIGINT FROM ${table} WHERE ${where.sql} GROUP BY 1, 2`,
    where.params,
  );
  return reader.getRows().map((r) => ({ streamId: Number(r[0]), bucket: BigInt(r[1] as bigint), entries: Number(r[2]), bytes: Number(r[3]) }));
}

export function parseMeta(text: string | null): Labels {
  if (text === null) return [];
  return (JSON.parse(text) as Array<[string, string]>).map(([name, value]) => ({ name, value }));
}
