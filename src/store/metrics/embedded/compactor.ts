import type { DuckDBBlobValue } from '@duckdb/node-api';
import { MAX_CHUNK_SAMPLES, decodeChunk, encodeChunk } from './chunk.js';
import { idList, type MetricDuck } from './duck-tables.js';
import type { SampleRun } from './mem-series.js';
import { mergeRuns } from './merge-runs.js';

/**
 * Recent data fast, old data compact. Each flush writes one small chunk per series (level 0:
 * the head's last minutes, cheap to write). Once a 2-hour window is closed, the compactor
 * merges each series' chunks in that window into chunks of up to MAX_CHUNK_SAMPLES samples
 * (level 1). Measured on real node_exporter data (bench/metrics-ingest/codec.ts): 8-sample
 * chunks cost 2.8 bytes per sample, 40-sample chunks 1.6, 120 and more 1.4; DuckDB adds
 * ~4 bytes per row. Late samples (backfill, out-of-order) land as new level-0 chunks in old
 * windows and get merged on the next pass. The window is also the retention granularity.
 */
export const COMPACTION_WINDOW_MS = 2 * 3600_000;

/** Series whose chunks are merged per transaction: bounds memory and the size of one commit. */
const SERIES_PER_BATCH = 2000;

export interface CompactionStats {
  readonly windows: number;
  readonly series: number;
  readonly chunksBefore: number;
  readonly chunksAfter: number;
}

/**
 * Compacts every window that ends at or before `closedBefore` and holds level-0 chunks.
 * Runs on the write connection and must not interleave with a flush (the caller serialises
 * them): chunks are read, merged, deleted and rewritten in one transaction per batch.
 */
export async function compactChunks(duck: MetricDuck, closedBefore: number): Promise<CompactionStats> {
  const conn = duck.write;
  const w = COMPACTION_WINDOW_MS;
  const windows = (
    await conn.runAndReadAll(
      `SELECT DISTINCT tenant, floor(min_t / ${w})::BIGINT AS win FROM metric_chunks WHERE level = 0 AND (floor(min_t / ${w})::BIGINT + 1) * ${w} <= ${Math.trunc(Math.min(closedBefore, 8e15))} ORDER BY win, tenant`,
    )
  ).getRows();
  let series = 0;
  let chunksBefore = 0;
  let chunksAfter = 0;
  for (const [tenant, win] of windows) {
    const lo = Number(win) * w;
    const hi = lo + w;
    const inWindow = `tenant = $1 AND min_t >= ${lo} AND min_t < ${hi}`;
    const rows = (
      await conn.runAndReadAll(`SELECT series_id, count(*) FROM metric_chunks WHERE ${inWindow} GROUP BY series_id HAVING bool_or(level = 0) ORDER BY series_id`, [String(tenant)])
    ).getRows();
    // A series with a single chunk in the window is compact already: it is only marked so.
    const single = rows.filter((r) => Number(r[1]) === 1).map((r) => Number(r[0]));
    for (let i = 0; i < single.length; i += SERIES_PER_BATCH) {
      await conn.run(`UPDATE metric_chunks SET level = 1 WHERE ${inWindow} AND series_id IN (${idList(single.slice(i, i + SERIES_PER_BATCH))})`, [String(tenant)]);
    }
    const ids = rows.filter((r) => Number(r[1]) > 1).map((r) => Number(r[0]));
    for (let i = 0; i < ids.length; i += SERIES_PER_BATCH) {
      const batch = ids.slice(i, i + SERIES_PER_BATCH);
      const where = `${inWindow} AND series_id IN (${idList(batch)})`;
      await conn.run('BEGIN TRANSACTION');
      try {
        // Write order (rowid) breaks ties so a later write of the same timestamp wins, as in reads.
        const rows = (await conn.runAndReadAll(`SELECT series_id, data FROM metric_chunks WHERE ${where} ORDER BY series_id, min_t, rowid`, [String(tenant)])).getRows();
        chunksBefore += rows.length;
        // The rows are in memory now: drop them, then append their merged form (same transaction).
        await conn.run(`DELETE FROM metric_chunks WHERE ${where}`, [String(tenant)]);
        const app = await conn.createAppender('metric_chunks');
        let k = 0;
        while (k < rows.length) {
          const id = Number(rows[k]![0]);
          const runs: SampleRun[] = [];
          for (; k < rows.length && Number(rows[k]![0]) === id; k++) {
            const c = decodeChunk((rows[k]![1] as DuckDBBlobValue).bytes);
            runs.push({ t: c.timestamps, v: c.values, n: c.timestamps.length, unsorted: false });
          }
          const m = mergeRuns(runs, -Infinity, Infinity);
          chunksAfter += appendChunks(app, String(tenant), id, m.t, m.v, 1);
          series++;
        }
        app.closeSync();
        await conn.run('COMMIT');
      } catch (e) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    }
  }
  return { windows: windows.length, series, chunksBefore, chunksAfter };
}

/** Appender shape shared by flushes and compaction. */
export interface ChunkAppender {
  appendVarchar(v: string): void;
  appendBigInt(v: bigint): void;
  appendInteger(v: number): void;
  appendUTinyInt(v: number): void;
  appendBlob(v: Uint8Array): void;
  endRow(): void;
}

/** Writes one series' samples (ascending, unique) as chunks of at most MAX_CHUNK_SAMPLES; returns how many. */
export function appendChunks(app: ChunkAppender, tenant: string, seriesId: number, t: Float64Array, v: Float64Array, level: number): number {
  let chunks = 0;
  for (let from = 0; from < t.length; from += MAX_CHUNK_SAMPLES) {
    const to = Math.min(t.length, from + MAX_CHUNK_SAMPLES);
    appendChunkRow(app, tenant, seriesId, t[from]!, t[to - 1]!, to - from, encodeChunk(t, v, from, to), level);
    chunks++;
  }
  return chunks;
}

/** One metric_chunks row (the Appender copies `data`). */
export function appendChunkRow(app: ChunkAppender, tenant: string, seriesId: number, minT: number, maxT: number, samples: number, data: Uint8Array, level: number): void {
  app.appendVarchar(tenant);
  app.appendBigInt(BigInt(seriesId));
  app.appendBigInt(BigInt(minT));
  app.appendBigInt(BigInt(maxT));
  app.appendInteger(samples);
  app.appendBlob(data);
  app.appendUTinyInt(level);
  app.endRow();
}
