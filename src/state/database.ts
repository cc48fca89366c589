import path from 'node:path';
import { mkdirSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { IchigenError } from '../model/index.js';
import { inProcessNotifier, postgresNotifier, type StateNotifier } from './notifier.js';
import type { StateSchema } from './schema.js';
import { postgresStatements, sqliteStatements, type StateSql } from './statements.js';
import { WalSync } from './wal-sync.js';
import { Checkpointer } from './checkpointer.js';

export type StateDialect = 'sqlite' | 'postgres';

export interface StateDb {
  readonly db: Kysely<StateSchema>;
  readonly dialect: StateDialect;
  /** Where the state lives, with any password removed (safe to log). */
  readonly location: string;
  /** Statements run without query building (the alerting hot paths). */
  readonly sql: StateSql;
  /** Wake-ups between replicas (LISTEN/NOTIFY on PostgreSQL). */
  readonly notifier: StateNotifier;
  /**
   * Resolves once every transaction committed so far is on disk. PostgreSQL commits are (its
   * synchronous_commit); SQLite's are flushed here, many commits per fsync.
   */
  durable(): Promise<void>;
  close(): Promise<void>;
}

export interface StateDbOptions {
  /** `postgres://…` selects PostgreSQL; empty selects SQLite in `dataDir`. */
  readonly url: string;
  readonly dataDir: string;
  readonly poolSize?: number;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

export function openStateDb(options: StateDbOptions): StateDb {
  const url = options.url.trim();
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, options.poolSize ?? 10);
  if (url !== '' && !url.startsWith('sqlite:')) {
    throw new IchigenError('INVALID_PARAMETER', `state.url must be empty, sqlite:PATH or postgres://…, got "${redactUrl(url)}"`);
  }
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : path.join(options.dataDir, 'state.sqlite');
  return openSqlite(file);
}

function openSqlite(file: string): StateDb {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = new SQLite(file);
  // WAL lets the CLI (user add, token create) write while the server runs.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Checkpoints run in a worker thread, not inside whichever commit fills the log (see Checkpointer).
  const checkpointer = file === ':memory:' ? undefined : new Checkpointer(path.resolve(file), { everyMs: 250, minBytes: 1 << 20 }, () => database.pragma('wal_autocheckpoint = 1000'));
  if (checkpointer !== undefined) database.pragma('wal_autocheckpoint = 0');
  const cached = withStatementCache(database);
  const db = new Kysely<StateSchema>({ dialect: new SqliteDialect({ database: cached }) });
  const notifier = inProcessNotifier();
  // An in-memory database has nothing to flush.
  const wal = file === ':memory:' ? undefined : new WalSync(`${path.resolve(file)}-wal`);
  return {
    db,
    dialect: 'sqlite',
    location: file,
    sql: sqliteStatements(database, (text) => cached.prepare(text)),
    notifier,
    durable: () => wal?.sync() ?? Promise.resolve(),
    close: async () => {
      await notifier.close();
      await wal?.close();
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

const STATEMENT_CACHE = 500;

/**
 * Kysely prepares every query anew; preparing was the largest cost of the alert intake path
 * in a CPU profile (more than running the statements). Queries repeat with the same SQL text,
 * so prepared statements are kept in a small LRU. Safe with one connection: Kysely runs one
 * query at a time on it, and a statement is always run to completion (all/run), never left open.
 */
function withStatementCache(database: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql) {
      let stmt = cache.get(sql);
      if (stmt !== undefined) {
        cache.delete(sql);
        cache.set(sql, stmt);
        return stmt;
      }
      stmt = database.prepare(sql);
      cache.set(sql, stmt);
      if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      return stmt;
    },
    close: () => {
      cache.clear();
      database.close();
    },
  };
}

const INT8_OID = 20;

function openPostgres(url: string, poolSize: number): StateDb {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Times are stored as bigint milliseconds; they fit in a double, so read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<StateSchema>({ dialect: new PostgresDialect({ pool }) });
  const notifier = postgresNotifier(url, db);
  return {
    db,
    dialect: 'postgres',
    location: redactUrl(url),
    sql: postgresStatements(),
    notifier,
    durable: () => Promise.resolve(),
    close: async () => {
      await notifier.close();
      await db.destroy();
    },
  };
}
