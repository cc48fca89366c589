import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import WebSocket from 'ws';
import { AGENT_PATH, CLOSE_TOKEN_REVOKED, tokenKey, verifyJob, type AgentToServer, type JobMessage, type ServerToAgent } from './protocol.js';

export interface AgentOptions {
  readonly server: string;
  readonly token: string;
  readonly name?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Jobs run at once on this host; more wait in order. */
  readonly maxConcurrency: number;
  /** If given, only these runbooks may run here (a local limit on top of the server's definitions). */
  readonly allowRunbooks?: readonly string[];
  readonly version: string;
  readonly log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** Resolves to stop the agent (SIGTERM). */
  readonly stop: Promise<void>;
}

const KILL_GRACE_MS = 5000;

/**
 * `ichigen agent`: connects out to the server, announces its labels, and runs the runbook
 * steps the server sends — each signed with this agent's token — without a shell unless the
 * runbook's step is a script. Returns the process exit code: 0 stopped, 2 token refused,
 * 3 token revoked.
 */
export async function runAgent(o: AgentOptions): Promise<number> {
  const key = tokenKey(o.token);
  const url = o.server.replace(/^http/, 'ws').replace(/\/$/, '') + AGENT_PATH;
  const running = new Map<string, { child: ChildProcess | undefined; cancel: () => void }>();
  const queue: JobMessage[] = [];
  let socket: WebSocket | undefined;
  let stopped = false;
  let backoff = 500;
  const send = (m: AgentToServer): void => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(m));
  };

  const startNext = (): void => {
    while (running.size < o.maxConcurrency && queue.length > 0) execute(queue.shift()!);
  };

  const execute = (job: JobMessage): void => {
    const argv = job.argv !== undefined ? job.argv : ['/bin/sh', '-c', job.script ?? ''];
    let timedOut = false;
    let canceled = false;
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...job.env, ICHIGEN_RUN_ID: job.runId, ICHIGEN_RUNBOOK: job.runbook }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      send({ type: 'exit', jobId: job.jobId, exitCode: null, error: (err as Error).message });
      return;
    }
    const kill = (): void => {
      if (child.pid === undefined || child.exitCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      setTimeout(() => {
        try {
          if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, job.timeoutMs);
    running.set(job.jobId, { child, cancel: () => ((canceled = true), kill()) });
    send({ type: 'started', jobId: job.jobId, pid: child.pid ?? null });
    for (const stream of ['stdout', 'stderr'] as const) {
      const dec = new StringDecoder('utf8');
      child[stream]!.on('data', (b: Buffer) => {
        const data = dec.write(b);
        if (data !== '') send({ type: 'output', jobId: job.jobId, stream, data });
      });
    }
    let spawnError: string | undefined;
    child.on('error', (err) => (spawnError = err.message));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(job.jobId);
      const error = spawnError ?? (timedOut ? `timed out after ${job.timeoutMs} ms` : canceled ? 'canceled' : undefined);
      send({ type: 'exit', jobId: job.jobId, exitCode: code, ...(signal !== null ? { signal } : {}), ...(timedOut ? { timedOut: true } : {}), ...(error !== undefined ? { error } : {}) });
      o.log('info', 'job finished', { runbook: job.runbook, step: job.step, exitCode: code });
      startNext();
    });
  };

  const onMessage = (msg: ServerToAgent): void => {
    if (msg.type === 'welcome') {
      o.log('info', 'connected', { agentId: msg.agentId });
      backoff = 500;
    } else if (msg.type === 'cancel') {
      const r = running.get(msg.jobId);
      if (r !== undefined) r.cancel();
      const i = queue.findIndex((j) => j.jobId === msg.jobId);
      if (i >= 0) {
        queue.splice(i, 1);
        send({ type: 'exit', jobId: msg.jobId, exitCode: null, error: 'canceled before it started' });
      }
    } else if (msg.type === 'job') {
      // Only signed runbook steps run here: nothing else arriving on the socket is executed.
      if (!verifyJob(msg, key)) return send({ type: 'refused', jobId: String(msg.jobId), reason: 'job signature does not verify' });
      if (o.allowRunbooks !== undefined && !o.allowRunbooks.includes(msg.runbook)) return send({ type: 'refused', jobId: msg.jobId, reason: `runbook "${msg.runbook}" is not allowed on this host` });
      if ((msg.argv === undefined || msg.argv.length === 0) && typeof msg.script !== 'string') return send({ type: 'refused', jobId: msg.jobId, reason: 'job has no command' });
      o.log('info', 'job received', { runbook: msg.runbook, step: msg.step, runId: msg.runId });
      queue.push(msg);
      startNext();
    }
  };

  const connectOnce = (): Promise<number | undefined> =>
    new Promise((resolve) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${o.token}` }, handshakeTimeout: 10_000 });
      socket = ws;
      let final: number | undefined;
      ws.on('unexpected-response', (_req, res) => {
        if (res.statusCode === 401 || res.statusCode === 403) {
          o.log('error', 'the server refused the agent token', { status: res.statusCode });
          final = 2;
        } else o.log('warn', 'unexpected response from the server', { status: res.statusCode });
        ws.terminate();
      });
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', name: o.name ?? hostname(), labels: o.labels, maxConcurrency: o.maxConcurrency, version: o.version } satisfies AgentToServer)));
      ws.on('message', (data) => {
        try {
          onMessage(JSON.parse(String(data)) as ServerToAgent);
        } catch (err) {
          o.log('warn', 'bad message from the server', { err: (err as Error).message });
        }
      });
      ws.on('error', (err) => o.log('warn', 'connection error', { err: err.message }));
      ws.on('close', (code) => {
        if (code === CLOSE_TOKEN_REVOKED) {
          o.log('error', 'the agent token was revoked');
          final = 3;
        }
        // Jobs of a lost connection cannot report back: stop them.
        for (const r of running.values()) r.cancel();
        queue.length = 0;
        resolve(final);
      });
    });

  void o.stop.then(() => {
    stopped = true;
    socket?.close(1000, 'agent stopping');
    for (const r of running.values()) r.cancel();
  });
  while (!stopped) {
    const code = await connectOnce();
    if (code !== undefined) return code;
    if (stopped) break;
    // Waiting to reconnect (up to 30 s) ends at once when the agent is told to stop.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((r) => (timer = setTimeout(r, backoff))), o.stop]);
    clearTimeout(timer);
    backoff = Math.min(backoff * 2, 30_000);
  }
  return 0;
}
