import type { Kysely, Migration } from 'kysely';

/**
 * Automation across replicas sharing PostgreSQL (src/automation): a run is created once per
 * rule and event (`dedup_key`), executed under a renewed lease (`owner`, `lease_until`) and
 * canceled from any replica (`cancel_requested`); agents connected to any replica are listed
 * in `automation_agents`, and steps for an agent on another replica go through
 * `automation_agent_jobs`.
 */
export const automationReplicas: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('runbook_runs').addColumn('dedup_key', 'text').execute();
    await db.schema.alterTable('runbook_runs').addColumn('owner', 'text').execute();
    await db.schema.alterTable('runbook_runs').addColumn('lease_until', 'bigint').execute();
    await db.schema.alterTable('runbook_runs').addColumn('cancel_requested', 'text').execute();
    // NULLs never collide: manual runs have no dedup key.
    await db.schema.createIndex('runbook_runs_dedup').unique().on('runbook_runs').column('dedup_key').execute();

    await db.schema
      .createTable('automation_agents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('token_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('max_concurrency', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('replica', 'text', (c) => c.notNull())
      .addColumn('connected_at', 'bigint', (c) => c.notNull())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('automation_agents_tenant').on('automation_agents').columns(['tenant', 'seen_at']).execute();
    await db.schema.createIndex('automation_agents_replica').on('automation_agents').column('replica').execute();

    await db.schema
      .createTable('automation_agent_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      /** The replica the agent is connected to (it sends the job), and the one waiting for the result. */
      .addColumn('replica', 'text', (c) => c.notNull())
      .addColumn('requester', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('output', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('result', 'text')
      .addColumn('cancel', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('automation_agent_jobs_replica').on('automation_agent_jobs').columns(['replica', 'status']).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('automation_agent_jobs').execute();
    await db.schema.dropTable('automation_agents').execute();
    await db.schema.dropIndex('runbook_runs_dedup').execute();
    for (const c of ['cancel_requested', 'lease_until', 'owner', 'dedup_key']) await db.schema.alterTable('runbook_runs').dropColumn(c).execute();
  },
};
