import { IchigenError } from '../../model/index.js';
import type { Logger } from '../../self/index.js';
import type { StateNotifier } from '../../state/index.js';
import type { AgentDispatcher, AgentJobResult, AgentJobSpec } from './agent-dispatcher.js';
import type { AgentHub } from './agent-hub.js';
import type { AgentRegistry, RegisteredAgent } from './agent-registry.js';
import type { AgentJobRelay, RelayedJob } from './agent-relay.js';
import type { AgentTokenStore } from './agent-tokens.js';

export interface ClusterDispatcherDeps {
  readonly hub: AgentHub;
  readonly registry: AgentRegistry;
  readonly relay: AgentJobRelay;
  readonly tokens: AgentTokenStore;
  readonly notifier: StateNotifier;
  readonly log: Logger;
  readonly now: () => number;
  /** Fallback poll when no notification arrives (a lost NOTIFY only delays work by this much). */
  readonly pollMs: number;
  /** How often this replica renews its agents' rows (and rereads revocations). */
  readonly heartbeatMs: number;
  /** A relayed job nobody claims within this time fails (the agent's replica is gone). */
  readonly claimTimeoutMs: number;
  /** This is the only replica (SQLite): rows left by an earlier process are dropped at start. */
  readonly exclusive: boolean;
}

type OnOutput = (agent: string, stream: 'stdout' | 'stderr', text: string) => void;

interface Wake {
  /** A replica id, or `*` for all. */
  readonly to: string;
  readonly kind: 'queued' | 'update' | 'cancel' | 'revoked';
  readonly job?: string;
  readonly token?: string;
}

const CHANNEL = 'ichigen_agent_jobs';
/** After a cancel, how long to wait for the agent's replica to report the exit before giving up. */
const CANCEL_GRACE_MS = 15_000;
const OUTPUT_FLUSH_MS = 50;

function matches(labels: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}

/**
 * Runs a step on every matching agent connected to any replica: directly over the socket when
 * the agent is connected here, otherwise through a job row the agent's replica claims and
 * streams back (see AgentJobRelay). Also keeps this replica's agents listed in the registry.
 */
