import type { Kysely, Migration } from 'kysely';
import { addAutoIdColumn } from './portable.js';

/** Runbooks, automation rules, runs with their steps, and agent tokens (src/automation). */
export const automation: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('runbooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('params', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('steps', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('runbooks_tenant_name').unique().on('runbooks').columns(['tenant', 'name']).execute();

    await db.schema
      .createTable('automation_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('pattern', 'text')
      .addColumn('schedule', 'text')
      .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
      .addColumn('runbook', 'text', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('automation_rules_tenant_name').unique().on('automation_rules').columns(['tenant', 'name']).execute();

    await db.schema
      .createTable('runbook_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('runbook', 'text', (c) => c.notNull())
      /** The runbook's definition as it was when the run started (edits never change a run). */
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('next_step', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('approval', 'text')
      .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('runbook_runs_tenant').on('runbook_runs').columns(['tenant', 'created_at']).execute();
    await db.schema.createIndex('runbook_runs_status').on('runbook_runs').column('status').execute();

    await addAutoIdColumn(db, db.schema.createTable('runbook_run_steps'))
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('exit_code', 'integer')
      .addColumn('output', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('result', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('runbook_run_steps_run').on('runbook_run_steps').columns(['run_id', 'idx']).execute();

    await db.schema
      .createTable('agent_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_by', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .addColumn('last_seen_at', 'bigint')
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const t of ['agent_tokens', 'runbook_run_steps', 'runbook_runs', 'automation_rules', 'runbooks']) await db.schema.dropTable(t).execute();
  },
};
