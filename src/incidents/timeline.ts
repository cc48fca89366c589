import type { Kysely, Transaction } from 'kysely';
import type { StateSchema, StateSql } from '../state/index.js';
import { readJson } from './json.js';

/** What happened to an alert group, for its timeline. */
export type TimelineKind =
  | 'created'
  | 'alert'
  | 'alert_resolved'
  | 'acknowledged'
  | 'unacknowledged'
  | 'resolved'
  | 'silenced'
  | 'unsilenced'
  | 'escalation'
  | 'notification'
  | 'suppressed';

export interface TimelineEntry {
  readonly id: number;
  readonly at: number;
  readonly kind: TimelineKind;
  readonly actor: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

type Db = Kysely<StateSchema> | Transaction<StateSchema>;

export async function addTimeline(
  db: Db,
  groupId: string,
  at: number,
  kind: TimelineKind,
  actor: string,
  message: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await db.insertInto('incident_timeline').values({ group_id: groupId, at, kind, actor, message, details: JSON.stringify(details) }).execute();
}

/**
 * Timeline entries collected during one transaction and written together at its end, in the
 * order they happened (a batch of alerts writes thousands; one insert per entry was a large
 * part of the intake's cost).
 */
export class TimelineBuffer {
  private rows: { group_id: string; at: number; kind: TimelineKind; actor: string; message: string; details: string }[] = [];

  add(groupId: string, at: number, kind: TimelineKind, actor: string, message: string, details: Record<string, unknown> = {}): void {
    this.rows.push({ group_id: groupId, at, kind, actor, message, details: JSON.stringify(details) });
  }

  /** Takes over another buffer's entries (after this one's). */
  addAll(other: TimelineBuffer): void {
    for (const r of other.rows) this.rows.push(r);
  }

  async flush(db: Db, sql: StateSql): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    await sql.insert(db, 'incident_timeline', rows);
  }
}

export async function readTimeline(db: Db, groupId: string, limit = 1000): Promise<TimelineEntry[]> {
  const rows = await db.selectFrom('incident_timeline').selectAll().where('group_id', '=', groupId).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ id: Number(r.id), at: Number(r.at), kind: r.kind as TimelineKind, actor: r.actor, message: r.message, details: readJson(r.details, {}) }));
}
