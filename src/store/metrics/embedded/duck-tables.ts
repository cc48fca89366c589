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
