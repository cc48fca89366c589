import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The agent protocol: JSON messages over one WebSocket the agent opens to the server
 * (`/api/ichigen/v1/agents/connect`, `Authorization: Bearer <agent token>`). The agent never
 * listens on a port. Jobs carry an HMAC made with sha256(token), so a job that did not come
 * from the server holding this agent's token is refused even if the channel is tampered with.
 */
export const AGENT_PATH = '/api/ichigen/v1/agents/connect';
export const AGENT_TOKEN_PREFIX = 'iag_';
/** Close codes the agent treats as final (no reconnect). */
export const CLOSE_TOKEN_REVOKED = 4001;

export type AgentToServer =
  | { type: 'hello'; name: string; labels: Record<string, string>; maxConcurrency: number; version: string }
  | { type: 'started'; jobId: string; pid: number | null }
  | { type: 'output'; jobId: string; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'exit'; jobId: string; exitCode: number | null; signal?: string; timedOut?: boolean; error?: string }
  | { type: 'refused'; jobId: string; reason: string };

export interface JobMessage {
  type: 'job';
  jobId: string;
  runId: string;
  runbook: string;
  step: string;
  argv?: string[];
  script?: string;
  env: Record<string, string>;
  timeoutMs: number;
  sig: string;
}

export type ServerToAgent = { type: 'welcome'; agentId: string } | JobMessage | { type: 'cancel'; jobId: string };

export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function canonical(job: Omit<JobMessage, 'sig'>): string {
  const env = Object.keys(job.env).sort().map((k) => [k, job.env[k]]);
  return JSON.stringify([job.jobId, job.runId, job.runbook, job.step, job.argv ?? null, job.script ?? null, env, job.timeoutMs]);
}

export function signJob(job: Omit<JobMessage, 'sig'>, key: string): JobMessage {
  return { ...job, sig: createHmac('sha256', key).update(canonical(job)).digest('base64url') };
}

export function verifyJob(job: JobMessage, key: string): boolean {
  const want = Buffer.from(createHmac('sha256', key).update(canonical(job)).digest('base64url'));
  const got = Buffer.from(typeof job.sig === 'string' ? job.sig : '');
  return want.length === got.length && timingSafeEqual(want, got);
}
