import { sql, type Kysely, type Transaction } from 'kysely';
import { IchigenError } from '../model/index.js';
import { Batcher, newId, type StateDb, type StateSchema } from '../state/index.js';
import type { Clock } from './clock.js';
import { alertFingerprint } from './fingerprint.js';
import { toGroup, type AlertGroup, type GroupChange, type GroupRow } from './group.js';
import { groupKeyOf, groupTitleOf, type IncomingAlert } from './grouping.js';
import type { InhibitStore, Inhibitor } from './inhibition.js';
import type { Integration } from './integrations.js';
import type { LabelRecord } from './json.js';
import type { ActiveSilences, SilenceStore } from './silences.js';
import { addTimeline, TimelineBuffer } from './timeline.js';

type Route = { routeId: string; chainId: string } | undefined;

/** Chooses the escalation chain for a new group (routes); injected so intake does not depend on on-call. */
export interface RouteResolver {
  /** The tenant's routes as one function, loaded once per batch. */
  resolver(tenant: string): Promise<(integrationId: string, alert: IncomingAlert) => Route>;
}

/**
 * Runs the first escalation steps of the groups a batch opens, in the batch's transaction (no
 * other replica can see them yet, so no claim is needed); injected so intake does not depend
 * on on-call. Resolves with what to do once the transaction is committed.
 */
export interface GroupOpener {
  opened(trx: Transaction<StateSchema>, timeline: TimelineBuffer, groups: readonly GroupRow[], now: number): Promise<() => void>;
}

/** One request's alerts waiting for the next intake batch. */
interface IntakeEntry {
  readonly integration: Integration;
  readonly alerts: readonly IncomingAlert[];
  readonly actor: string;
}

/** How long the next batch waits for the previous one's flush at most (see apply). */
const FLUSH_OVERLAP_MS = 20;

/** Most alerts applied in one transaction; more wait for the next one. */
const MAX_BATCH_ALERTS = 5000;

export interface IntakeOptions {
  readonly resolveTimeoutMs: number;
  readonly maxAlertsPerRequest: number;
}

export interface IntakeResult {
  readonly accepted: number;
  readonly groupsCreated: number;
}

type Trx = Transaction<StateSchema>;
type AlertRow = StateSchema['incident_alerts'];

/** How one batch changes a group's alert counters (and the row, for a group it created). */
interface GroupCounts {
  created?: GroupRow;
  total: number;
  firing: number;
  autoResolve: boolean;
}

interface BatchState {
  readonly timeline: TimelineBuffer;
  readonly counts: Map<string, GroupCounts>;
  /** Groups opened in this batch, by id and by integration + group key: inserted at its end, with their counters. */
  readonly newGroups: Map<string, GroupRow>;
  readonly newByKey: Map<string, GroupRow>;
}

/** Statements run once per alert, written out once (no query building per alert); `?` placeholders. */
const ALERT_BY_FP = 'select * from incident_alerts where integration_id = ? and fingerprint = ?';
const OPEN_GROUP_BY_ID = 'select * from incident_groups where id = ? and open = 1';
const OPEN_GROUP_BY_KEY = 'select * from incident_groups where integration_id = ? and group_key = ? and open = 1';
const ALERT_COLUMNS = ['id', 'tenant', 'integration_id', 'group_id', 'fingerprint', 'starts_at', 'labels', 'annotations', 'generator_url', 'ends_at', 'explicit_end', 'status', 'updated_at'] as const;
const INSERT_ALERT = `insert into incident_alerts (${ALERT_COLUMNS.join(', ')}) values (${ALERT_COLUMNS.map(() => '?').join(', ')})`;
const UPDATE_ALERT = 'update incident_alerts set labels = ?, annotations = ?, generator_url = ?, ends_at = ?, explicit_end = ?, status = ?, updated_at = ?, group_id = ?, starts_at = ? where id = ?';
const UPDATE_ALERT_KEEP_GROUP = 'update incident_alerts set labels = ?, annotations = ?, generator_url = ?, ends_at = ?, explicit_end = ?, status = ?, updated_at = ? where id = ?';
type Notify = (group: AlertGroup, change: GroupChange, actor: string) => void;

