import type { Kysely } from 'kysely';
import { newId, type StateSchema } from '../state/index.js';
import type { ParamValue, RunbookDefinition } from './runbook.js';

export type RunStatus = 'running' | 'waiting_approval' | 'succeeded' | 'failed' | 'canceled' | 'rejected' | 'interrupted';
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'canceled' | 'interrupted' | 'approved' | 'rejected';

export interface RunTrigger {
  readonly kind: 'manual' | 'event' | 'schedule';
  readonly actor?: string;
  readonly ruleId?: string;
  readonly ruleName?: string;
  readonly eventId?: string;
  /** The triggering event (EventBridge envelope), for `{{event.…}}` in step inputs. */
  readonly event?: Readonly<Record<string, unknown>>;
}

export interface RunApproval {
  readonly step: number;
  readonly message: string;
  readonly expiresAt: number;
  readonly requestedAt: number;
  readonly decision?: 'approved' | 'rejected';
  readonly decidedBy?: string;
  readonly decidedVia?: 'api' | 'link';
  readonly decidedAt?: number;
}

export interface StepRecord {
  readonly idx: number;
  readonly name: string;
  readonly action: string;
  readonly status: StepStatus;
  readonly exitCode: number | null;
  readonly output: string;
  readonly result: Record<string, unknown>;
  readonly startedAt: number;
  readonly finishedAt: number | null;
}

export interface RunRecord {
  readonly id: string;
  readonly tenant: string;
  readonly runbook: string;
  readonly definition: RunbookDefinition;
  readonly status: RunStatus;
  readonly trigger: RunTrigger;
  readonly params: Record<string, ParamValue>;
  readonly nextStep: number;
  readonly approval: RunApproval | null;
  readonly error: string;
  readonly createdAt: number;
  readonly finishedAt: number | null;
  readonly steps: StepRecord[];
  /** The replica that executes (or executed) the run. */
  readonly replica: string | null;
}

type RunRow = StateSchema['runbook_runs'];

const MAX_OUTPUT = 256 * 1024;

export function capOutput(s: string): string {
  return s.length <= MAX_OUTPUT ? s : `${s.slice(0, MAX_OUTPUT)}\n[ichigen] output truncated at ${MAX_OUTPUT} characters`;
}

/** Runs and their steps in the state database: the audit record of everything a runbook did. */
export class RunStore {
  constructor(private readonly db: Kysely<StateSchema>) {}

