import type { WebSocket } from 'ws';
import type { Logger } from '../../self/index.js';
import { newId } from '../../state/index.js';
import type { AgentJobResult, AgentJobSpec } from './agent-dispatcher.js';
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

/** Told when an agent has announced itself and when it is gone (the cluster registry listens). */
export interface AgentHubHooks {
  onReady(agent: ConnectedAgent): void;
  onClose(agent: ConnectedAgent): void;
}

/**
 * This replica's side of the agents connected to it: their sockets, labels and running jobs.
 * Which agent runs a step is chosen across replicas by the cluster dispatcher.
 */
export class AgentHub {
  private readonly agents = new Map<string, ConnectedAgent>();
  hooks: AgentHubHooks | undefined;

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
      if (agent.ready) this.hooks?.onClose(agent);
      for (const job of [...agent.jobs.values()]) job.done({ agent: agent.name, exitCode: null, output: job.output, error: 'the agent disconnected before the job finished' });
      this.log.info({ agent: agent.name, agentId: agent.id }, 'agent disconnected');
    });
  }

  /** The agents connected to this replica that have announced themselves. */
  local(): ConnectedAgent[] {
    return [...this.agents.values()].filter((a) => a.ready);
  }

  get(id: string): ConnectedAgent | undefined {
    const a = this.agents.get(id);
    return a?.ready === true ? a : undefined;
  }

  /** Disconnects every agent using a revoked token. */
  revoke(tokenId: string): void {
    for (const a of this.agents.values()) if (a.tokenId === tokenId) a.socket.close(CLOSE_TOKEN_REVOKED, 'token revoked');
  }

  closeAll(): void {
    for (const a of this.agents.values()) a.socket.close(1001, 'server stopping');
  }

  /** Sends a step to an agent connected here, signed with its token; resolves when it exits. */
  runOn(agent: ConnectedAgent, spec: AgentJobSpec, signal: AbortSignal, onOutput: (agent: string, stream: 'stdout' | 'stderr', text: string) => void): Promise<AgentJobResult> {
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
      const first = !agent.ready;
      agent.ready = true;
      if (first) this.hooks?.onReady(agent);
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
