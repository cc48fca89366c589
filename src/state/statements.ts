import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { StateSchema } from './schema.js';

type Db = Kysely<StateSchema> | Transaction<StateSchema>;
type Row = Readonly<Record<string, unknown>>;

/**
 * Statements written once as SQL text with `?` placeholders, run without building a query per
 * call: the alerting hot paths (intake, escalation, notifications) run a dozen statements per
 * alert, and Kysely's query building and its layers of promises cost more than SQLite running
 * them. `db` is the database or a transaction the caller is inside of, as with Kysely.
 */
export interface StateSql {
  all<R>(db: Db, text: string, params: readonly unknown[]): Promise<R[]>;
  /** Runs a statement that returns no rows; resolves with the number of rows it changed. */
  run(db: Db, text: string, params: readonly unknown[]): Promise<number>;
  /** Inserts rows (all with the same keys, in the same order) in as few round trips as the dialect needs. */
  insert(db: Db, table: string, rows: readonly Row[]): Promise<void>;
}

const insertText = (table: string, columns: readonly string[], rows: number): string => {
  const one = `(${columns.map(() => '?').join(', ')})`;
  return `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: rows }, () => one).join(', ')}`;
};

/**
 * SQLite: one connection, run synchronously by better-sqlite3 with cached prepared statements.
 * Inside a transaction the caller holds that connection (Kysely's lock), so the statement runs
 * directly. Outside one, it runs directly too unless another caller's transaction is open on the
 * connection (it would join it): then it waits its turn through Kysely like any query.
 */
export function sqliteStatements(database: SQLite.Database, prepare: (text: string) => SQLite.Statement): StateSql {
  const direct = (db: Db): boolean => db.isTransaction || !database.inTransaction;
  const allNow = <R>(text: string, params: readonly unknown[]): R[] => {
    const stmt = prepare(text);
    if (stmt.reader) return stmt.all(...params) as R[];
    stmt.run(...params);
    return [];
  };
  const all = async <R>(db: Db, text: string, params: readonly unknown[]): Promise<R[]> =>
    direct(db) ? allNow<R>(text, params) : ((await db.executeQuery<R>(CompiledQuery.raw(text, [...params]))).rows as R[]);
  const run = async (db: Db, text: string, params: readonly unknown[]): Promise<number> =>
    direct(db) ? prepare(text).run(...params).changes : Number((await db.executeQuery(CompiledQuery.raw(text, [...params]))).numAffectedRows ?? 0n);
  return {
    all,
    run,
    async insert(db, table, rows) {
      if (rows.length === 0) return;
      // A prepared single-row insert per row: cheaper in SQLite than a long multi-row text, and one statement to cache.
      const text = insertText(table, Object.keys(rows[0]!), 1);
      if (!direct(db)) {
        for (const r of rows) await run(db, text, Object.values(r));
        return;
      }
      const stmt = prepare(text);
      const insertAll = (): void => {
        for (const r of rows) stmt.run(...Object.values(r));
      };
      // Outside a transaction the rows still go in together (synchronously: nothing can interleave).
      if (db.isTransaction || rows.length === 1) insertAll();
      else database.transaction(insertAll)();
    },
  };
}

/** PostgreSQL: the same statements with `$n` placeholders, on the pool or the transaction's client. */
export function postgresStatements(): StateSql {
  const texts = new Map<string, string>();
  const numbered = (text: string): string => {
    let t = texts.get(text);
    if (t === undefined) {
      let n = 0;
      t = text.replace(/\?/g, () => `$${++n}`);
      if (texts.size < 1000) texts.set(text, t);
    }
    return t;
  };
  const query = <R>(db: Db, text: string, params: readonly unknown[]) => db.executeQuery<R>(CompiledQuery.raw(numbered(text), [...params]));
  return {
    all: async <R>(db: Db, text: string, params: readonly unknown[]) => (await query<R>(db, text, params)).rows as R[],
    run: async (db, text, params) => Number((await query(db, text, params)).numAffectedRows ?? 0n),
    async insert(db, table, rows) {
      const columns = rows.length === 0 ? [] : Object.keys(rows[0]!);
      // 100 rows per statement keeps far below PostgreSQL's 65,535 bound parameters.
      for (let i = 0; i < rows.length; i += 100) {
        const chunk = rows.slice(i, i + 100);
        await query(db, insertText(table, columns, chunk.length), chunk.flatMap((r) => Object.values(r)));
      }
    },
  };
}
