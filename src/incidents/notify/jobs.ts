import type { Kysely, Transaction } from 'kysely';
import { newId, type StateDb, type StateSchema } from '../../state/index.js';

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

export async function enqueueJobs(db: Db, tenant: string, jobs: readonly { job: NotifyJob; runAt: number }[], now: number): Promise<void> {
  if (jobs.length === 0) return;
  await db
    .insertInto('incident_jobs')
    .values(jobs.map((j) => ({ id: newId(now), tenant, group_id: j.job.groupId, payload: JSON.stringify(j.job), run_at: j.runAt, attempts: 0, claimed_by: null, claimed_until: null, done_at: null, outcome: null, created_at: now })))
    .execute();
}

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
  ) {}

  async claim(now: number, limit: number): Promise<ClaimedJob[]> {
    const db = this.state.db;
    let due = db
      .selectFrom('incident_jobs')
      .select('id')
      .where('done_at', 'is', null)
      .where('run_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('run_at')
      .limit(limit);
    if (this.state.dialect === 'postgres') due = due.forUpdate().skipLocked();
    const rows = await db
      .updateTable('incident_jobs')
      .set((eb) => ({ claimed_by: this.worker, claimed_until: now + this.leaseMs, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', due)
      .where('done_at', 'is', null)
      .returningAll()
      .execute();
    return rows.map((r) => ({ id: r.id, tenant: r.tenant, job: JSON.parse(r.payload) as NotifyJob, attempts: Number(r.attempts), createdAt: Number(r.created_at) }));
  }

  async finish(id: string, now: number, outcome: string, db: Db = this.state.db): Promise<void> {
    await db.updateTable('incident_jobs').set({ done_at: now, outcome, claimed_until: null }).where('id', '=', id).where('claimed_by', '=', this.worker).execute();
  }

  async retryAt(id: string, runAt: number, db: Db = this.state.db): Promise<void> {
    await db.updateTable('incident_jobs').set({ run_at: runAt, claimed_until: null, claimed_by: null }).where('id', '=', id).where('claimed_by', '=', this.worker).execute();
  }
}
