import type { Kysely, Migration } from 'kysely';
import { addAutoIdColumn } from './portable.js';

/**
 * Alert intake, alert groups and their timeline, silences, inhibition rules, on-call
 * (schedules, escalation chains, routes, users' notification settings) and the
 * notification job queue with its delivery log. JSON columns hold small structured
 * values (label sets, matchers, steps) that are always read whole.
 */
export const incidents: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('incident_integrations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text')
      .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('maintenance_until', 'bigint')
      .addColumn('last_alert_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_integrations_name').on('incident_integrations').columns(['tenant', 'name']).unique().execute();

    await db.schema
      .createTable('incident_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('integration_id', 'text', (c) => c.notNull())
      .addColumn('group_key', 'text', (c) => c.notNull())
      .addColumn('group_labels', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('open', 'integer', (c) => c.notNull())
      .addColumn('suppressed', 'text')
      .addColumn('silenced_until', 'bigint')
      .addColumn('acknowledged_by', 'text')
      .addColumn('acknowledged_at', 'bigint')
      .addColumn('resolved_by', 'text')
      .addColumn('resolved_at', 'bigint')
      .addColumn('alerts_total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('alerts_firing', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('route_id', 'text')
      .addColumn('chain_id', 'text')
      .addColumn('esc_step', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('esc_repeat', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('esc_next_at', 'bigint')
      .addColumn('esc_state', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_groups_key').on('incident_groups').columns(['integration_id', 'group_key', 'open']).execute();
    await db.schema.createIndex('incident_groups_tenant').on('incident_groups').columns(['tenant', 'open', 'created_at']).execute();
    await db.schema.createIndex('incident_groups_esc').on('incident_groups').column('esc_next_at').execute();

    await db.schema
      .createTable('incident_alerts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('integration_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('labels', 'text', (c) => c.notNull())
      .addColumn('annotations', 'text', (c) => c.notNull())
      .addColumn('generator_url', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('starts_at', 'bigint', (c) => c.notNull())
      .addColumn('ends_at', 'bigint', (c) => c.notNull())
      .addColumn('explicit_end', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_alerts_fp').on('incident_alerts').columns(['integration_id', 'fingerprint']).unique().execute();
    await db.schema.createIndex('incident_alerts_group').on('incident_alerts').column('group_id').execute();
    await db.schema.createIndex('incident_alerts_tenant').on('incident_alerts').columns(['tenant', 'status', 'ends_at']).execute();

    await addAutoIdColumn(db, db.schema.createTable('incident_timeline'))
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema.createIndex('incident_timeline_group').on('incident_timeline').columns(['group_id', 'id']).execute();

    await db.schema
      .createTable('incident_silences')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('matchers', 'text', (c) => c.notNull())
      .addColumn('starts_at', 'bigint', (c) => c.notNull())
      .addColumn('ends_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_silences_tenant').on('incident_silences').columns(['tenant', 'ends_at']).execute();

    await db.schema
      .createTable('incident_inhibit_rules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('source_matchers', 'text', (c) => c.notNull())
      .addColumn('target_matchers', 'text', (c) => c.notNull())
      .addColumn('equal', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('incident_channels')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('incident_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('run_at', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('claimed_by', 'text')
      .addColumn('claimed_until', 'bigint')
      .addColumn('done_at', 'bigint')
      .addColumn('outcome', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_jobs_due').on('incident_jobs').columns(['done_at', 'run_at']).execute();

    await addAutoIdColumn(db, db.schema.createTable('incident_deliveries'))
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text')
      .addColumn('channel_kind', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('ok', 'integer', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_deliveries_group').on('incident_deliveries').columns(['group_id', 'id']).execute();

    await db.schema
      .createTable('incident_schedules')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('layers', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('incident_overrides')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('schedule_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('replaces_user_id', 'text')
      .addColumn('starts_at', 'bigint', (c) => c.notNull())
      .addColumn('ends_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('incident_overrides_schedule').on('incident_overrides').columns(['schedule_id', 'ends_at']).execute();

    await db.schema
      .createTable('incident_chains')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('steps', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('incident_routes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('integration_id', 'text')
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('matchers', 'text', (c) => c.notNull())
      .addColumn('template', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('chain_id', 'text', (c) => c.notNull())
      .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('incident_teams')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('members', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('incident_user_settings')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('contact', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('rules', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('important_rules', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('quiet_hours', 'text')
      .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const t of [
      'incident_user_settings', 'incident_teams', 'incident_routes', 'incident_chains', 'incident_overrides', 'incident_schedules',
      'incident_deliveries', 'incident_jobs', 'incident_channels', 'incident_inhibit_rules', 'incident_silences',
      'incident_timeline', 'incident_alerts', 'incident_groups', 'incident_integrations',
    ]) await db.schema.dropTable(t).execute();
  },
};
