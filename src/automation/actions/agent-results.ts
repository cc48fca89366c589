import type { AgentJobResult } from '../agent/agent-dispatcher.js';
import type { StepResult } from './action.js';

/** One target: its own output; several: each host's output under a header. Fails if any host failed. */
export function combineAgentResults(results: readonly AgentJobResult[]): StepResult {
  const failed = results.filter((r) => r.exitCode !== 0);
  const output =
    results.length === 1
      ? results[0]!.output + (results[0]!.error !== undefined ? `\n[ichigen] ${results[0]!.error}` : '')
      : results.map((r) => `=== ${r.agent} (exit ${r.exitCode ?? 'none'}) ===\n${r.output}${r.error !== undefined ? `\n[ichigen] ${r.error}` : ''}`).join('\n');
  return {
    status: failed.length === 0 ? 'succeeded' : 'failed',
    exitCode: failed.length === 0 ? 0 : (failed[0]!.exitCode ?? -1),
    output,
    data: { hosts: results.map((r) => ({ agent: r.agent, exitCode: r.exitCode, ...(r.error !== undefined ? { error: r.error } : {}), ...(r.timedOut === true ? { timedOut: true } : {}) })) },
  };
}
