import { createHmac, timingSafeEqual } from 'node:crypto';
import { IchigenError, parseDuration } from '../model/index.js';
import type { Logger } from '../self/index.js';
import { writeAudit, type StateDb } from '../state/index.js';
import type { AwsSettings, StepResult } from './actions/action.js';
import { ACTIONS } from './actions/registry.js';
import type { AgentDispatcher } from './agent/agent-dispatcher.js';
import type { IncidentActions } from './incident-actions.js';
import { RunStore, type RunRecord, type RunTrigger, type StepStatus } from './run-store.js';
import { resolveParams, type ParamValue, type RunbookDefinition, type StepCondition } from './runbook.js';
import type { Clock } from './schedule.js';
import { renderValue } from './template.js';

export interface RunEngineDeps {
  readonly state: StateDb;
  readonly log: Logger;
  readonly clock: Clock;
  readonly agents: AgentDispatcher;
  readonly incidents: () => IncidentActions | undefined;
  readonly aws: AwsSettings;
  readonly defaultStepTimeoutMs: number;
  /** Key for approval links (kept in the state database so links survive restarts). */
  readonly approvalKey: () => Promise<string>;
  readonly publicUrl: string;
  /** This replica's id: the owner recorded on the runs it executes. */
  readonly replica: string;
  /** How long a claim on a running run holds without renewal (renewed every third of it). */
  readonly leaseMs: number;
}

const RUNS_CHANNEL = 'ichigen_runs';
/** How often a running step's output so far is written where other replicas can read it. */
const OUTPUT_SAVE_MS = 1000;
const LOST_REPLICA = 'the replica executing this run stopped renewing its claim; the run was not resumed, to avoid running a step twice';
const LOST_SERVER = 'the server stopped while this run was executing; it was not resumed, to avoid running a step twice';

interface Live {
  readonly controller: AbortController;
  canceledBy?: string;
  /** Output of the step executing now, for watchers before it is stored. */
  output: string;
  firstOutputAt?: number;
}

function conditionHolds(when: StepCondition | undefined, prev: StepResult | undefined): boolean {
  const c = when ?? { previous: 'succeeded' as const };
  if (prev === undefined) return c.previous !== 'failed';
  if (c.previous === 'succeeded' && prev.status !== 'succeeded') return false;
  if (c.previous === 'failed' && prev.status !== 'failed') return false;
  if (c.exitCode !== undefined && (prev.exitCode === null || !c.exitCode.includes(prev.exitCode))) return false;
  if (c.outputMatches !== undefined && !new RegExp(c.outputMatches, 'm').test(prev.output)) return false;
  return true;
}

/**
 * Executes runbooks step by step, recording each step before and after it runs. A run is
 * executed by exactly one engine call at a time: starts and approvals move the run's status
 * with a conditional update, so a double click or a second replica cannot run it twice. The
 * executing replica holds a lease on the run and renews it; when a replica dies, another one
 * marks its runs interrupted once the lease has run out.
 */
export class RunEngine {
  readonly runs: RunStore;
  private readonly live = new Map<string, Live>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private keeper: NodeJS.Timeout | undefined;
  private keeping: Promise<void> | undefined;
  private listener: { close(): void } | undefined;

  constructor(private readonly deps: RunEngineDeps) {
    this.runs = new RunStore(deps.state.db);
  }

  /** Validates parameters, records the run, and starts executing it in the background. */
  async start(tenant: string, definition: RunbookDefinition, given: Readonly<Record<string, unknown>>, trigger: RunTrigger): Promise<RunRecord> {
    return (await this.create(tenant, definition, given, trigger, undefined))!;
  }

  /**
   * Like start, once per `dedupKey` across every replica and redelivery: undefined when a run
   * with this key exists already.
   */
  startOnce(tenant: string, definition: RunbookDefinition, given: Readonly<Record<string, unknown>>, trigger: RunTrigger, dedupKey: string): Promise<RunRecord | undefined> {
    return this.create(tenant, definition, given, trigger, dedupKey);
  }

