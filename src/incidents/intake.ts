import { sql, type Kysely, type Transaction } from 'kysely';
import { IchigenError } from '../model/index.js';
import { newId, type StateDb, type StateSchema } from '../state/index.js';
import type { Clock } from './clock.js';
import { alertFingerprint } from './fingerprint.js';
import { toGroup, type AlertGroup, type GroupChange, type GroupRow } from './group.js';
import { groupKeyOf, groupTitleOf, type IncomingAlert } from './grouping.js';
import type { InhibitStore, Inhibitor } from './inhibition.js';
import type { Integration } from './integrations.js';
import type { LabelRecord } from './json.js';
import type { ActiveSilences, SilenceStore } from './silences.js';
import { addTimeline } from './timeline.js';

/** Chooses the escalation chain for a new group (routes); injected so intake does not depend on on-call. */
export interface RouteResolver {
  resolve(tenant: string, integrationId: string, alert: IncomingAlert): Promise<{ routeId: string; chainId: string } | undefined>;
}

export interface IntakeOptions {
  readonly resolveTimeoutMs: number;
  readonly maxAlertsPerRequest: number;
}

export interface IntakeResult {
  readonly accepted: number;
  readonly groupsCreated: number;
}

type Trx = Transaction<StateSchema>;
type Notify = (group: AlertGroup, change: GroupChange, actor: string) => void;

/**
 * Turns incoming alerts into alert groups: deduplicates by fingerprint, groups by labels
 * or template, suppresses (maintenance, silences, inhibition), resolves groups whose
 * alerts all ended, and writes every step to the group's timeline.
 */
export class AlertIntake {
  routes: RouteResolver | undefined;

  constructor(
    private readonly state: StateDb,
    private readonly silences: SilenceStore,
    private readonly inhibits: InhibitStore,
    private readonly clock: Clock,
    private readonly options: IntakeOptions,
    private readonly notify: Notify,
  ) {}

  private get db(): Kysely<StateSchema> {
    return this.state.db;
  }

