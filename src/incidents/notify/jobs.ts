import type { Kysely, Transaction } from 'kysely';
import { newId, type StateDb, type StateSchema, type StateSql } from '../../state/index.js';

/** A notification to send: to a configured channel, or to a user through one of their methods. */
export interface NotifyJob {
  readonly groupId: string;
  readonly event: 'firing' | 'acknowledged' | 'resolved';
  readonly channelId?: string;
  readonly userId?: string;
  /** A user's method: email, slack, sms, voice, teams, webhook. */
  readonly method?: string;
  /** Skip when the group was acknowledged, resolved or silenced before the job ran. */
  readonly requireOpen: boolean;
  readonly reason: string;
}

export interface ClaimedJob {
  readonly id: string;
  readonly tenant: string;
  readonly job: NotifyJob;
  readonly attempts: number;
  readonly createdAt: number;
}

type Db = Kysely<StateSchema> | Transaction<StateSchema>;

export async function enqueueJobs(db: Db, sql: StateSql, tenant: string, jobs: readonly { job: NotifyJob; runAt: number }[], now: number): Promise<void> {
  const rows = jobs.map((j) => ({ id: newId(now), tenant, group_id: j.job.groupId, payload: JSON.stringify(j.job), run_at: j.runAt, attempts: 0, claimed_by: null, claimed_until: null, done_at: null, outcome: null, created_at: now }));
  await sql.insert(db, 'incident_jobs', rows);
}

/** Due jobs nobody holds (or whose holder's lease ran out), oldest first; `%LOCK%` is where PostgreSQL locks them. */
const CLAIM = `update incident_jobs set claimed_by = ?, claimed_until = ?, attempts = attempts + 1
  where id in (select id from incident_jobs where done_at is null and run_at <= ? and (claimed_until is null or claimed_until < ?) order by run_at limit ?%LOCK%)
  and done_at is null returning *`;
const FINISH = 'update incident_jobs set done_at = ?, outcome = ?, claimed_until = null where id = ? and claimed_by = ?';
const RETRY = 'update incident_jobs set run_at = ?, claimed_until = null, claimed_by = null where id = ? and claimed_by = ?';

/**
 * The notification queue in the state database. A job is claimed with a lease; on
 * PostgreSQL with FOR UPDATE SKIP LOCKED, so replicas sharing the database never take the
 * same job, and a replica that dies mid-send only delays its jobs until the lease ends.
 */
export class JobQueue {
  constructor(
    private readonly state: StateDb,
    private readonly worker: string,
    private readonly leaseMs: number,
  ) {
    this.claimText = CLAIM.replace('%LOCK%', state.dialect === 'postgres' ? ' for update skip locked' : '');
  }

  private readonly claimText: string;

  /**
   * Queues jobs in the caller's transaction. Those due now are queued already claimed by this
   * worker (lease and first attempt counted) and returned, for the caller to hand to the
   * dispatcher once the transaction commits: no second statement to claim them, no wait for a
   * poll. If this worker dies first, the lease runs out and any replica sends them.
   */
  async enqueue(db: Db, tenant: string, jobs: readonly { job: NotifyJob; runAt: number }[], now: number): Promise<ClaimedJob[]> {
    const claimed: ClaimedJob[] = [];
    const rows = jobs.map((j) => {
      const id = newId(now);
      const mine = j.runAt <= now;
      if (mine) claimed.push({ id, tenant, job: j.job, attempts: 1, createdAt: now });
      const claim = mine ? { attempts: 1, claimed_by: this.worker, claimed_until: now + this.leaseMs } : { attempts: 0, claimed_by: null, claimed_until: null };
      return { id, tenant, group_id: j.job.groupId, payload: JSON.stringify(j.job), run_at: j.runAt, ...claim, done_at: null, outcome: null, created_at: now };
    });
    await this.state.sql.insert(db, 'incident_jobs', rows);
    return claimed;
  }

  async claim(now: number, limit: number): Promise<ClaimedJob[]> {
    const rows = await this.state.sql.all<StateSchema['incident_jobs']>(this.state.db, this.claimText, [this.worker, now + this.leaseMs, now, now, limit]);
    return rows.map((r) => ({ id: r.id, tenant: r.tenant, job: JSON.parse(r.payload) as NotifyJob, attempts: Number(r.attempts), createdAt: Number(r.created_at) }));
  }

  async finish(id: string, now: number, outcome: string, db: Db = this.state.db): Promise<void> {
    await this.state.sql.run(db, FINISH, [now, outcome, id, this.worker]);
  }

  async retryAt(id: string, runAt: number, db: Db = this.state.db): Promise<void> {
    await this.state.sql.run(db, RETRY, [runAt, id, this.worker]);
  }
}
