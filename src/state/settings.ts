import type { Kysely } from 'kysely';
import type { StateSchema } from './schema.js';

/** Small instance-wide values (instance id, first-start markers). */
export async function getSetting(db: Kysely<StateSchema>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function setSetting(db: Kysely<StateSchema>, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
