import type { Kysely, Migration } from 'kysely';

/** Dashboards (the current spec) and every saved version of each, for history and restore. */
export const dashboards: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('dashboards')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      /** The dashboard as JSON (panels, variables, time range); validated by the API's zod schema. */
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('dashboards_tenant_title').on('dashboards').columns(['tenant', 'title']).execute();
    await db.schema
      .createTable('dashboard_versions')
      .addColumn('dashboard_id', 'text', (c) => c.notNull().references('dashboards.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('dashboard_versions_pk', ['dashboard_id', 'version'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('dashboard_versions').execute();
    await db.schema.dropTable('dashboards').execute();
  },
};
