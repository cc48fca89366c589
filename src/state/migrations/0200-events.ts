import type { Kysely, Migration } from 'kysely';
import { addAutoIdColumn } from './portable.js';

/** The event stream (src/events): every event kept for search until retention removes it. */
export const events: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // seq gives a stable, gap-tolerant paging order; id is the event's own (possibly external) id.
    await addAutoIdColumn(db, db.schema.createTable('events'), 'seq')
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('detail_type', 'text', (c) => c.notNull())
      .addColumn('resources', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('account', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('region', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_tenant_seq').on('events').columns(['tenant', 'seq']).execute();
    await db.schema.createIndex('events_tenant_source').on('events').columns(['tenant', 'source', 'seq']).execute();
    await db.schema.createIndex('events_received').on('events').column('received_at').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('events').execute();
  },
};
