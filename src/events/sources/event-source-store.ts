import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sha256Hex, newSecret } from '../../auth/index.js';
import { IchigenError } from '../../model/index.js';
import { newId, type StateSchema } from '../../state/index.js';

export type EventSourceKind = 'eventbridge' | 'sns';
export type EventSourceAuth = 'api_key' | 'basic' | 'oauth' | 'none';

export interface EventSource {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly kind: EventSourceKind;
  readonly authType: EventSourceAuth;
  /** API key header name, Basic username or OAuth client id. */
  readonly principal: string;
  readonly allowedTopics: readonly string[];
  readonly createdAt: number;
  readonly createdBy: string;
}

export interface NewEventSource {
  readonly tenant: string;
  readonly name: string;
  readonly kind: EventSourceKind;
  readonly authType: EventSourceAuth;
  /** For api_key: the header EventBridge will send (default x-api-key). */
  readonly apiKeyHeader?: string;
  readonly allowedTopics?: readonly string[];
  readonly createdBy: string;
}

type Row = StateSchema['event_sources'];

function fromRow(r: Row): EventSource {
  return {
    id: r.id,
    tenant: r.tenant,
    name: r.name,
    kind: r.kind as EventSourceKind,
    authType: r.auth_type as EventSourceAuth,
    principal: r.principal,
    allowedTopics: JSON.parse(r.allowed_topics) as string[],
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
  };
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const TOKEN_TTL_S = 3600;

/**
 * Event sources and their credentials. Secrets are generated here, returned once, and kept
 * only as sha256 (they are random, so a slow hash buys nothing).
 */
export class EventSourceStore {
  constructor(private readonly db: Kysely<StateSchema>, private readonly now: () => number = Date.now) {}

  async create(input: NewEventSource): Promise<{ source: EventSource; secret: string | undefined }> {
    const existing = await this.db.selectFrom('event_sources').select('id').where('tenant', '=', input.tenant).where('name', '=', input.name).executeTakeFirst();
    if (existing !== undefined) throw new IchigenError('CONFLICT', `an event source named "${input.name}" exists`);
    const secret = input.authType === 'none' ? undefined : newSecret('ies_');
    const principal =
      input.authType === 'api_key' ? (input.apiKeyHeader ?? 'x-api-key').toLowerCase() : input.authType === 'basic' ? input.name : input.authType === 'oauth' ? `ichigen-${newId().slice(-12)}` : '';
    const row: Row = {
      id: newId(this.now()),
      tenant: input.tenant,
      name: input.name,
      kind: input.kind,
      auth_type: input.authType,
      principal,
      secret_hash: secret === undefined ? '' : sha256Hex(secret),
      token_key: randomBytes(32).toString('hex'),
      allowed_topics: JSON.stringify(input.allowedTopics ?? []),
      created_at: this.now(),
      created_by: input.createdBy,
    };
    await this.db.insertInto('event_sources').values(row).execute();
    return { source: fromRow(row), secret };
  }

  async list(tenant: string): Promise<EventSource[]> {
    return (await this.db.selectFrom('event_sources').selectAll().where('tenant', '=', tenant).orderBy('name').execute()).map(fromRow);
  }

  async get(id: string): Promise<EventSource | undefined> {
    const r = await this.db.selectFrom('event_sources').selectAll().where('id', '=', id).executeTakeFirst();
    return r === undefined ? undefined : fromRow(r);
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('event_sources').where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** True when `secret` is this source's API key, password or client secret. */
  async checkSecret(id: string, secret: string): Promise<boolean> {
    const r = await this.db.selectFrom('event_sources').select('secret_hash').where('id', '=', id).executeTakeFirst();
    return r !== undefined && r.secret_hash !== '' && sameHash(r.secret_hash, sha256Hex(secret));
  }

  /** An OAuth access token: `<expiry>.<hmac>`, checkable without storing it. */
  async issueToken(id: string): Promise<{ token: string; expiresIn: number }> {
    const key = await this.tokenKey(id);
    const exp = Math.floor(this.now() / 1000) + TOKEN_TTL_S;
    return { token: `iea_${exp}.${createHmac('sha256', key).update(`${id}.${exp}`).digest('base64url')}`, expiresIn: TOKEN_TTL_S };
  }

  async checkToken(id: string, token: string): Promise<boolean> {
    const m = /^iea_(\d+)\.([A-Za-z0-9_-]+)$/.exec(token);
    if (m === null || Number(m[1]) * 1000 < this.now()) return false;
    const key = await this.tokenKey(id);
    return sameHash(createHmac('sha256', key).update(`${id}.${m[1]}`).digest('base64url'), m[2]!);
  }

  private async tokenKey(id: string): Promise<string> {
    const r = await this.db.selectFrom('event_sources').select('token_key').where('id', '=', id).executeTakeFirst();
    if (r === undefined) throw new IchigenError('NOT_FOUND', 'event source not found');
    return r.token_key;
  }
}
