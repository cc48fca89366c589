import type { WebSocket } from 'ws';
import { IchigenError } from '../../model/index.js';
import type { Logger } from '../../self/index.js';
import { newId } from '../../state/index.js';
import type { AgentDispatcher, AgentJobResult, AgentJobSpec } from './agent-dispatcher.js';
import { CLOSE_TOKEN_REVOKED, signJob, type AgentToServer, type ServerToAgent } from './protocol.js';

interface PendingJob {
  readonly agent: string;
  output: string;
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
  readonly done: (r: AgentJobResult) => void;
}

export interface ConnectedAgent {
  readonly id: string;
  readonly tenant: string;
  readonly tokenId: string;
  readonly key: string;
  name: string;
  labels: Record<string, string>;
  maxConcurrency: number;
  readonly connectedAt: number;
  readonly socket: WebSocket;
  readonly jobs: Map<string, PendingJob>;
  ready: boolean;
}

const MAX_JOB_OUTPUT = 1024 * 1024;

/** The server's side of connected agents: who is there with which labels, and their running jobs. */
export class AgentHub implements AgentDispatcher {
  private readonly agents = new Map<string, ConnectedAgent>();

  constructor(private readonly log: Logger, private readonly now: () => number = Date.now) {}

  /** Takes over an authenticated WebSocket until it closes. */
  attach(socket: WebSocket, token: { id: string; tenant: string; key: string }): void {
    const agent: ConnectedAgent = { id: newId(this.now()), tenant: token.tenant, tokenId: token.id, key: token.key, name: '', labels: {}, maxConcurrency: 1, connectedAt: this.now(), socket, jobs: new Map(), ready: false };
    this.agents.set(agent.id, agent);
    socket.on('message', (data) => {
      let msg: AgentToServer;
      try {
        msg = JSON.parse(String(data)) as AgentToServer;
      } catch {
        socket.close(1003, 'bad message');
        return;
      }
      this.onMessage(agent, msg);
    });
    socket.on('close', () => {
      this.agents.delete(agent.id);
      for (const job of [...agent.jobs.values()]) job.done({ agent: agent.name, exitCode: null, output: job.output, error: 'the agent disconnected before the job finished' });
      this.log.info({ agent: agent.name, agentId: agent.id }, 'agent disconnected');
    });
  }

  list(tenant: string): Array<{ id: string; name: string; labels: Record<string, string>; connectedAt: number; runningJobs: number; maxConcurrency: number }> {
    return [...this.agents.values()].filter((a) => a.tenant === tenant && a.ready).map((a) => ({ id: a.id, name: a.name, labels: a.labels, connectedAt: a.connectedAt, runningJobs: a.jobs.size, maxConcurrency: a.maxConcurrency }));
  }

  /** Disconnects every agent using a revoked token. */
  revoke(tokenId: string): void {
    for (const a of this.agents.values()) if (a.tokenId === tokenId) a.socket.close(CLOSE_TOKEN_REVOKED, 'token revoked');
  }

  closeAll(): void {
    for (const a of this.agents.values()) a.socket.close(1001, 'server stopping');
  }

  async run(tenant: string, labels: Readonly<Record<string, string>>, spec: AgentJobSpec, signal: AbortSignal, onOutput: (agent: string, stream: 'stdout' | 'stderr', text: string) => void): Promise<AgentJobResult[]> {
    const targets = [...this.agents.values()].filter((a) => a.ready && a.tenant === tenant && Object.entries(labels).every(([k, v]) => a.labels[k] === v));
    if (targets.length === 0) throw new IchigenError('UNAVAILABLE', `no connected agent has the labels ${JSON.stringify(labels)}`);
    return Promise.all(targets.map((a) => this.runOn(a, spec, signal, onOutput)));
  }

  private runOn(agent: ConnectedAgent, spec: AgentJobSpec, signal: AbortSignal, onOutput: (agent: string, stream: 'stdout' | 'stderr', text: string) => void): Promise<AgentJobResult> {
    return new Promise((resolve) => {
      const jobId = newId(this.now());
      const finish = (r: AgentJobResult): void => {
        signal.removeEventListener('abort', onAbort);
        agent.jobs.delete(jobId);
        resolve(r);
      };
      const onAbort = (): void => this.send(agent, { type: 'cancel', jobId });
      agent.jobs.set(jobId, { agent: agent.name, output: '', onOutput: (stream, text) => onOutput(agent.name, stream, text), done: finish });
      signal.addEventListener('abort', onAbort, { once: true });
      const job = signJob(
        { type: 'job', jobId, runId: spec.runId, runbook: spec.runbook, step: spec.step, ...(spec.argv !== undefined ? { argv: [...spec.argv] } : {}), ...(spec.script !== undefined ? { script: spec.script } : {}), env: { ...spec.env }, timeoutMs: spec.timeoutMs },
        agent.key,
      );
      this.send(agent, job);
      if (signal.aborted) onAbort();
    });
  }

  private send(agent: ConnectedAgent, msg: ServerToAgent): void {
    if (agent.socket.readyState === agent.socket.OPEN) agent.socket.send(JSON.stringify(msg));
  }

  private onMessage(agent: ConnectedAgent, msg: AgentToServer): void {
    if (msg.type === 'hello') {
      agent.name = String(msg.name).slice(0, 200);
      agent.labels = Object.fromEntries(Object.entries(msg.labels ?? {}).slice(0, 64).map(([k, v]) => [String(k).slice(0, 128), String(v).slice(0, 256)]));
      agent.maxConcurrency = Math.max(1, Math.min(64, Number(msg.maxConcurrency) || 1));
      agent.ready = true;
      this.send(agent, { type: 'welcome', agentId: agent.id });
      this.log.info({ agent: agent.name, labels: agent.labels }, 'agent connected');
      return;
    }
    const job = agent.jobs.get((msg as { jobId?: string }).jobId ?? '');
    if (job === undefined) return;
    if (msg.type === 'output') {
      const text = String(msg.data);
      if (job.output.length < MAX_JOB_OUTPUT) job.output += text.slice(0, MAX_JOB_OUTPUT - job.output.length);
      job.onOutput(msg.stream === 'stderr' ? 'stderr' : 'stdout', text);
    } else if (msg.type === 'exit') {
      job.done({ agent: agent.name, exitCode: typeof msg.exitCode === 'number' ? msg.exitCode : null, output: job.output, ...(msg.error !== undefined ? { error: msg.error } : msg.signal !== undefined ? { error: `killed by ${msg.signal}` } : {}), ...(msg.timedOut === true ? { timedOut: true } : {}) });
    } else if (msg.type === 'refused') {
      job.done({ agent: agent.name, exitCode: null, output: job.output, error: `the agent refused the job: ${msg.reason}` });
    }
  }
}
