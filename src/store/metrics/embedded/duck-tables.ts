import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * DuckDB holds what the head has flushed: one row per series (labels as JSON), one row per
 * compressed chunk (see chunk.ts), one row per exemplar, and metric metadata. Chunks are appended in bulk inside
 * one transaction per flush (DuckDB fsyncs per commit, so never per request).
 */
export interface MetricDuck {
  readonly instance: DuckDBInstance;
  /** Flushes, retention and compaction (one writer). */
  readonly write: DuckDBConnection;
  /** Reads (MVCC: they never wait for a flush). */
  readonly read: DuckDBConnection;
}

export async function openMetricDuck(file: string, memoryLimit: string, threads: number): Promise<MetricDuck> {
  const instance = await DuckDBInstance.create(file, { memory_limit: memoryLimit, threads: String(threads) });
  const write = await instance.connect();
  await write.run(`CREATE TABLE IF NOT EXISTS metric_series (tenant VARCHAR NOT NULL, id BIGINT NOT NULL, labels VARCHAR NOT NULL)`);
  await write.run(
    `CREATE TABLE IF NOT EXISTS metric_chunks (tenant VARCHAR NOT NULL, series_id BIGINT NOT NULL, min_t BIGINT NOT NULL, max_t BIGINT NOT NULL, samples INTEGER NOT NULL, data BLOB NOT NULL)`,
  );
  // Series labels as pair ids (label-pairs.ts); `labels` keeps the JSON of rows written before.
  await write.run(`CREATE TABLE IF NOT EXISTS metric_label_pairs (id INTEGER NOT NULL, name VARCHAR NOT NULL, value VARCHAR NOT NULL)`);
  await write.run(`ALTER TABLE metric_series ADD COLUMN IF NOT EXISTS pairs INTEGER[]`);
  // level: 0 = written by a flush, 1 = merged by compaction (see compactor.ts); added to older files.
  await write.run(`ALTER TABLE metric_chunks ADD COLUMN IF NOT EXISTS level UTINYINT DEFAULT 0`);
  await write.run(`CREATE TABLE IF NOT EXISTS metric_exemplars (tenant VARCHAR NOT NULL, series_id BIGINT NOT NULL, t BIGINT NOT NULL, value DOUBLE NOT NULL, labels VARCHAR NOT NULL)`);
  await write.run(`CREATE TABLE IF NOT EXISTS metric_metadata (tenant VARCHAR NOT NULL, metric VARCHAR NOT NULL, type VARCHAR NOT NULL, help VARCHAR NOT NULL, unit VARCHAR NOT NULL)`);
  const read = await instance.connect();
  return { instance, write, read };
}

export function closeMetricDuck(duck: MetricDuck): void {
  duck.read.closeSync();
  duck.write.closeSync();
  duck.instance.closeSync();
}

/** An integer list for an IN (...) clause; ids are our own integers, never user text. */
export function idList(ids: readonly number[]): string {
  return ids.map((id) => String(Math.trunc(id))).join(',');
}

/**
 * Rewrites the database file without its free blocks. DuckDB reuses the blocks that deleted
 * rows (compaction, retention) leave behind but never gives them back to the file system;
 * a copy does. Needs the store closed. A copy interrupted by a crash is a stray `.new`
 * file, removed by the next run; the rename is the commit point.
 */
export async function vacuumMetricDuck(file: string): Promise<{ before: number; after: number }> {
  const fresh = `${file}.new`;
  for (const f of [fresh, `${fresh}.wal`]) if (existsSync(f)) rmSync(f);
  const before = fileBytes(file);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`ATTACH ${sqlString(file)} AS old_db`);
    // Folds the old file's own log in, so nothing but the file itself holds its data.
    await conn.run('CHECKPOINT old_db');
    await conn.run(`ATTACH ${sqlString(fresh)} AS new_db`);
    await conn.run('COPY FROM DATABASE old_db TO new_db');
    await conn.run('DETACH old_db');
    await conn.run('DETACH new_db');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  // A log left beside the old file would be replayed into the new one: stop instead.
  if (existsSync(`${file}.wal`) || existsSync(`${fresh}.wal`)) throw new Error(`cannot vacuum ${file}: DuckDB left a log file after checkpointing`);
  renameSync(fresh, file);
  return { before, after: fileBytes(file) };
}

function fileBytes(file: string): number {
  let n = 0;
  for (const f of [file, `${file}.wal`]) if (existsSync(f)) n += statSync(f).size;
  return n;
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}