  async ingest(integration: Integration, alerts: readonly IncomingAlert[], actor: string): Promise<IntakeResult> {
    if (alerts.length > this.options.maxAlertsPerRequest) {
      throw new IchigenError('LIMIT_EXCEEDED', `${alerts.length} alerts in one request; the limit is ${this.options.maxAlertsPerRequest}`);
    }
    const now = this.clock();
    const silences = await this.silences.active(integration.tenant, now);
    const inhibitor = await this.inhibits.inhibitor(integration.tenant, () => this.firingOf(integration.tenant, now));
    const routes = new Map<IncomingAlert, { routeId: string; chainId: string } | undefined>();
    if (this.routes) for (const a of alerts) routes.set(a, await this.routes.resolve(integration.tenant, integration.id, a));
    const changes: { group: AlertGroup; change: GroupChange }[] = [];
    let created = 0;
    await this.db.transaction().execute(async (trx) => {
      // Concurrent batches for one integration must not both create the same group.
      if (this.state.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${integration.id}))`.execute(trx);
      const touched = new Set<string>();
      for (const alert of alerts) {
        const gid = await this.one(trx, integration, alert, now, silences, inhibitor, routes.get(alert), actor, (g) => {
          created++;
          changes.push({ group: g, change: 'created' });
        });
        if (gid !== undefined) touched.add(gid);
      }
      for (const gid of touched) {
        const g = await this.recount(trx, gid, now, integration.settings.autoResolve !== false);
        if (g?.status === 'resolved' && g.resolvedAt === now) changes.push({ group: g, change: 'resolved' });
      }
    });
    await this.db.updateTable('incident_integrations').set({ last_alert_at: now }).where('id', '=', integration.id).execute();
    for (const c of changes) this.notify(c.group, c.change, c.change === 'resolved' ? 'auto-resolve' : actor);
    return { accepted: alerts.length, groupsCreated: created };
  }

  private async one(
    trx: Trx,
    integration: Integration,
    alert: IncomingAlert,
    now: number,
    silences: ActiveSilences,
    inhibitor: Inhibitor,
    route: { routeId: string; chainId: string } | undefined,
    actor: string,
    onCreate: (g: AlertGroup) => void,
  ): Promise<string | undefined> {
    const fp = alert.fingerprint ?? alertFingerprint(alert.labels);
    const startsAt = alert.startsAt ?? now;
    const endsAt = alert.endsAt ?? now + this.options.resolveTimeoutMs;
    const status = endsAt <= now ? 'resolved' : 'firing';
    const existing = await trx.selectFrom('incident_alerts').selectAll().where('integration_id', '=', integration.id).where('fingerprint', '=', fp).executeTakeFirst();
    let group: GroupRow | undefined;
    if (existing) group = await trx.selectFrom('incident_groups').selectAll().where('id', '=', existing.group_id).where('open', '=', 1).executeTakeFirst();
    const alertFields = {
      labels: JSON.stringify(alert.labels),
      annotations: JSON.stringify(alert.annotations),
      generator_url: alert.generatorURL ?? '',
      ends_at: endsAt,
      explicit_end: alert.endsAt === undefined ? 0 : 1,
      status,
      updated_at: now,
    };
    if (!group) {
      // A closed group keeps the still-firing instance a person resolved by hand: no re-page
      // until it resolves and fires again. Without startsAt a resend is the same instance (as
      // Alertmanager merges it into the alert that has not ended).
      const sameInstance = existing !== undefined && existing.status === 'firing' && (alert.startsAt === undefined || Number(existing.starts_at) === startsAt);
      if (status === 'resolved' || sameInstance) {
        if (existing) await trx.updateTable('incident_alerts').set(alertFields).where('id', '=', existing.id).execute();
        return undefined;
      }
      const { key, labels } = groupKeyOf(integration, alert);
      group = await trx.selectFrom('incident_groups').selectAll().where('integration_id', '=', integration.id).where('group_key', '=', key).where('open', '=', 1).executeTakeFirst();
      if (!group) {
        group = this.newGroup(integration, alert, key, labels, now, this.suppression(integration, alert, fp, now, silences, inhibitor), route);
        await trx.insertInto('incident_groups').values(group).execute();
        await addTimeline(trx, group.id, now, 'created', actor, `alert group created: ${group.title}`, { groupLabels: labels });
        if (group.suppressed !== null) await addTimeline(trx, group.id, now, 'suppressed', 'system', `nobody is paged: ${group.suppressed}`);
        onCreate(toGroup(group));
      }
    }
    const wasFiringHere = existing !== undefined && existing.group_id === group.id && existing.status === 'firing';
    if (existing) {
      await trx
        .updateTable('incident_alerts')
        .set({ ...alertFields, group_id: group.id, starts_at: wasFiringHere ? Math.min(Number(existing.starts_at), startsAt) : startsAt })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await trx.insertInto('incident_alerts').values({ id: newId(now), tenant: integration.tenant, integration_id: integration.id, group_id: group.id, fingerprint: fp, starts_at: startsAt, ...alertFields }).execute();
    }
    const name = alert.labels.alertname ?? fp;
    if (status === 'firing' && !wasFiringHere) {
      await addTimeline(trx, group.id, now, 'alert', actor, `alert ${name} firing`, { fingerprint: fp, labels: alert.labels, annotations: alert.annotations });
      if (group.suppressed !== null && this.suppression(integration, alert, fp, now, silences, inhibitor) === null) {
        // An alert nobody suppresses arrived in a suppressed group: page for it now.
        await trx.updateTable('incident_groups').set({ suppressed: null, esc_next_at: group.chain_id !== null && group.status === 'firing' && group.silenced_until === null ? now : null }).where('id', '=', group.id).execute();
        await addTimeline(trx, group.id, now, 'escalation', 'system', `alert ${name} is not suppressed: escalation starts`);
      }
      await this.resumeThresholdWait(trx, group, now);
    } else if (status === 'resolved' && wasFiringHere) {
      await addTimeline(trx, group.id, now, 'alert_resolved', actor, `alert ${name} resolved`, { fingerprint: fp });
    }
    return group.id;
  }

  /** A chain paused at a "more than N alerts" step looks again when a new alert arrives. */
  private async resumeThresholdWait(trx: Trx, group: GroupRow, now: number): Promise<void> {
    const st = JSON.parse(group.esc_state || '{}') as { waitingForAlerts?: boolean };
    if (st.waitingForAlerts === true && group.status === 'firing') {
      await trx.updateTable('incident_groups').set({ esc_next_at: now, esc_state: JSON.stringify({ ...st, waitingForAlerts: false }) }).where('id', '=', group.id).execute();
    }
  }

  private suppression(integration: Integration, alert: IncomingAlert, fp: string, now: number, silences: ActiveSilences, inhibitor: Inhibitor): string | null {
    if (integration.maintenanceUntil !== null && integration.maintenanceUntil > now) return 'maintenance';
    if (silences.matching(alert.labels).length > 0) return 'silenced';
    if (inhibitor.inhibitedBy({ fingerprint: fp, labels: alert.labels }).length > 0) return 'inhibited';
    return null;
  }

  private newGroup(
    integration: Integration,
    alert: IncomingAlert,
    key: string,
    labels: LabelRecord,
    now: number,
    suppressed: string | null,
    route: { routeId: string; chainId: string } | undefined,
  ): GroupRow {
    return {
      id: newId(now),
      tenant: integration.tenant,
      integration_id: integration.id,
      group_key: key,
      group_labels: JSON.stringify(labels),
      title: groupTitleOf(integration, alert, labels),
      status: 'firing',
      open: 1,
      suppressed,
      silenced_until: null,
      acknowledged_by: null,
      acknowledged_at: null,
      resolved_by: null,
      resolved_at: null,
      alerts_total: 0,
      alerts_firing: 0,
      route_id: route?.routeId ?? null,
      chain_id: route?.chainId ?? null,
      esc_step: 0,
      esc_repeat: 0,
      esc_next_at: route !== undefined && suppressed === null ? now : null,
      esc_state: '{}',
      created_at: now,
      updated_at: now,
    };
  }

  /** Updates a group's counters; resolves it when no alert fires any more (auto-resolve). */
  async recount(trx: Kysely<StateSchema> | Trx, groupId: string, now: number, autoResolve: boolean): Promise<AlertGroup | undefined> {
    const counts = await trx.selectFrom('incident_alerts').select(['status', sql<number>`count(*)`.as('n')]).where('group_id', '=', groupId).groupBy('status').execute();
    let firing = 0;
    let total = 0;
    for (const c of counts) {
      total += Number(c.n);
      if (c.status === 'firing') firing += Number(c.n);
    }
    const g = await trx.selectFrom('incident_groups').selectAll().where('id', '=', groupId).executeTakeFirst();
    if (!g) return undefined;
    if (firing === 0 && autoResolve && g.open === 1) {
      await trx.updateTable('incident_groups').set({ alerts_total: total, alerts_firing: 0, status: 'resolved', open: 0, resolved_at: now, resolved_by: 'auto-resolve', esc_next_at: null, updated_at: now }).where('id', '=', groupId).execute();
      await addTimeline(trx, groupId, now, 'resolved', 'auto-resolve', 'every alert in the group resolved');
      return toGroup({ ...g, alerts_total: total, alerts_firing: 0, status: 'resolved', open: 0, resolved_at: now, resolved_by: 'auto-resolve', esc_next_at: null, updated_at: now });
    }
    await trx.updateTable('incident_groups').set({ alerts_total: total, alerts_firing: firing, updated_at: now }).where('id', '=', groupId).execute();
    return toGroup({ ...g, alerts_total: total, alerts_firing: firing });
  }

  /** Resolves alerts whose endsAt passed (senders that stopped refreshing) and their groups. */
  async sweep(): Promise<number> {
    const now = this.clock();
    const due = await this.db.selectFrom('incident_alerts').select(['id', 'group_id', 'fingerprint', 'labels', 'integration_id']).where('status', '=', 'firing').where('ends_at', '<=', now).limit(5000).execute();
    if (due.length === 0) return 0;
    const changes: AlertGroup[] = [];
    await this.db.transaction().execute(async (trx) => {
      const groups = new Map<string, string>();
      for (const a of due) {
        const res = await trx.updateTable('incident_alerts').set({ status: 'resolved', updated_at: now }).where('id', '=', a.id).where('status', '=', 'firing').executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) continue;
        const name = (JSON.parse(a.labels) as LabelRecord).alertname ?? a.fingerprint;
        await addTimeline(trx, a.group_id, now, 'alert_resolved', 'auto-resolve', `alert ${name} resolved (endsAt passed)`, { fingerprint: a.fingerprint });
        groups.set(a.group_id, a.integration_id);
      }
      for (const [gid, iid] of groups) {
        const i = await trx.selectFrom('incident_integrations').select('settings').where('id', '=', iid).executeTakeFirst();
        const autoResolve = (JSON.parse(i?.settings ?? '{}') as { autoResolve?: boolean }).autoResolve !== false;
        const g = await this.recount(trx, gid, now, autoResolve);
        if (g?.status === 'resolved' && g.resolvedAt === now) changes.push(g);
      }
    });
    for (const g of changes) this.notify(g, 'resolved', 'auto-resolve');
    return due.length;
  }

  private async firingOf(tenant: string, now: number): Promise<{ fingerprint: string; labels: LabelRecord }[]> {
    const rows = await this.db.selectFrom('incident_alerts').select(['fingerprint', 'labels']).where('tenant', '=', tenant).where('status', '=', 'firing').where('ends_at', '>', now).limit(100_000).execute();
    return rows.map((r) => ({ fingerprint: r.fingerprint, labels: JSON.parse(r.labels) as LabelRecord }));
  }
}
