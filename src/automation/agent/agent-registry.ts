import type { Kysely } from 'kysely';
import type { StateSchema } from '../../state/index.js';

/** An agent connected to one of the replicas sharing the state database. */
export interface RegisteredAgent {
  readonly id: string;
  readonly tenant: string;
  readonly tokenId: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly maxConcurrency: number;
  /** The replica holding the agent's WebSocket. */
  readonly replica: string;
  readonly connectedAt: number;
  readonly seenAt: number;
}

/**
 * Which agents are connected where, in the state database, so a run executing on any replica
 * finds every agent. Each replica writes its own agents' rows and renews `seen_at`; rows of a
 * replica that died stop being renewed and drop out after `staleMs`.
 */
export class AgentRegistry {
  constructor(
    private readonly db: Kysely<StateSchema>,
    readonly replica: string,
    readonly staleMs: number,
  ) {}

  async add(a: Omit<RegisteredAgent, 'replica' | 'seenAt'>, now: number): Promise<void> {
    await this.db
      .insertInto('automation_agents')
      .values({ id: a.id, tenant: a.tenant, token_id: a.tokenId, name: a.name, labels: JSON.stringify(a.labels), max_concurrency: a.maxConcurrency, replica: this.replica, connected_at: a.connectedAt, seen_at: now })
      .execute();
  }

  /** Forgets this replica's agents (stopping), or every agent (the only replica, starting). */
  async clear(everyReplica: boolean): Promise<void> {
    let q = this.db.deleteFrom('automation_agents');
    if (!everyReplica) q = q.where('replica', '=', this.replica);
    await q.execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('automation_agents').where('id', '=', id).where('replica', '=', this.replica).execute();
  }

  /** Renews this replica's agents; rows that vanished (purged while we were stalled) come back. */
  async heartbeat(agents: ReadonlyArray<Omit<RegisteredAgent, 'replica' | 'seenAt'>>, now: number): Promise<void> {
    if (agents.length === 0) return;
    const r = await this.db.updateTable('automation_agents').set({ seen_at: now }).where('replica', '=', this.replica).where('id', 'in', agents.map((a) => a.id)).executeTakeFirst();
    if (Number(r.numUpdatedRows) === agents.length) return;
    const present = new Set((await this.db.selectFrom('automation_agents').select('id').where('id', 'in', agents.map((a) => a.id)).execute()).map((x) => x.id));
    for (const a of agents) if (!present.has(a.id)) await this.add(a, now);
  }

  /**
   * Live agents of a tenant, one per (token, name): an agent that reconnected to another
   * replica while its old row has not expired yet is listed once, by its newest connection.
   */
  async live(tenant: string, now: number): Promise<RegisteredAgent[]> {
    const rows = await this.db.selectFrom('automation_agents').selectAll().where('tenant', '=', tenant).where('seen_at', '>=', now - this.staleMs).orderBy('connected_at', 'desc').execute();
    const seen = new Set<string>();
    const out: RegisteredAgent[] = [];
    for (const r of rows) {
      const key = `${r.token_id}\u0000${r.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ id: r.id, tenant: r.tenant, tokenId: r.token_id, name: r.name, labels: JSON.parse(r.labels) as Record<string, string>, maxConcurrency: Number(r.max_concurrency), replica: r.replica, connectedAt: Number(r.connected_at), seenAt: Number(r.seen_at) });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.connectedAt - b.connectedAt);
  }

  async isLive(id: string, now: number): Promise<boolean> {
    const r = await this.db.selectFrom('automation_agents').select('id').where('id', '=', id).where('seen_at', '>=', now - this.staleMs).executeTakeFirst();
    return r !== undefined;
  }

  /** Rows nobody renewed for a long time (their replica died). */
  async purge(now: number): Promise<void> {
    await this.db.deleteFrom('automation_agents').where('seen_at', '<', now - 4 * this.staleMs).execute();
  }
}
