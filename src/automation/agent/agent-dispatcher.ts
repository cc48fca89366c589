/** A step for agents: exactly what a runbook defined, with parameters already applied. */
export interface AgentJobSpec {
  readonly runId: string;
  readonly runbook: string;
  readonly step: string;
  /** argv without a shell, or a script run by /bin/sh with parameters in the environment. */
  readonly argv?: readonly string[];
  readonly script?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface AgentJobResult {
  readonly agent: string;
  readonly exitCode: number | null;
  readonly output: string;
  readonly error?: string;
  readonly timedOut?: boolean;
}

/** Runs a job on every connected agent whose labels include `labels`. */
export interface AgentDispatcher {
  run(
    tenant: string,
    labels: Readonly<Record<string, string>>,
    job: AgentJobSpec,
    signal: AbortSignal,
    onOutput: (agent: string, stream: 'stdout' | 'stderr', text: string) => void,
  ): Promise<AgentJobResult[]>;
}