export class ClusterDispatcher implements AgentDispatcher {
  private readonly waiters = new Map<string, () => void>();
  /** Jobs updated while nobody waited (between two reads): the next wait returns at once. */
  private readonly updated = new Set<string>();
  private readonly serving = new Map<string, AbortController>();
  /** Relayed jobs this replica waits for. */
  private readonly running = new Set<string>();
  private readonly tracked = new Set<Promise<unknown>>();
  private listener: { close(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private claiming: Promise<void> | undefined;
  private claimAgain = false;
  private lastHeartbeat = 0;

  constructor(private readonly d: ClusterDispatcherDeps) {}

  get replica(): string {
    return this.d.registry.replica;
  }

  async start(): Promise<void> {
    const info = (a: { id: string; tenant: string; tokenId: string; name: string; labels: Record<string, string>; maxConcurrency: number; connectedAt: number }) => ({ id: a.id, tenant: a.tenant, tokenId: a.tokenId, name: a.name, labels: a.labels, maxConcurrency: a.maxConcurrency, connectedAt: a.connectedAt });
    this.d.hub.hooks = {
      onReady: (a) => this.track(this.d.registry.add(info(a), this.d.now()).then(() => this.claim())),
      onClose: (a) => this.track(this.d.registry.remove(a.id)),
    };
    if (this.d.exclusive) await this.d.registry.clear(true);
    this.listener = await this.d.notifier.listen(CHANNEL, (p) => this.onWake(p));
    this.timer = setInterval(() => void this.tick(), this.d.pollMs);
    this.timer.unref();
  }

  /** Call after the hub closed its sockets: waits for registry updates and relayed results. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.listener?.close();
    for (const w of this.waiters.values()) w();
    while (this.tracked.size > 0) await Promise.allSettled([...this.tracked]);
    // Sockets still closing would remove their rows later, perhaps after the state is closed.
    await this.d.registry.clear(false).catch((err: unknown) => this.d.log.warn({ err }, 'removing this replica\'s agents failed'));
  }

  /** Every live agent of the tenant, on any replica. */
  async list(tenant: string): Promise<RegisteredAgent[]> {
    const rows = await this.d.registry.live(tenant, this.d.now());
    const known = new Set(rows.map((r) => r.id));
    // An agent that just connected here may not have its row yet.
    for (const a of this.d.hub.local()) {
      if (a.tenant === tenant && !known.has(a.id)) rows.push({ id: a.id, tenant: a.tenant, tokenId: a.tokenId, name: a.name, labels: a.labels, maxConcurrency: a.maxConcurrency, replica: this.replica, connectedAt: a.connectedAt, seenAt: this.d.now() });
    }
    return rows;
  }

  /** Disconnects agents using a revoked token, here and on every other replica. */
  async revoke(tokenId: string): Promise<void> {
    this.d.hub.revoke(tokenId);
    await this.wake({ to: '*', kind: 'revoked', token: tokenId });
  }

  async run(tenant: string, labels: Readonly<Record<string, string>>, spec: AgentJobSpec, signal: AbortSignal, onOutput: OnOutput): Promise<AgentJobResult[]> {
    const targets = (await this.list(tenant)).filter((a) => matches(a.labels, labels));
    if (targets.length === 0) throw new IchigenError('UNAVAILABLE', `no connected agent has the labels ${JSON.stringify(labels)}`);
    return Promise.all(
      targets.map((t) => {
        const here = this.d.hub.get(t.id);
        return here !== undefined ? this.d.hub.runOn(here, spec, signal, onOutput) : this.runRemote(t, spec, signal, onOutput);
      }),
    );
  }

  private async runRemote(t: RegisteredAgent, spec: AgentJobSpec, signal: AbortSignal, onOutput: OnOutput): Promise<AgentJobResult> {
    const id = await this.d.relay.enqueue(t.tenant, t.id, t.replica, spec, this.d.now());
    this.running.add(id);
    try {
      await this.wake({ to: t.replica, kind: 'queued' });
      return await this.follow(id, t, signal, onOutput);
    } finally {
      this.running.delete(id);
      this.updated.delete(id);
    }
  }

  /** Reads the relayed job's output and result as its replica writes them. */
  private async follow(id: string, t: RegisteredAgent, signal: AbortSignal, onOutput: OnOutput): Promise<AgentJobResult> {
    const fail = (error: string, output = ''): AgentJobResult => ({ agent: t.name, exitCode: null, output, error });
    let delivered = 0;
    let canceledAt: number | undefined;
    let lastLiveCheck = this.d.now();
    for (;;) {
      await this.waitFor(id, signal);
      const now = this.d.now();
      if (signal.aborted && canceledAt === undefined) {
        canceledAt = now;
        await this.d.relay.requestCancel(id);
        await this.wake({ to: t.replica, kind: 'cancel', job: id });
      }
      const st = await this.d.relay.read(id);
      if (st === undefined) return fail('the relayed job disappeared');
      if (st.output.length > delivered) {
        onOutput(t.name, 'stdout', st.output.slice(delivered));
        delivered = st.output.length;
      }
      if (st.status === 'done') return st.result ?? fail('the relayed job ended without a result', st.output);
      let giveUp: string | undefined;
      if (st.status === 'queued' && now - st.createdAt > this.d.claimTimeoutMs) giveUp = `the replica holding agent "${t.name}" did not take the job within ${this.d.claimTimeoutMs} ms`;
      else if (canceledAt !== undefined && now - canceledAt > CANCEL_GRACE_MS) giveUp = `canceled; the replica holding agent "${t.name}" did not confirm the agent stopped`;
      else if (now - lastLiveCheck >= this.d.heartbeatMs) {
        lastLiveCheck = now;
        if (!(await this.d.registry.isLive(t.id, now))) giveUp = `the replica holding agent "${t.name}" stopped answering`;
      }
      if (giveUp !== undefined && (await this.d.relay.finish(id, fail(giveUp, st.output), now))) return fail(giveUp, st.output);
    }
  }

  /** Resolves on this job's next update, a cancel, or after the poll interval. */
  private waitFor(id: string, signal: AbortSignal): Promise<void> {
    if (this.updated.delete(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        this.waiters.delete(id);
        resolve();
      };
      const t = setTimeout(done, this.d.pollMs);
      this.waiters.set(id, done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private onWake(payload: string): void {
    let w: Wake;
    try {
      w = JSON.parse(payload) as Wake;
    } catch {
      return;
    }
    if (w.to !== this.replica && w.to !== '*') return;
    if (w.kind === 'queued') this.track(this.claim());
    else if (w.kind === 'cancel') this.track(this.checkCancels());
    else if (w.kind === 'update' && w.job !== undefined) {
      const waiter = this.waiters.get(w.job);
      if (waiter !== undefined) waiter();
      else if (this.running.has(w.job)) this.updated.add(w.job);
    }
    else if (w.kind === 'revoked' && w.token !== undefined) this.d.hub.revoke(w.token);
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      if (this.d.hub.local().length > 0) {
        await this.claim();
        await this.checkCancels();
      }
      const now = this.d.now();
      if (now - this.lastHeartbeat >= this.d.heartbeatMs) {
        this.lastHeartbeat = now;
        await this.heartbeat(now);
      }
    } catch (err) {
      this.d.log.warn({ err }, 'agent dispatch background pass failed');
    } finally {
      this.ticking = false;
    }
  }

  private async heartbeat(now: number): Promise<void> {
    const local = this.d.hub.local();
    await this.d.registry.heartbeat(local.map((a) => ({ id: a.id, tenant: a.tenant, tokenId: a.tokenId, name: a.name, labels: a.labels, maxConcurrency: a.maxConcurrency, connectedAt: a.connectedAt })), now);
    // A token revoked while its notification was missed still disconnects its agents here.
    for (const id of await this.d.tokens.revokedAmong([...new Set(local.map((a) => a.tokenId))])) this.d.hub.revoke(id);
    await this.d.registry.purge(now);
    await this.d.relay.purge(now);
  }

  /** Takes the jobs queued for agents on this replica; concurrent calls coalesce. */
  private claim(): Promise<void> {
    if (this.claiming !== undefined) {
      this.claimAgain = true;
      return this.claiming;
    }
    this.claiming = (async () => {
      try {
        do {
          this.claimAgain = false;
          for (const job of await this.d.relay.claim(this.d.now())) this.serve(job);
        } while (this.claimAgain);
      } finally {
        this.claiming = undefined;
      }
    })();
    return this.claiming;
  }

  private serve(job: RelayedJob): void {
    const agent = this.d.hub.get(job.agentId);
    const finish = async (result: AgentJobResult): Promise<void> => {
      await this.d.relay.finish(job.id, result, this.d.now());
      await this.wake({ to: job.requester, kind: 'update', job: job.id });
    };
    if (agent === undefined) {
      this.track(finish({ agent: job.agentId, exitCode: null, output: '', error: 'the agent disconnected before the job was sent' }));
      return;
    }
    const controller = new AbortController();
    this.serving.set(job.id, controller);
    let pending = '';
    let timer: NodeJS.Timeout | undefined;
    let chain: Promise<void> = Promise.resolve();
    const flush = (): void => {
      timer = undefined;
      const text = pending;
      pending = '';
      chain = chain
        .then(() => this.d.relay.append(job.id, text, this.d.now()))
        .then(() => this.wake({ to: job.requester, kind: 'update', job: job.id }))
        .catch((err: unknown) => this.d.log.warn({ err, job: job.id }, 'relaying agent output failed'));
    };
    const running = this.d.hub.runOn(agent, job.spec, controller.signal, (_a, _s, text) => {
      pending += text;
      timer ??= setTimeout(flush, OUTPUT_FLUSH_MS);
    });
    this.track(
      running
        .then(async (result) => {
          clearTimeout(timer);
          if (pending !== '') flush();
          await chain;
          await finish(result);
        })
        .finally(() => this.serving.delete(job.id)),
    );
  }

  private async checkCancels(): Promise<void> {
    for (const id of await this.d.relay.cancelRequested([...this.serving.keys()])) this.serving.get(id)?.abort();
  }

  private async wake(w: Wake): Promise<void> {
    try {
      await this.d.notifier.notify(CHANNEL, JSON.stringify(w));
    } catch (err) {
      // The other side polls; a failed notification only delays it.
      this.d.log.warn({ err }, 'agent dispatch notification failed');
    }
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err: unknown) => this.d.log.warn({ err }, 'agent dispatch failed')).finally(() => this.tracked.delete(q));
    this.tracked.add(q);
  }
}
