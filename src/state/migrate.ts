import { Migrator, type MigrationResult, type Kysely } from 'kysely';
import { IchigenError } from '../model/index.js';
import { MIGRATIONS } from './migrations/index.js';

/** Brings the schema to the newest version; safe to call on every start. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema may be migrated
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
    // Modules add migrations on parallel branches; order by name, but tolerate late arrivals.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new IchigenError('INTERNAL', `state migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
  return results ?? [];
}