/**
 * Turns incoming alerts into alert groups: deduplicates by fingerprint, groups by labels
 * or template, suppresses (maintenance, silences, inhibition), resolves groups whose
 * alerts all ended, and writes every step to the group's timeline.
 */
export class AlertIntake {
  routes: RouteResolver | undefined;
  opener: GroupOpener | undefined;

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

  private readonly batcher = new Batcher<IntakeEntry, IntakeResult & { durable: Promise<void> }>((entries) => this.apply(entries), MAX_BATCH_ALERTS);
  /** Committed batches whose flush to disk is still running. */
  private readonly flushing = new Set<Promise<void>>();

  /**
   * Accepts one request's alerts. Concurrent requests are applied together in one transaction
   * (one commit for many senders); the promise settles once this request's alerts are committed.
   */
  async ingest(integration: Integration, alerts: readonly IncomingAlert[], actor: string): Promise<IntakeResult> {
    if (alerts.length > this.options.maxAlertsPerRequest) {
      throw new IchigenError('LIMIT_EXCEEDED', `${alerts.length} alerts in one request; the limit is ${this.options.maxAlertsPerRequest}`);
    }
    const { durable, ...result } = await this.batcher.submit({ integration, alerts, actor }, Math.max(1, alerts.length));
    await durable;
    return result;
  }

