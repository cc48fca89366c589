import type { Kysely } from 'kysely';
import { IchigenError } from '../model/index.js';
import type { StateSchema } from '../state/index.js';
import type { Clock } from './clock.js';
import { toAlert, toGroup, type AlertGroup, type GroupChange, type StoredAlert } from './group.js';
import { addTimeline } from './timeline.js';

export interface GroupQuery {
  readonly status?: 'open' | 'firing' | 'acknowledged' | 'resolved';
  readonly integrationId?: string;
  readonly limit?: number;
}

/** Reads alert groups and applies people's actions to them, each recorded on the timeline. */
export class GroupActions {
  constructor(
    private readonly db: Kysely<StateSchema>,
    private readonly clock: Clock,
    private readonly notify: (group: AlertGroup, change: GroupChange, actor: string) => void,
  ) {}

  async get(tenant: string, id: string): Promise<AlertGroup> {
    const r = await this.db.selectFrom('incident_groups').selectAll().where('id', '=', id).where('tenant', '=', tenant).executeTakeFirst();
    if (!r) throw new IchigenError('NOT_FOUND', `alert group ${id} not found`);
    return toGroup(r);
  }

  async list(tenant: string, q: GroupQuery = {}): Promise<AlertGroup[]> {
    let query = this.db.selectFrom('incident_groups').selectAll().where('tenant', '=', tenant);
    if (q.status === 'open') query = query.where('open', '=', 1);
    else if (q.status !== undefined) query = query.where('status', '=', q.status);
    if (q.integrationId !== undefined) query = query.where('integration_id', '=', q.integrationId);
    const rows = await query.orderBy('created_at', 'desc').limit(Math.min(q.limit ?? 100, 1000)).execute();
    return rows.map(toGroup);
  }

  async alerts(groupId: string): Promise<StoredAlert[]> {
    const rows = await this.db.selectFrom('incident_alerts').selectAll().where('group_id', '=', groupId).orderBy('starts_at').limit(10_000).execute();
    return rows.map(toAlert);
  }

  async acknowledge(tenant: string, id: string, actor: string): Promise<AlertGroup> {
    const g = await this.get(tenant, id);
    if (g.status === 'resolved') throw new IchigenError('CONFLICT', 'the alert group is already resolved');
    if (g.status === 'acknowledged') return g;
    const now = this.clock();
    await this.db.updateTable('incident_groups').set({ status: 'acknowledged', acknowledged_by: actor, acknowledged_at: now, esc_next_at: null, updated_at: now }).where('id', '=', id).execute();
    await addTimeline(this.db, id, now, 'acknowledged', actor, `acknowledged by ${actor}`);
    return this.changed(tenant, id, 'acknowledged', actor);
  }

  async unacknowledge(tenant: string, id: string, actor: string): Promise<AlertGroup> {
    const g = await this.get(tenant, id);
    if (g.status !== 'acknowledged') throw new IchigenError('CONFLICT', 'the alert group is not acknowledged');
    const now = this.clock();
    await this.db.updateTable('incident_groups').set({ status: 'firing', acknowledged_by: null, acknowledged_at: null, esc_step: 0, esc_repeat: 0, esc_state: '{}', esc_next_at: this.restartAt(g, now), updated_at: now }).where('id', '=', id).execute();
    await addTimeline(this.db, id, now, 'unacknowledged', actor, `unacknowledged by ${actor}: escalation restarts`);
    return this.changed(tenant, id, 'unacknowledged', actor);
  }

  async resolve(tenant: string, id: string, actor: string): Promise<AlertGroup> {
    const g = await this.get(tenant, id);
    if (g.status === 'resolved') return g;
    const now = this.clock();
    await this.db.updateTable('incident_groups').set({ status: 'resolved', open: 0, resolved_by: actor, resolved_at: now, esc_next_at: null, updated_at: now }).where('id', '=', id).where('open', '=', 1).execute();
    await addTimeline(this.db, id, now, 'resolved', actor, `resolved by ${actor}`);
    return this.changed(tenant, id, 'resolved', actor);
  }

  async silence(tenant: string, id: string, actor: string, durationMs: number): Promise<AlertGroup> {
    if (!(durationMs > 0) || durationMs > 365 * 86_400_000) throw new IchigenError('INVALID_PARAMETER', 'silence duration must be between 1ms and 365d');
    const g = await this.get(tenant, id);
    if (g.status === 'resolved') throw new IchigenError('CONFLICT', 'the alert group is already resolved');
    const now = this.clock();
    await this.db.updateTable('incident_groups').set({ silenced_until: now + durationMs, esc_next_at: null, updated_at: now }).where('id', '=', id).execute();
    await addTimeline(this.db, id, now, 'silenced', actor, `silenced by ${actor} until ${new Date(now + durationMs).toISOString()}`, { until: now + durationMs });
    return this.changed(tenant, id, 'silenced', actor);
  }

  async unsilence(tenant: string, id: string, actor: string): Promise<AlertGroup> {
    const g = await this.get(tenant, id);
    if (g.silencedUntil === null) throw new IchigenError('CONFLICT', 'the alert group is not silenced');
    return this.doUnsilence(g, actor, 'unsilenced by ' + actor);
  }

  /** Ends group silences whose time is up (called by the background loop). */
  async expireSilences(): Promise<number> {
    const now = this.clock();
    const rows = await this.db.selectFrom('incident_groups').selectAll().where('open', '=', 1).where('silenced_until', '<=', now).limit(1000).execute();
    for (const r of rows) await this.doUnsilence(toGroup(r), 'system', 'silence ended');
    return rows.length;
  }

  private async doUnsilence(g: AlertGroup, actor: string, message: string): Promise<AlertGroup> {
    const now = this.clock();
    const res = await this.db
      .updateTable('incident_groups')
      .set({ silenced_until: null, esc_step: 0, esc_repeat: 0, esc_state: '{}', esc_next_at: g.status === 'firing' ? this.restartAt(g, now) : null, updated_at: now })
      .where('id', '=', g.id)
      .where('silenced_until', 'is not', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) await addTimeline(this.db, g.id, now, 'unsilenced', actor, message);
    return this.changed(g.tenant, g.id, 'unsilenced', actor);
  }

  private restartAt(g: AlertGroup, now: number): number | null {
    return g.chainId !== null && g.suppressed === null ? now : null;
  }

  private async changed(tenant: string, id: string, change: GroupChange, actor: string): Promise<AlertGroup> {
    const g = await this.get(tenant, id);
    this.notify(g, change, actor);
    return g;
  }
}
