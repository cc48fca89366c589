import type { Kysely, Migration } from 'kysely';

/** Rule groups managed through the ruler API (Mimir/Cortex and Loki style), one row per group. */
export const ruleGroups: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('rule_groups')
      .addColumn('tenant', 'text', (c) => c.notNull())
      /** promql (Prometheus/Mimir namespaces) or logql (Loki namespaces): separate name spaces. */
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('namespace', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      /** The group as posted (YAML), validated before it is stored. */
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rule_groups_pk', ['tenant', 'language', 'namespace', 'name'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('rule_groups').execute();
  },
};
