import type { Kysely } from 'kysely';
import type { StateSchema } from './schema.js';

export interface AuditEntry {
  readonly tenant: string;
  readonly actor: string;
  readonly action: string;
  readonly target?: string;
  readonly details?: Record<string, unknown>;
  readonly at?: number;
}

export interface AuditRecord {
  readonly id: number;
  readonly at: number;
  readonly tenant: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly details: Record<string, unknown>;
}

/** Appends to the audit trail; callers never put secrets in `details`. */
export async function writeAudit(db: Kysely<StateSchema>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: entry.at ?? Date.now(),
      tenant: entry.tenant,
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? '',
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export async function listAudit(
  db: Kysely<StateSchema>,
  query: { tenant: string; limit: number; before?: number; action?: string; target?: string; actor?: string },
): Promise<AuditRecord[]> {
  let q = db.selectFrom('audit_log').selectAll().where('tenant', '=', query.tenant);
  if (query.before !== undefined) q = q.where('id', '<', query.before);
  if (query.action !== undefined) q = q.where('action', '=', query.action);
  if (query.target !== undefined) q = q.where('target', '=', query.target);
  if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
  const rows = await q.orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), details: JSON.parse(r.details) as Record<string, unknown> }));
}
