import type { Kysely } from 'kysely';
import { IchigenError, isScope, type Principal, type Scope } from '../model/index.js';
import { newId, type StateSchema } from '../state/index.js';
import { API_TOKEN_PREFIX, newSecret, sha256Hex } from './secret-token.js';

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly tenants: readonly string[] | '*';
  readonly createdBy: string | null;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

export interface NewApiToken {
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly tenants: readonly string[] | '*';
  readonly createdBy?: string;
  readonly expiresAt?: number;
}

type Row = StateSchema['api_tokens'];

function toToken(r: Row): ApiToken {
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes.split(',').filter(isScope),
    tenants: r.tenants === '*' ? '*' : r.tenants.split(',').filter((t) => t !== ''),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

export function tokenPrincipal(t: ApiToken): Principal {
  return { kind: 'token', id: t.id, name: t.name, scopes: t.scopes, tenants: t.tenants };
}

/** How long a verified token is trusted without asking the database again. */
const CACHE_MS = 5_000;
const LAST_USED_RESOLUTION_MS = 60_000;

export class ApiTokenStore {
  private readonly cache = new Map<string, { token: ApiToken; until: number }>();

  constructor(private readonly db: Kysely<StateSchema>) {}

  /** Creates a token; the secret is returned once and only its hash is kept. */
  async create(input: NewApiToken): Promise<{ token: ApiToken; secret: string }> {
    if (input.name.trim() === '' || input.name.length > 100) throw new IchigenError('INVALID_PARAMETER', 'token name must be 1-100 characters');
    if (input.scopes.length === 0) throw new IchigenError('INVALID_PARAMETER', 'a token needs at least one scope (ingest, read, write, admin)');
    if (input.tenants !== '*' && input.tenants.length === 0) throw new IchigenError('INVALID_PARAMETER', 'a token needs at least one tenant, or "*"');
    const secret = newSecret(API_TOKEN_PREFIX);
    const now = Date.now();
    const row: Row = {
      id: newId(now),
      name: input.name.trim(),
      token_hash: sha256Hex(secret),
      scopes: [...new Set(input.scopes)].join(','),
      tenants: input.tenants === '*' ? '*' : [...new Set(input.tenants)].join(','),
      created_by: input.createdBy ?? null,
      created_at: now,
      expires_at: input.expiresAt ?? null,
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_tokens').values(row).execute();
    return { token: toToken(row), secret };
  }

  /** The live token for a secret, or undefined when unknown, revoked or expired. */
  async verify(secret: string, now = Date.now()): Promise<ApiToken | undefined> {
    const hash = sha256Hex(secret);
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.token;
    const r = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!r || r.revoked_at !== null || (r.expires_at !== null && Number(r.expires_at) <= now)) {
      this.cache.delete(hash);
      return undefined;
    }
    const token = toToken(r);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { token, until: now + CACHE_MS });
    if (token.lastUsedAt === null || now - token.lastUsedAt > LAST_USED_RESOLUTION_MS) {
      await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', token.id).execute();
    }
    return token;
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map(toToken);
  }

  async revoke(id: string): Promise<void> {
    const res = await this.db.updateTable('api_tokens').set({ revoked_at: Date.now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new IchigenError('NOT_FOUND', 'token not found or already revoked');
    // Revocation must take effect now on this replica; others expire their cache within CACHE_MS.
    this.cache.clear();
  }
}