  /**
   * Records a new run owned by `owner` until `leaseUntil`. With a `dedupKey`, a second create
   * for the same key (the same rule and event, seen by another replica or redelivered) does
   * nothing and returns undefined.
   */
  async create(input: { tenant: string; definition: RunbookDefinition; trigger: RunTrigger; params: Record<string, ParamValue>; now: number; owner: string; leaseUntil: number; dedupKey?: string }): Promise<string | undefined> {
    const id = newId(input.now);
    const r = await this.db
      .insertInto('runbook_runs')
      .values({ id, tenant: input.tenant, runbook: input.definition.name, definition: JSON.stringify(input.definition), status: 'running', trigger: JSON.stringify(input.trigger), params: JSON.stringify(input.params), next_step: 0, approval: null, error: '', created_at: input.now, finished_at: null, dedup_key: input.dedupKey ?? null, event_id: input.trigger.eventId ?? null, owner: input.owner, lease_until: input.leaseUntil, cancel_requested: null })
      .onConflict((oc) => oc.column('dedup_key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0 ? id : undefined;
  }

  async update(id: string, fields: { status?: RunStatus; nextStep?: number; approval?: RunApproval | null; error?: string; finishedAt?: number; owner?: string; leaseUntil?: number }, onlyIfStatus?: RunStatus): Promise<boolean> {
    let q = this.db
      .updateTable('runbook_runs')
      .set({
        ...(fields.status !== undefined ? { status: fields.status } : {}),
        ...(fields.nextStep !== undefined ? { next_step: fields.nextStep } : {}),
        ...(fields.approval !== undefined ? { approval: fields.approval === null ? null : JSON.stringify(fields.approval) } : {}),
        ...(fields.error !== undefined ? { error: fields.error } : {}),
        ...(fields.finishedAt !== undefined ? { finished_at: fields.finishedAt } : {}),
        ...(fields.owner !== undefined ? { owner: fields.owner } : {}),
        ...(fields.leaseUntil !== undefined ? { lease_until: fields.leaseUntil } : {}),
      })
      .where('id', '=', id);
    if (onlyIfStatus !== undefined) q = q.where('status', '=', onlyIfStatus);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async addStep(runId: string, idx: number, name: string, action: string, status: StepStatus, now: number): Promise<number> {
    const r = await this.db
      .insertInto('runbook_run_steps')
      .values({ run_id: runId, idx, name, action, status, exit_code: null, output: '', result: '{}', started_at: now, finished_at: status === 'running' ? null : now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  /** The output so far of a step still running, so every replica (and a crash) sees it. */
  async setStepOutput(stepId: number, output: string): Promise<void> {
    await this.db.updateTable('runbook_run_steps').set({ output: capOutput(output) }).where('id', '=', stepId).where('status', '=', 'running').execute();
  }

  async finishStep(stepId: number, f: { status: StepStatus; exitCode: number | null; output: string; result: Record<string, unknown>; now: number }): Promise<void> {
    await this.db
      .updateTable('runbook_run_steps')
      .set({ status: f.status, exit_code: f.exitCode, output: capOutput(f.output), result: JSON.stringify(f.result), finished_at: f.now })
      .where('id', '=', stepId)
      .execute();
  }

  async get(tenant: string | undefined, id: string): Promise<RunRecord | undefined> {
    let q = this.db.selectFrom('runbook_runs').selectAll().where('id', '=', id);
    if (tenant !== undefined) q = q.where('tenant', '=', tenant);
    const row = await q.executeTakeFirst();
    if (row === undefined) return undefined;
    const steps = await this.db.selectFrom('runbook_run_steps').selectAll().where('run_id', '=', id).orderBy('id').execute();
    return toRun(row, steps);
  }

  async list(tenant: string, q: { runbook?: string; status?: string; event?: string; limit: number; before?: string }): Promise<RunRecord[]> {
    let s = this.db.selectFrom('runbook_runs').selectAll().where('tenant', '=', tenant);
    if (q.event !== undefined) s = s.where('event_id', '=', q.event);
    if (q.runbook !== undefined) s = s.where('runbook', '=', q.runbook);
    if (q.status !== undefined) s = s.where('status', '=', q.status);
    if (q.before !== undefined) s = s.where('id', '<', q.before);
    const rows = await s.orderBy('id', 'desc').limit(q.limit).execute();
    return rows.map((r) => toRun(r, []));
  }

  /** Renews this replica's claim on its running runs; answers which of them someone asked to cancel. */
  async renew(owner: string, ids: readonly string[], leaseUntil: number): Promise<Array<{ id: string; cancelRequested: string | null }>> {
    if (ids.length === 0) return [];
    const rows = await this.db.updateTable('runbook_runs').set({ lease_until: leaseUntil }).where('owner', '=', owner).where('id', 'in', [...ids]).where('status', '=', 'running').returning(['id', 'cancel_requested']).execute();
    return rows.map((r) => ({ id: r.id, cancelRequested: r.cancel_requested }));
  }

  /** Asks the replica executing a run to cancel it; false when the run is not running. */
  async requestCancel(id: string, actor: string): Promise<boolean> {
    const r = await this.db.updateTable('runbook_runs').set({ cancel_requested: actor }).where('id', '=', id).where('status', '=', 'running').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Running runs whose replica stopped renewing its claim (all running runs when `before` is undefined). */
  async unclaimed(before: number | undefined): Promise<string[]> {
    let q = this.db.selectFrom('runbook_runs').select('id').where('status', '=', 'running');
    if (before !== undefined) q = q.where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', before)]));
    return (await q.execute()).map((r) => r.id);
  }

  /**
   * Marks a run whose executor is gone as interrupted — once: the update re-checks that the
   * run is still running and (with `before`) still unclaimed, so two replicas sweeping at
   * once, or an owner renewing just in time, never collide.
   */
  async interrupt(id: string, now: number, before: number | undefined, error: string): Promise<boolean> {
    let q = this.db.updateTable('runbook_runs').set({ status: 'interrupted', finished_at: now, error }).where('id', '=', id).where('status', '=', 'running');
    if (before !== undefined) q = q.where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', before)]));
    if (Number((await q.executeTakeFirst()).numUpdatedRows) === 0) return false;
    await this.db.updateTable('runbook_run_steps').set({ status: 'interrupted', finished_at: now }).where('run_id', '=', id).where('status', '=', 'running').execute();
    return true;
  }
}

function toRun(r: RunRow, steps: ReadonlyArray<StateSchema['runbook_run_steps'] extends infer T ? { [K in keyof T]: K extends 'id' ? number : T[K] } : never>): RunRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    runbook: r.runbook,
    definition: JSON.parse(r.definition) as RunbookDefinition,
    status: r.status as RunStatus,
    trigger: JSON.parse(r.trigger) as RunTrigger,
    params: JSON.parse(r.params) as Record<string, ParamValue>,
    nextStep: Number(r.next_step),
    approval: r.approval === null ? null : (JSON.parse(r.approval) as RunApproval),
    error: r.error,
    createdAt: Number(r.created_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    replica: r.owner,
    steps: steps.map((s) => ({
      idx: Number(s.idx),
      name: s.name,
      action: s.action,
      status: s.status as StepStatus,
      exitCode: s.exit_code === null ? null : Number(s.exit_code),
      output: s.output,
      result: JSON.parse(s.result) as Record<string, unknown>,
      startedAt: Number(s.started_at),
      finishedAt: s.finished_at === null ? null : Number(s.finished_at),
    })),
  };
}
