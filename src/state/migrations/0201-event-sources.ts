import type { Kysely, Migration } from 'kysely';

/** Inbound event sources (EventBridge API destinations, SNS topics), each with its own URL and credentials. */
export const eventSources: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('event_sources')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('auth_type', 'text', (c) => c.notNull())
      /** API key header name, Basic username or OAuth client id (not secret). */
      .addColumn('principal', 'text', (c) => c.notNull().defaultTo(''))
      /** sha256 of the API key, password or client secret. */
      .addColumn('secret_hash', 'text', (c) => c.notNull().defaultTo(''))
      /** HMAC key for the OAuth access tokens this source hands out (random, per source). */
      .addColumn('token_key', 'text', (c) => c.notNull().defaultTo(''))
      /** JSON array of SNS topic ARNs accepted. */
      .addColumn('allowed_topics', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema.createIndex('event_sources_tenant_name').unique().on('event_sources').columns(['tenant', 'name']).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('event_sources').execute();
  },
};
