import type { z } from 'zod';
import type { Logger } from '../../self/index.js';
import type { AgentDispatcher } from '../agent/agent-dispatcher.js';
import type { IncidentActions } from '../incident-actions.js';

/** What one step produced; `exitCode` is null where the action has none (webhook, AWS start). */
export interface StepResult {
  readonly status: 'succeeded' | 'failed';
  readonly exitCode: number | null;
  readonly output: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface ActionContext {
  readonly runId: string;
  readonly tenant: string;
  readonly runbook: string;
  readonly step: string;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly log: Logger;
  /** Streams output as it comes (agent commands); the final result still carries all of it. */
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
  readonly agents: AgentDispatcher;
  readonly incidents: IncidentActions | undefined;
  readonly aws: AwsSettings;
}

export interface AwsSettings {
  /** Endpoint override (VPC endpoint, or a local server in tests); empty: the SDK's default. */
  readonly endpoint: string;
  readonly region: string;
  /** How often SSM command status is polled. */
  readonly pollIntervalMs: number;
}

/** One kind of step. Inputs are validated when a runbook is saved, then again on the rendered values. */
export interface Action<T = unknown> {
  readonly kind: string;
  readonly input: z.ZodType<T, z.ZodTypeDef, unknown>;
  run(ctx: ActionContext, input: T): Promise<StepResult>;
}

export function defineAction<T>(a: Action<T>): Action<unknown> {
  return a as unknown as Action<unknown>;
}