  private async create(tenant: string, definition: RunbookDefinition, given: Readonly<Record<string, unknown>>, trigger: RunTrigger, dedupKey: string | undefined): Promise<RunRecord | undefined> {
    if (this.stopping) throw new IchigenError('UNAVAILABLE', 'the server is stopping');
    const params = resolveParams(definition, given);
    const now = this.deps.clock.now();
    const id = await this.runs.create({ tenant, definition, trigger, params, now, owner: this.deps.replica, leaseUntil: now + this.deps.leaseMs, ...(dedupKey !== undefined ? { dedupKey } : {}) });
    if (id === undefined) return undefined;
    await writeAudit(this.deps.state.db, { tenant, actor: trigger.actor ?? `${trigger.kind}:${trigger.ruleName ?? ''}`, action: 'runbook.run.start', target: id, details: { runbook: definition.name, trigger: { ...trigger, event: undefined }, params } });
    this.launch(id, 0);
    return (await this.runs.get(tenant, id))!;
  }

  /** Liveness details of a run executing now (streamed output so far). */
  liveOutput(id: string): { output: string; firstOutputAt?: number } | undefined {
    const l = this.live.get(id);
    return l === undefined ? undefined : { output: l.output, ...(l.firstOutputAt !== undefined ? { firstOutputAt: l.firstOutputAt } : {}) };
  }

  async cancel(tenant: string, id: string, actor: string): Promise<void> {
    const run = await this.runs.get(tenant, id);
    if (run === undefined) throw new IchigenError('NOT_FOUND', `run "${id}" not found`);
    if (run.status === 'waiting_approval') {
      if (await this.runs.update(id, { status: 'canceled', finishedAt: this.deps.clock.now(), error: `canceled by ${actor}` }, 'waiting_approval')) {
        await this.audit(run.tenant, id, actor, 'runbook.run.canceled', {});
      }
      return;
    }
    const l = this.live.get(id);
    if (l !== undefined) {
      l.canceledBy = actor;
      l.controller.abort(new IchigenError('CANCELED', `canceled by ${actor}`));
      return;
    }
    // Executing on another replica: it reads the request at once (notification) or at its next renewal.
    if (!(await this.runs.requestCancel(id, actor))) throw new IchigenError('CONFLICT', `run "${id}" is ${run.status}, not running`);
    await this.deps.state.notifier.notify(RUNS_CHANNEL, id).catch((err: unknown) => this.deps.log.warn({ err }, 'cancel notification failed'));
  }

  /** The signed link that approves or rejects a waiting run without signing in. */
  async approvalLink(id: string, step: number, expiresAt: number): Promise<string> {
    const sig = await this.sign(id, step, expiresAt);
    return `${this.deps.publicUrl.replace(/\/$/, '')}/api/ichigen/v1/runs/${id}/approval?step=${step}&exp=${expiresAt}&sig=${sig}`;
  }

  async checkLink(id: string, step: number, exp: number, sig: string): Promise<void> {
    if (!Number.isFinite(exp) || exp < this.deps.clock.now()) throw new IchigenError('FORBIDDEN', 'this approval link has expired');
    const want = Buffer.from(await this.sign(id, step, exp));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw new IchigenError('FORBIDDEN', 'invalid approval link');
  }

