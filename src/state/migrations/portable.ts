import { PostgresAdapter, type CreateTableBuilder, type Kysely } from 'kysely';

/** True when the migration runs on PostgreSQL (otherwise SQLite). */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * An auto-incrementing integer primary key: `serial` on PostgreSQL, the rowid alias
 * `integer primary key` on SQLite (Kysely has no portable spelling for it).
 */
export function addAutoIdColumn<T extends string>(
  db: Kysely<unknown>,
  table: CreateTableBuilder<T, never>,
  name = 'id',
): CreateTableBuilder<T, string> {
  return isPostgres(db)
    ? table.addColumn(name, 'bigserial', (c) => c.primaryKey())
    : table.addColumn(name, 'integer', (c) => c.primaryKey());
}