  private async apply(entries: readonly IntakeEntry[]): Promise<(IntakeResult & { durable: Promise<void> })[]> {
    const now = this.clock();
    // Silences, inhibition and routes per tenant, read once for the whole batch.
    const perTenant = new Map<string, { silences: ActiveSilences; inhibitor: Inhibitor; route: (integrationId: string, a: IncomingAlert) => Route }>();
    for (const { integration } of entries) {
      const tenant = integration.tenant;
      if (perTenant.has(tenant)) continue;
      const silences = await this.silences.active(tenant, now);
      const inhibitor = await this.inhibits.inhibitor(tenant, () => this.firingOf(tenant, now));
      const route = this.routes ? await this.routes.resolver(tenant) : () => undefined;
      perTenant.set(tenant, { silences, inhibitor, route });
    }
    const changes: { group: AlertGroup; change: GroupChange; actor: string }[] = [];
    const results = entries.map((e) => ({ accepted: e.alerts.length, groupsCreated: 0 }));
    const integrations = new Map(entries.map((e) => [e.integration.id, e.integration]));
    let afterCommit: (() => void) | undefined;
    await this.db.transaction().execute(async (trx) => {
      // Concurrent batches for one integration must not both create the same group (in a fixed order: no deadlock).
      if (this.state.dialect === 'postgres') for (const id of [...integrations.keys()].sort()) await sql`select pg_advisory_xact_lock(hashtext(${id}))`.execute(trx);
      const batch: BatchState = { timeline: new TimelineBuffer(), counts: new Map(), newGroups: new Map(), newByKey: new Map() };
      for (const [i, { integration, alerts, actor }] of entries.entries()) {
        const t = perTenant.get(integration.tenant)!;
        for (const alert of alerts) {
          // The route matters only when the alert opens a group: chosen then.
          await this.one(trx, batch, integration, alert, now, t.silences, t.inhibitor, () => t.route(integration.id, alert), actor, (g) => {
            results[i]!.groupsCreated++;
            changes.push({ group: g, change: 'created', actor });
          });
        }
      }
      const created = [...batch.newGroups.values()].map((g) => {
        const c = batch.counts.get(g.id);
        return { ...g, alerts_total: c?.total ?? 0, alerts_firing: c?.firing ?? 0 };
      });
      await this.state.sql.insert(trx, 'incident_groups', created);
      const resolvedNow = new Set<string>();
      for (const [gid, c] of batch.counts) {
        const g = await this.applyCounts(trx, batch.timeline, gid, c, now);
        if (g?.status === 'resolved' && g.resolvedAt === now) {
          changes.push({ group: g, change: 'resolved', actor: 'auto-resolve' });
          resolvedNow.add(gid);
        }
      }
      const opened = created.filter((g) => !resolvedNow.has(g.id));
      if (this.opener !== undefined && opened.length > 0) afterCommit = await this.opener.opened(trx, batch.timeline, opened, now);
      await batch.timeline.flush(trx, this.state.sql);
      for (const id of integrations.keys()) await this.state.sql.run(trx, 'update incident_integrations set last_alert_at = ? where id = ?', [now, id]);
    });
    // The first notifications go out once the groups are committed, without waiting for the
    // flush: a committed transaction survives a crash of this process (it is in the OS's page
    // cache), and if the machine loses power first, the alerts were never acknowledged, so
    // their sender sends them again: a second page for the same alert, never a missed one.
    afterCommit?.();
    // Acknowledge only what is on disk: one flush for the whole batch. The next batch waits for
    // it (requests arriving meanwhile join that batch: fewer, larger transactions), but not
    // longer than FLUSH_OVERLAP_MS: under a busy disk an fsync took up to a second, and the
    // new groups of the next batch would wait for it before their first notification.
    const durable = this.state.durable().then(() => {
      for (const c of changes) this.notify(c.group, c.change, c.actor);
    });
    this.flushing.add(durable);
    void durable.finally(() => this.flushing.delete(durable)).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([durable.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, FLUSH_OVERLAP_MS)))]);
    clearTimeout(timer);
    return results.map((r) => ({ ...r, durable }));
  }

  /** Runs one of the per-alert statements above in the transaction. */
  private exec<R>(trx: Trx, text: string, params: readonly unknown[]): Promise<R[]> {
    return this.state.sql.all<R>(trx, text, params);
  }

  /** Settles once every accepted request has been applied (tests, shutdown). */
  async idle(): Promise<void> {
    await this.batcher.idle();
    await Promise.allSettled([...this.flushing]);
  }

  private async one(
    trx: Trx,
    batch: BatchState,
    integration: Integration,
    alert: IncomingAlert,
    now: number,
    silences: ActiveSilences,
    inhibitor: Inhibitor,
    route: () => Route,
    actor: string,
    onCreate: (g: AlertGroup) => void,
  ): Promise<void> {
    const fp = alert.fingerprint ?? alertFingerprint(alert.labels);
    const startsAt = alert.startsAt ?? now;
    const endsAt = alert.endsAt ?? now + this.options.resolveTimeoutMs;
    const status = endsAt <= now ? 'resolved' : 'firing';
    const existing = (await this.exec<AlertRow>(trx, ALERT_BY_FP, [integration.id, fp]))[0];
    let group: GroupRow | undefined;
    if (existing) group = batch.newGroups.get(existing.group_id) ?? (await this.exec<GroupRow>(trx, OPEN_GROUP_BY_ID, [existing.group_id]))[0];
    const fields = [JSON.stringify(alert.labels), JSON.stringify(alert.annotations), alert.generatorURL ?? '', endsAt, alert.endsAt === undefined ? 0 : 1, status, now];
    if (!group) {
      // A closed group keeps the still-firing instance a person resolved by hand: no re-page
      // until it resolves and fires again. Without startsAt a resend is the same instance (as
      // Alertmanager merges it into the alert that has not ended).
      const sameInstance = existing !== undefined && existing.status === 'firing' && (alert.startsAt === undefined || Number(existing.starts_at) === startsAt);
      if (status === 'resolved' || sameInstance) {
        if (existing) await this.exec(trx, UPDATE_ALERT_KEEP_GROUP, [...fields, existing.id]);
        return;
      }
      const { key, labels } = groupKeyOf(integration, alert);
      const batchKey = `${integration.id}\u0000${key}`;
      group = batch.newByKey.get(batchKey) ?? (await this.exec<GroupRow>(trx, OPEN_GROUP_BY_KEY, [integration.id, key]))[0];
      if (!group) {
        group = this.newGroup(integration, alert, key, labels, now, this.suppression(integration, alert, fp, now, silences, inhibitor), route());
        batch.newGroups.set(group.id, group);
        batch.newByKey.set(batchKey, group);
        batch.timeline.add(group.id, now, 'created', actor, `alert group created: ${group.title}`, { groupLabels: labels });
        if (group.suppressed !== null) batch.timeline.add(group.id, now, 'suppressed', 'system', `nobody is paged: ${group.suppressed}`);
        // Its counters are known exactly: every alert in it arrives in this batch.
        batch.counts.set(group.id, { created: group, total: 0, firing: 0, autoResolve: integration.settings.autoResolve !== false });
        onCreate(toGroup(group));
      }
    }
    const wasFiringHere = existing !== undefined && existing.group_id === group.id && existing.status === 'firing';
    if (existing) {
      await this.exec(trx, UPDATE_ALERT, [...fields, group.id, wasFiringHere ? Math.min(Number(existing.starts_at), startsAt) : startsAt, existing.id]);
    } else {
      await this.exec(trx, INSERT_ALERT, [newId(now), integration.tenant, integration.id, group.id, fp, startsAt, ...fields]);
    }
    // Counter changes of the group: a new (or moved) alert adds one; a status change moves the firing count.
    let c = batch.counts.get(group.id);
    if (c === undefined) batch.counts.set(group.id, (c = { total: 0, firing: 0, autoResolve: integration.settings.autoResolve !== false }));
    const inGroupBefore = existing !== undefined && existing.group_id === group.id;
    if (!inGroupBefore) c.total++;
    c.firing += (status === 'firing' ? 1 : 0) - (wasFiringHere ? 1 : 0);
    const name = alert.labels.alertname ?? fp;
    if (status === 'firing' && !wasFiringHere) {
      batch.timeline.add(group.id, now, 'alert', actor, `alert ${name} firing`, { fingerprint: fp, labels: alert.labels, annotations: alert.annotations });
      if (group.suppressed !== null && this.suppression(integration, alert, fp, now, silences, inhibitor) === null) {
        // An alert nobody suppresses arrived in a suppressed group: page for it now.
        const unsuppressed = { suppressed: null, esc_next_at: group.chain_id !== null && group.status === 'firing' && group.silenced_until === null ? now : null };
        if (batch.newGroups.has(group.id)) Object.assign(group, unsuppressed);
        else await trx.updateTable('incident_groups').set(unsuppressed).where('id', '=', group.id).execute();
        batch.timeline.add(group.id, now, 'escalation', 'system', `alert ${name} is not suppressed: escalation starts`);
      }
      await this.resumeThresholdWait(trx, group, now);
    } else if (status === 'resolved' && wasFiringHere) {
      batch.timeline.add(group.id, now, 'alert_resolved', actor, `alert ${name} resolved`, { fingerprint: fp });
    }
  }

  /**
   * Writes a touched group's counters: a group created in this batch gets its exact counts,
   * an existing one is adjusted by the batch's changes (one statement, no recount). A group
   * left without firing alerts resolves (auto-resolve).
   */
  private async applyCounts(trx: Trx, timeline: TimelineBuffer, gid: string, c: GroupCounts, now: number): Promise<AlertGroup | undefined> {
    let g: GroupRow | undefined;
    if (c.created !== undefined) {
      // Inserted at the end of the batch with these counters already.
      g = { ...c.created, alerts_total: c.total, alerts_firing: c.firing, updated_at: now };
    } else {
      if (c.total === 0 && c.firing === 0) return undefined;
      g = await trx
        .updateTable('incident_groups')
        .set((eb) => ({ alerts_total: eb('alerts_total', '+', c.total), alerts_firing: eb('alerts_firing', '+', c.firing), updated_at: now }))
        .where('id', '=', gid)
        .returningAll()
        .executeTakeFirst();
      if (g === undefined) return undefined;
    }
    if (Number(g.alerts_firing) <= 0 && c.autoResolve && g.open === 1) {
      const resolved = { status: 'resolved', open: 0, resolved_at: now, resolved_by: 'auto-resolve', esc_next_at: null, updated_at: now } as const;
      await trx.updateTable('incident_groups').set(resolved).where('id', '=', gid).execute();
      timeline.add(gid, now, 'resolved', 'auto-resolve', 'every alert in the group resolved');
      return toGroup({ ...g, ...resolved });
    }
    return toGroup(g);
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
