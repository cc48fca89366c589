import type { Kysely } from 'kysely';
import type { StateSchema } from '../state/index.js';
import { newSecret, sha256Hex } from './secret-token.js';

export interface Session {
  readonly userId: string;
  readonly expiresAt: number;
}

const TOUCH_RESOLUTION_MS = 60_000;

/** Browser sessions: the cookie holds a random secret; the database holds its hash. */
export class SessionStore {
  constructor(
    private readonly db: Kysely<StateSchema>,
    private readonly ttlMs: number,
  ) {}

  async create(userId: string, meta: { userAgent: string; ip: string }): Promise<{ secret: string; expiresAt: number }> {
    const secret = newSecret();
    const now = Date.now();
    const expiresAt = now + this.ttlMs;
    await this.db
      .insertInto('sessions')
      .values({
        id: sha256Hex(secret),
        user_id: userId,
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
        user_agent: meta.userAgent.slice(0, 300),
        ip: meta.ip,
      })
      .execute();
    return { secret, expiresAt };
  }

  /** Looks a session up and slides its expiry; undefined when unknown or expired. */
  async resolve(secret: string, now = Date.now()): Promise<Session | undefined> {
    const id = sha256Hex(secret);
    const r = await this.db.selectFrom('sessions').select(['user_id', 'expires_at', 'last_seen_at']).where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    if (Number(r.expires_at) <= now) {
      await this.db.deleteFrom('sessions').where('id', '=', id).execute();
      return undefined;
    }
    let expiresAt = Number(r.expires_at);
    if (now - Number(r.last_seen_at) > TOUCH_RESOLUTION_MS) {
      expiresAt = now + this.ttlMs;
      await this.db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
    }
    return { userId: r.user_id, expiresAt };
  }

  async destroy(secret: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', sha256Hex(secret)).execute();
  }

  async destroyAllForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  async purgeExpired(now = Date.now()): Promise<number> {
    const res = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
