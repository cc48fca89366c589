import type { Kysely, Migration } from 'kysely';

/** The event that started a run, as a column, so the runs of an event are found by index. */
export const runEvent: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('runbook_runs').addColumn('event_id', 'text').execute();
    await db.schema.createIndex('runbook_runs_event').on('runbook_runs').columns(['tenant', 'event_id']).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('runbook_runs_event').execute();
    await db.schema.alterTable('runbook_runs').dropColumn('event_id').execute();
  },
};