  /** Approves or rejects the approval step a run waits at; continues it when approved. */
  async decide(tenant: string | undefined, id: string, decision: 'approved' | 'rejected', actor: string, via: 'api' | 'link', step?: number): Promise<RunRecord> {
    const run = await this.runs.get(tenant, id);
    if (run === undefined) throw new IchigenError('NOT_FOUND', `run "${id}" not found`);
    if (run.status !== 'waiting_approval' || run.approval === null) throw new IchigenError('CONFLICT', `run "${id}" is ${run.status}, not waiting for approval`);
    if (step !== undefined && step !== run.approval.step) throw new IchigenError('CONFLICT', 'this link is for another approval step of the run');
    const now = this.deps.clock.now();
    if (run.approval.expiresAt < now) throw new IchigenError('FORBIDDEN', 'the approval has expired');
    const approval = { ...run.approval, decision, decidedBy: actor, decidedVia: via, decidedAt: now };
    // Approved: this replica executes the rest of the run, under its own lease.
    const next = decision === 'approved' ? { status: 'running' as const, approval, nextStep: run.approval.step + 1, owner: this.deps.replica, leaseUntil: now + this.deps.leaseMs } : { status: 'rejected' as const, approval, finishedAt: now, error: `rejected by ${actor}` };
    if (!(await this.runs.update(id, next, 'waiting_approval'))) throw new IchigenError('CONFLICT', `run "${id}" was decided already`);
    const stepId = await this.runs.addStep(id, run.approval.step, run.definition.steps[run.approval.step]!.name, 'approval', decision, now);
    await this.runs.finishStep(stepId, { status: decision, exitCode: null, output: `${decision} by ${actor} (${via})`, result: { approver: actor, via }, now });
    await this.audit(run.tenant, id, actor, `runbook.run.${decision === 'approved' ? 'approved' : 'rejected'}`, { runbook: run.runbook, step: run.approval.step, via });
    if (decision === 'approved') this.launch(id, run.approval.step + 1);
    else await this.finishAudit(id);
    return (await this.runs.get(tenant, id))!;
  }

  /**
   * At start: runs whose executor is gone are marked interrupted (never re-run). On SQLite this
   * process is the only executor, so every running run is; on PostgreSQL, those whose lease ran
   * out (other replicas' runs keep theirs). Then keeps this replica's leases and sweeps.
   */
  async recover(): Promise<string[]> {
    const single = this.deps.state.dialect === 'sqlite';
    const ids = await this.sweep(single ? undefined : this.deps.clock.now(), single ? LOST_SERVER : LOST_REPLICA);
    this.listener = await this.deps.state.notifier.listen(RUNS_CHANNEL, (runId) => {
      if (this.live.has(runId)) void this.keep();
    });
    this.keeper = setInterval(() => void this.keep(), Math.max(50, Math.floor(this.deps.leaseMs / 3)));
    this.keeper.unref();
    return ids;
  }

  /** Renews this replica's leases, applies cancel requests made on other replicas, sweeps runs whose replica died. */
  keep(): Promise<void> {
    this.keeping ??= (async () => {
      try {
        const now = this.deps.clock.now();
        const mine = [...this.live.keys()];
        const renewed = await this.runs.renew(this.deps.replica, mine, now + this.deps.leaseMs);
        for (const r of renewed) {
          const l = this.live.get(r.id);
          if (r.cancelRequested !== null && l !== undefined && !l.controller.signal.aborted) {
            l.canceledBy = r.cancelRequested;
            l.controller.abort(new IchigenError('CANCELED', `canceled by ${r.cancelRequested}`));
          }
        }
        // A run we could not renew was taken from us (our lease ran out while we were stalled and
        // another replica marked it interrupted): stop executing it rather than run on unowned.
        const kept = new Set(renewed.map((r) => r.id));
        for (const id of mine) {
          const l = this.live.get(id);
          if (kept.has(id) || l === undefined || l.controller.signal.aborted) continue;
          const cur = await this.runs.get(undefined, id);
          if (cur !== undefined && cur.status === 'interrupted') l.controller.abort(new IchigenError('UNAVAILABLE', LOST_REPLICA));
        }
        await this.sweep(now, LOST_REPLICA);
      } catch (err) {
        this.deps.log.warn({ err }, 'run lease renewal failed');
      } finally {
        this.keeping = undefined;
      }
    })();
    return this.keeping;
  }

  private async sweep(before: number | undefined, error: string): Promise<string[]> {
    const done: string[] = [];
    const now = this.deps.clock.now();
    for (const id of await this.runs.unclaimed(before)) {
      if (this.live.has(id) || !(await this.runs.interrupt(id, now, before, error))) continue;
      done.push(id);
      const run = await this.runs.get(undefined, id);
      if (run !== undefined) await this.audit(run.tenant, id, 'ichigen', 'runbook.run.interrupted', { runbook: run.runbook, error: run.error });
    }
    return done;
  }

