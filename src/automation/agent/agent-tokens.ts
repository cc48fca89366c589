import type { Kysely } from 'kysely';
import { newSecret } from '../../auth/index.js';
import { IchigenError } from '../../model/index.js';
import { newId, type StateSchema } from '../../state/index.js';
import { AGENT_TOKEN_PREFIX, tokenKey } from './protocol.js';

export interface AgentToken {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
  readonly lastSeenAt: number | null;
}

/** Tokens agents connect with: one per host (or fleet), stored as sha256, revocable. */
export class AgentTokenStore {
  constructor(private readonly db: Kysely<StateSchema>) {}

  async create(tenant: string, name: string, actor: string, now: number): Promise<{ token: AgentToken; secret: string }> {
    const secret = newSecret(AGENT_TOKEN_PREFIX);
    const token: AgentToken = { id: newId(now), tenant, name, createdBy: actor, createdAt: now, revokedAt: null, lastSeenAt: null };
    await this.db.insertInto('agent_tokens').values({ id: token.id, tenant, name, token_hash: tokenKey(secret), created_by: actor, created_at: now, revoked_at: null, last_seen_at: null }).execute();
    return { token, secret };
  }

  /** The live token for this secret, or undefined (unknown or revoked). */
  async verify(secret: string, now: number): Promise<(AgentToken & { key: string }) | undefined> {
    if (!secret.startsWith(AGENT_TOKEN_PREFIX)) return undefined;
    const key = tokenKey(secret);
    const r = await this.db.selectFrom('agent_tokens').selectAll().where('token_hash', '=', key).executeTakeFirst();
    if (r === undefined || r.revoked_at !== null) return undefined;
    await this.db.updateTable('agent_tokens').set({ last_seen_at: now }).where('id', '=', r.id).execute();
    return { id: r.id, tenant: r.tenant, name: r.name, createdBy: r.created_by, createdAt: Number(r.created_at), revokedAt: null, lastSeenAt: now, key };
  }

  async list(tenant: string): Promise<AgentToken[]> {
    const rows = await this.db.selectFrom('agent_tokens').selectAll().where('tenant', '=', tenant).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, tenant: r.tenant, name: r.name, createdBy: r.created_by, createdAt: Number(r.created_at), revokedAt: r.revoked_at === null ? null : Number(r.revoked_at), lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at) }));
  }

  async revoke(tenant: string, id: string, now: number): Promise<void> {
    const r = await this.db.updateTable('agent_tokens').set({ revoked_at: now }).where('tenant', '=', tenant).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new IchigenError('NOT_FOUND', `agent token "${id}" not found or already revoked`);
  }

  /** Of these token ids, the revoked ones (replicas disconnect their agents). */
  async revokedAmong(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    return (await this.db.selectFrom('agent_tokens').select('id').where('id', 'in', [...ids]).where('revoked_at', 'is not', null).execute()).map((r) => r.id);
  }
}
