import type { DuckDBConnection } from '@duckdb/node-api';

export const DAY_NS = 86_400_000_000_000n;

/** The UTC day number of a timestamp: entries live in one table per day. */
export function partitionOf(tsNs: bigint): number {
  return Number(tsNs >= 0n ? tsNs / DAY_NS : 0n);
}

/** The day tables and their usage (entries, bytes), kept in the `partitions` table. */
export class Partitions {
  /** Tables and usage written by the flush in progress, not committed yet. */
  private readonly pending = new Map<number, { entries: number; bytes: number }>();

  private constructor(private readonly days: Map<number, { entries: number; bytes: number }>) {}

  static async load(conn: DuckDBConnection): Promise<Partitions> {
    await conn.run('CREATE TABLE IF NOT EXISTS partitions (day INTEGER PRIMARY KEY, entries BIGINT, bytes BIGINT)');
    const rows = (await conn.runAndReadAll('SELECT day, entries, bytes FROM partitions')).getRows();
    const p = new Partitions(new Map(rows.map((r) => [Number(r[0]), { entries: Number(r[1]), bytes: Number(r[2]) }])));
    // Tables written before the per-entry byte count existed get the column (NULL: readers
    // fall back to the line's length).
    for (const day of p.days.keys()) await conn.run(`ALTER TABLE ${p.table(day)} ADD COLUMN IF NOT EXISTS bytes INTEGER`);
    return p;
  }

  table(day: number): string {
    return `entries_d${day}`;
  }

  /** Creates the day's table inside the caller's transaction; `commit` makes it known to readers. */
  async ensure(conn: DuckDBConnection, day: number): Promise<void> {
    if (this.days.has(day) || this.pending.has(day)) return;
    await conn.run(`CREATE TABLE IF NOT EXISTS ${this.table(day)} (stream_id INTEGER, ts BIGINT, line VARCHAR, meta VARCHAR, bytes INTEGER)`);
    await conn.run(`INSERT OR IGNORE INTO partitions VALUES (${day}, 0, 0)`);
    this.pending.set(day, { entries: 0, bytes: 0 });
  }

  async addUsage(conn: DuckDBConnection, day: number, entries: number, bytes: number): Promise<void> {
    const cur = this.days.get(day) ?? this.pending.get(day)!;
    const next = { entries: cur.entries + entries, bytes: cur.bytes + bytes };
    this.pending.set(day, next);
    await conn.run(`UPDATE partitions SET entries = ${next.entries}, bytes = ${next.bytes} WHERE day = ${day}`);
  }

  /** After the flush transaction committed: its tables and usage become visible. */
  commit(): void {
    for (const [day, u] of this.pending) this.days.set(day, u);
    this.pending.clear();
  }

  /** After it rolled back: forget what it created. */
  rollback(): void {
    this.pending.clear();
  }

  /** The committed day tables. */
  known(): ReadonlySet<number> {
    return new Set(this.days.keys());
  }

  /** Days whose tables may hold entries in [startNs, endNs). */
  overlapping(startNs: bigint, endNs: bigint): number[] {
    const lo = partitionOf(startNs);
    const hi = partitionOf(endNs - 1n);
    return [...this.days.keys()].filter((d) => d >= lo && d <= hi).sort((a, b) => a - b);
  }

  oldestStartNs(): bigint | undefined {
    const days = [...this.days.keys()];
    return days.length === 0 ? undefined : BigInt(Math.min(...days)) * DAY_NS;
  }

  async dropExpired(conn: DuckDBConnection, cutoffNs: bigint | undefined, maxBytes: number): Promise<number[]> {
    const dropped: number[] = [];
    const days = [...this.days.keys()].sort((a, b) => a - b);
    let total = 0;
    for (const d of days) total += this.days.get(d)!.bytes;
    for (const d of days) {
      const expired = cutoffNs !== undefined && BigInt(d + 1) * DAY_NS <= cutoffNs;
      const over = maxBytes > 0 && total > maxBytes && d !== days.at(-1);
      if (!expired && !over) break;
      await conn.run(`DROP TABLE IF EXISTS ${this.table(d)}`);
      await conn.run(`DELETE FROM partitions WHERE day = ${d}`);
      total -= this.days.get(d)!.bytes;
      this.days.delete(d);
      dropped.push(d);
    }
    return dropped;
  }
}