  /** Resolves when no run is executing (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops executing runs: they end as interrupted, as after a crash, so nothing runs twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.keeper);
    this.listener?.close();
    for (const l of this.live.values()) l.controller.abort(new IchigenError('UNAVAILABLE', 'server stopping'));
    await this.idle();
    await this.keeping;
  }

  private launch(id: string, from: number): void {
    const p = this.execute(id, from)
      .catch((err: unknown) => this.deps.log.error({ err, runId: id }, 'run execution failed'))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async execute(id: string, from: number): Promise<void> {
    const run = await this.runs.get(undefined, id);
    if (run === undefined) return;
    const live: Live = { controller: new AbortController(), output: '' };
    this.live.set(id, live);
    const ctxSteps: Record<string, { status: string; exitCode: number | null; output: string; data?: unknown }> = {};
    let prev: StepResult | undefined;
    let failed = false;
    for (const s of run.steps) {
      ctxSteps[s.name] = { status: s.status, exitCode: s.exitCode, output: s.output, data: s.result };
      if (s.status === 'succeeded' || s.status === 'failed' || s.status === 'approved') prev = { status: s.status === 'failed' ? 'failed' : 'succeeded', exitCode: s.exitCode, output: s.output };
      if (s.status === 'failed' && run.definition.steps[s.idx]?.continueOnError !== true) failed = true;
    }
    try {
      const steps = run.definition.steps;
      for (let i = from; i < steps.length; i++) {
        const step = steps[i]!;
        const now = this.deps.clock.now();
        if (live.controller.signal.aborted) break;
        if (!conditionHolds(step.when, prev)) {
          await this.runs.addStep(id, i, step.name, step.action, 'skipped', now);
          ctxSteps[step.name] = { status: 'skipped', exitCode: null, output: '' };
          continue;
        }
        if (step.action === 'approval') {
          const input = ACTIONS.approval!.input.parse(step.with) as { message: string; expiresIn: string };
          const expiresAt = now + parseDuration(input.expiresIn);
          const approval = { step: i, message: input.message, expiresAt, requestedAt: now };
          await this.runs.update(id, { status: 'waiting_approval', nextStep: i, approval });
          await this.audit(run.tenant, id, 'ichigen', 'runbook.run.approval_requested', { runbook: run.runbook, step: i, link: await this.approvalLink(id, i, expiresAt) });
          return;
        }
        const result = await this.runStep(run, i, live, ctxSteps, run.params);
        ctxSteps[step.name] = { status: result.status, exitCode: result.exitCode, output: result.output, ...(result.data !== undefined ? { data: result.data } : {}) };
        prev = result;
        if (result.status === 'failed' && !step.continueOnError) failed = true;
        await this.runs.update(id, { nextStep: i + 1 });
      }
      const aborted = live.controller.signal.aborted;
      const status = aborted ? (live.canceledBy !== undefined ? 'canceled' : 'interrupted') : failed ? 'failed' : 'succeeded';
      const reason = live.controller.signal.reason as Error | undefined;
      await this.runs.update(id, { status, finishedAt: this.deps.clock.now(), ...(aborted ? { error: reason?.message ?? 'aborted' } : {}) });
      await this.finishAudit(id);
    } finally {
      this.live.delete(id);
    }
  }

  private async runStep(run: RunRecord, i: number, live: Live, ctxSteps: Record<string, unknown>, params: Record<string, ParamValue>): Promise<StepResult> {
    const step = run.definition.steps[i]!;
    const start = this.deps.clock.now();
    const stepId = await this.runs.addStep(run.id, i, step.name, step.action, 'running', start);
    live.output = '';
    const action = ACTIONS[step.action];
    const timeoutMs = step.timeout !== undefined ? parseDuration(step.timeout) : this.deps.defaultStepTimeoutMs;
    let result: StepResult;
    let status: StepStatus;
    const signal = AbortSignal.any([live.controller.signal, AbortSignal.timeout(timeoutMs)]);
    // The output so far is saved every second, for other replicas' readers and for a crash.
    let saveTimer: NodeJS.Timeout | undefined;
    let saving: Promise<void> = Promise.resolve();
    const save = (): void => {
      saveTimer = undefined;
      const text = live.output;
      saving = saving.then(() => this.runs.setStepOutput(stepId, text)).catch((err: unknown) => this.deps.log.warn({ err, runId: run.id }, 'saving step output failed'));
    };
    try {
      if (action === undefined) throw new IchigenError('INVALID_PARAMETER', `unknown action "${step.action}"`);
      const rendered = renderValue(step.with, { params, steps: ctxSteps, run: { id: run.id, runbook: run.runbook }, event: run.trigger.event ?? {} });
      const parsed = action.input.safeParse(rendered);
      if (!parsed.success) throw new IchigenError('INVALID_PARAMETER', `step "${step.name}" input: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'with'}: ${x.message}`).join('; ')}`);
      const env = Object.fromEntries(Object.entries(params).map(([k, v]) => [`ICHIGEN_PARAM_${k.toUpperCase()}`, String(v)]));
      const input = step.action === 'agent.command' ? { ...(parsed.data as Record<string, unknown>), env: { ...env, ...((parsed.data as { env?: Record<string, string> }).env ?? {}) } } : parsed.data;
      result = await action.run(
        {
          runId: run.id,
          tenant: run.tenant,
          runbook: run.runbook,
          step: step.name,
          signal,
          timeoutMs,
          log: this.deps.log,
          onOutput: (_stream, text) => {
            live.firstOutputAt ??= this.deps.clock.now();
            live.output = (live.output + text).slice(-256 * 1024);
            saveTimer ??= setTimeout(save, OUTPUT_SAVE_MS);
          },
          agents: this.deps.agents,
          incidents: this.deps.incidents(),
          aws: this.deps.aws,
        },
        input,
      );
      status = live.controller.signal.aborted ? (live.canceledBy !== undefined ? 'canceled' : 'interrupted') : result.status;
      if (signal.aborted && !live.controller.signal.aborted) result = { ...result, status: 'failed', output: `${result.output}\n[ichigen] step timed out after ${timeoutMs} ms` };
    } catch (err) {
      const timedOut = signal.aborted && !live.controller.signal.aborted;
      const message = timedOut ? `step timed out after ${timeoutMs} ms` : (err as Error).message;
      result = { status: 'failed', exitCode: null, output: `${live.output}${live.output === '' ? '' : '\n'}[ichigen] ${message}` };
      status = live.controller.signal.aborted ? (live.canceledBy !== undefined ? 'canceled' : 'interrupted') : 'failed';
    }
    clearTimeout(saveTimer);
    await saving;
    const end = this.deps.clock.now();
    await this.runs.finishStep(stepId, { status, exitCode: result.exitCode, output: result.output, result: { ...(result.data ?? {}), durationMs: end - start, ...(live.firstOutputAt !== undefined ? { firstOutputAt: live.firstOutputAt } : {}) }, now: end });
    return result;
  }

  private async finishAudit(id: string): Promise<void> {
    const run = await this.runs.get(undefined, id);
    if (run === undefined) return;
    await this.audit(run.tenant, id, run.trigger.actor ?? run.trigger.kind, 'runbook.run.finished', {
      runbook: run.runbook,
      status: run.status,
      trigger: { ...run.trigger, event: undefined },
      params: run.params,
      approver: run.approval?.decidedBy ?? null,
      durationMs: (run.finishedAt ?? this.deps.clock.now()) - run.createdAt,
      steps: run.steps.map((s) => ({ name: s.name, action: s.action, status: s.status, exitCode: s.exitCode, output: s.output.slice(0, 4096) })),
      ...(run.error !== '' ? { error: run.error } : {}),
    });
  }

  private async audit(tenant: string, id: string, actor: string, action: string, details: Record<string, unknown>): Promise<void> {
    await writeAudit(this.deps.state.db, { tenant, actor, action, target: id, details, at: this.deps.clock.now() });
  }

  private async sign(id: string, step: number, exp: number): Promise<string> {
    return createHmac('sha256', await this.deps.approvalKey()).update(`${id}.${step}.${exp}`).digest('base64url');
  }
}
