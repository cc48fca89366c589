import { newId, type StateDb } from '../../state/index.js';
import type { AgentJobResult, AgentJobSpec } from './agent-dispatcher.js';

export type RelayStatus = 'queued' | 'running' | 'done';

export interface RelayedJob {
  readonly id: string;
  readonly agentId: string;
  readonly requester: string;
  readonly spec: AgentJobSpec;
}

export interface RelayState {
  readonly status: RelayStatus;
  readonly output: string;
  readonly result: AgentJobResult | null;
  readonly createdAt: number;
}

const MAX_OUTPUT = 1024 * 1024;

/**
 * Steps for an agent connected to another replica: the replica executing the run writes a job
 * row for the agent's replica, which claims it (FOR UPDATE SKIP LOCKED on PostgreSQL, so it is
 * sent once), appends the streamed output and finally the result; cancel is a flag the agent's
 * replica reads. Rows are the truth; notifications only wake the other side sooner.
 */
export class AgentJobRelay {
  constructor(
    private readonly state: StateDb,
    readonly replica: string,
  ) {}

  async enqueue(tenant: string, agentId: string, agentReplica: string, spec: AgentJobSpec, now: number): Promise<string> {
    const id = newId(now);
    await this.state.db
      .insertInto('automation_agent_jobs')
      .values({ id, tenant, agent_id: agentId, replica: agentReplica, requester: this.replica, run_id: spec.runId, spec: JSON.stringify(spec), status: 'queued', output: '', result: null, cancel: 0, created_at: now, updated_at: now })
      .execute();
    return id;
  }

  /** Jobs queued for agents on this replica, now marked running (each is taken once). */
  async claim(now: number, limit = 50): Promise<RelayedJob[]> {
    const db = this.state.db;
    let due = db.selectFrom('automation_agent_jobs').select('id').where('replica', '=', this.replica).where('status', '=', 'queued').orderBy('created_at').limit(limit);
    if (this.state.dialect === 'postgres') due = due.forUpdate().skipLocked();
    const rows = await db.updateTable('automation_agent_jobs').set({ status: 'running', updated_at: now }).where('id', 'in', due).where('status', '=', 'queued').returning(['id', 'agent_id', 'requester', 'spec']).execute();
    return rows.map((r) => ({ id: r.id, agentId: r.agent_id, requester: r.requester, spec: JSON.parse(r.spec) as AgentJobSpec }));
  }

  async append(id: string, text: string, now: number): Promise<void> {
    if (text === '') return;
    await this.state.db
      .updateTable('automation_agent_jobs')
      .set((eb) => ({ output: eb('output', '||', text.slice(0, MAX_OUTPUT)), updated_at: now }))
      .where('id', '=', id)
      .where((eb) => eb(eb.fn('length', ['output']), '<', MAX_OUTPUT))
      .execute();
  }

  /** Records the result; false when the job was already finished (e.g. given up by the requester). */
  async finish(id: string, result: AgentJobResult, now: number, onlyIfStatus?: RelayStatus): Promise<boolean> {
    let q = this.state.db.updateTable('automation_agent_jobs').set({ status: 'done', result: JSON.stringify(result), updated_at: now }).where('id', '=', id).where('status', '!=', 'done');
    if (onlyIfStatus !== undefined) q = q.where('status', '=', onlyIfStatus);
    return Number((await q.executeTakeFirst()).numUpdatedRows) > 0;
  }

  async read(id: string): Promise<RelayState | undefined> {
    const r = await this.state.db.selectFrom('automation_agent_jobs').select(['status', 'output', 'result', 'created_at']).where('id', '=', id).executeTakeFirst();
    if (r === undefined) return undefined;
    return { status: r.status as RelayStatus, output: r.output, result: r.result === null ? null : (JSON.parse(r.result) as AgentJobResult), createdAt: Number(r.created_at) };
  }

  async requestCancel(id: string): Promise<void> {
    await this.state.db.updateTable('automation_agent_jobs').set({ cancel: 1 }).where('id', '=', id).where('status', '!=', 'done').execute();
  }

  /** Of the given running jobs, those whose requester asked to cancel. */
  async cancelRequested(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    return (await this.state.db.selectFrom('automation_agent_jobs').select('id').where('id', 'in', [...ids]).where('cancel', '=', 1).execute()).map((r) => r.id);
  }

  /** Finished jobs are kept an hour (their output is in the run's step by then). */
  async purge(now: number): Promise<void> {
    await this.state.db.deleteFrom('automation_agent_jobs').where('status', '=', 'done').where('updated_at', '<', now - 3600_000).execute();
  }
}
