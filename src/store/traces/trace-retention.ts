import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from '../../self/index.js';
import { dayRange, tableOfDay } from './span-sql.js';

export interface TraceRetentionOptions {
  /** Spans that ended longer ago than this go; 0 keeps them. */
  readonly retentionMs: number;
  /** The oldest spans go while DuckDB uses more bytes than this; 0: no limit. */
  readonly maxBytes: number;
  readonly now: () => number;
  /** The store's set of days with a span table (kept up to date here). */
  readonly days: Set<number>;
  /** Runs on the store's writer connection, serialised with its flushes. */
  readonly write: <T>(fn: (w: DuckDBConnection) => Promise<T>) => Promise<T>;
  /** Called when a day's table is dropped. */
  readonly onDropDay: (day: number) => void;
  readonly log: Logger;
}

const DAY_NS = 86_400_000_000_000n;

/**
 * Retention of the day-partitioned span tables. By time: a day whose spans all ended before
 * the cutoff is dropped whole (cheap); the day the cutoff falls in loses its older rows. By
 * size: while DuckDB's used blocks exceed the limit, the oldest day is dropped, or, when only
 * one is left, rewritten without its oldest quarter by start time.
 */
export class TraceRetention {
  constructor(private readonly o: TraceRetentionOptions) {}

  async usedBytes(w: DuckDBConnection): Promise<number> {
    const r = (await w.runAndReadAll('SELECT block_size, used_blocks FROM pragma_database_size()')).getRows()[0]!;
    return Number(r[0] as bigint) * Number(r[1] as bigint);
  }

  private async drop(w: DuckDBConnection, day: number): Promise<void> {
    await w.run(`DROP TABLE IF EXISTS ${tableOfDay(day)}`);
    await w.run('DELETE FROM span_flushes WHERE day = $1', [day]);
    this.o.days.delete(day);
    this.o.onDropDay(day);
  }

  async apply(): Promise<void> {
    const { o } = this;
    if (o.retentionMs > 0) {
      const cutoff = BigInt(o.now() - o.retentionMs) * 1_000_000n;
      await o.write(async (w) => {
        for (const day of [...o.days].sort((a, b) => a - b)) {
          const r = dayRange(day);
          // A span may run past its start day: a day is dropped whole a day after it ended.
          if (r.endNs + DAY_NS < cutoff) await this.drop(w, day);
          else if (r.startNs < cutoff) await w.run(`DELETE FROM ${tableOfDay(day)} WHERE end_ns < $1`, [cutoff]);
        }
      });
    }
    if (o.maxBytes <= 0) return;
    await o.write(async (w) => {
      await w.run('CHECKPOINT');
      let used = await this.usedBytes(w);
      for (let i = 0; i < 32 && used > o.maxBytes && o.days.size > 0; i++) {
        const oldest = Math.min(...o.days);
        if (o.days.size > 1) await this.drop(w, oldest);
        else {
          // DuckDB does not give deleted rows' blocks back: rewrite the day without its oldest
          // quarter, in one transaction, in the order flushes wrote it (flush, tenant, start),
          // so the flush numbers' and start times' min/max still skip what a read does not need.
          const t = tableOfDay(oldest);
          await w.run('BEGIN TRANSACTION');
          try {
            await w.run(`CREATE OR REPLACE TABLE ${t}_rewrite AS SELECT * FROM ${t} WHERE start_ns > (SELECT quantile_disc(start_ns, 0.25) FROM ${t}) ORDER BY flush_no, tenant, start_ns`);
            await w.run(`DROP TABLE ${t}`);
            await w.run(`ALTER TABLE ${t}_rewrite RENAME TO ${t}`);
            await w.run('COMMIT');
          } catch (e) {
            await w.run('ROLLBACK');
            throw e;
          }
        }
        await w.run('CHECKPOINT');
        let after = await this.usedBytes(w);
        // A checkpoint sometimes writes the new table before it frees the old one's blocks,
        // and under load the old blocks may stay in use a moment longer: a few more tries.
        for (let k = 0; k < 4 && after >= used; k++) {
          if (k > 0) await new Promise((r) => setTimeout(r, 100));
          await w.run('CHECKPOINT');
          after = await this.usedBytes(w);
        }
        o.log.info({ usedBytes: after, maxBytes: o.maxBytes }, 'trace retention: deleted the oldest spans to stay under traces.max_bytes');
        if (after >= used && o.days.size <= 1) {
          // Nothing freed (rows deleted but blocks still shared): stop rather than delete more.
          o.log.warn({ usedBytes: after, maxBytes: o.maxBytes }, 'trace retention: deleting did not free space yet');
          break;
        }
        used = after;
      }
    });
  }
}
