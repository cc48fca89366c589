import type { Kysely } from 'kysely';
import type { StateSchema } from '../state/index.js';

/**
 * One rule evaluator across replicas sharing the state database: a lease row in `settings`
 * taken and renewed by compare-and-swap (portable to SQLite and PostgreSQL). A replica that
 * dies loses the lease after `ttlMs` and another takes over; two never hold it at once.
 */
export class LeaderLease {
  constructor(
    private readonly db: Kysely<StateSchema>,
    private readonly key: string,
    private readonly id: string,
    private readonly ttlMs: number,
  ) {}

  async acquire(now: number): Promise<boolean> {
    const value = `${now + this.ttlMs}:${this.id}`;
    const cur = await this.db.selectFrom('settings').select('value').where('key', '=', this.key).executeTakeFirst();
    if (!cur) {
      await this.db.insertInto('settings').values({ key: this.key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
    } else {
      const colon = cur.value.indexOf(':');
      const until = Number(cur.value.slice(0, colon));
      const holder = cur.value.slice(colon + 1);
      if (holder !== this.id && until > now) return false;
      await this.db.updateTable('settings').set({ value }).where('key', '=', this.key).where('value', '=', cur.value).execute();
    }
    const after = await this.db.selectFrom('settings').select('value').where('key', '=', this.key).executeTakeFirst();
    return after?.value === value;
  }

  async release(): Promise<void> {
    const cur = await this.db.selectFrom('settings').select('value').where('key', '=', this.key).executeTakeFirst();
    if (cur && cur.value.endsWith(`:${this.id}`)) await this.db.deleteFrom('settings').where('key', '=', this.key).where('value', '=', cur.value).execute();
  }
}
