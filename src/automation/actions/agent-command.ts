import { z } from 'zod';
import { defineAction } from './action.js';
import { combineAgentResults } from './agent-results.js';

export const targetsSchema = z.object({ labels: z.record(z.string().max(256)).refine((l) => Object.keys(l).length > 0, 'at least one label') }).strict();

/**
 * Runs a command on the agents whose labels match: `command` as argv (no shell; parameters
 * may fill single arguments) or `script` for /bin/sh, which gets parameters only as
 * ICHIGEN_PARAM_<NAME> environment variables, never spliced into its text.
 */
export const agentCommand = defineAction({
  kind: 'agent.command',
  input: z
    .object({
      targets: targetsSchema,
      // Parameters placed whole into an argument may be numbers or booleans: argv is text.
      command: z.array(z.union([z.string().max(4096), z.number(), z.boolean()]).transform(String)).min(1).max(256).optional(),
      script: z.string().max(64 * 1024).optional(),
      env: z.record(z.string().max(4096)).optional(),
    })
    .strict()
    .refine((v) => (v.command === undefined) !== (v.script === undefined), 'give exactly one of command or script'),
  async run(ctx, input) {
    const results = await ctx.agents.run(
      ctx.tenant,
      input.targets.labels,
      { runId: ctx.runId, runbook: ctx.runbook, step: ctx.step, ...(input.command !== undefined ? { argv: input.command } : { script: input.script! }), env: input.env ?? {}, timeoutMs: ctx.timeoutMs },
      ctx.signal,
      (agent, stream, text) => ctx.onOutput(stream, text),
    );
    return combineAgentResults(results);
  },
});
