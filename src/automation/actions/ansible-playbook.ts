import { z } from 'zod';
import { defineAction } from './action.js';
import { combineAgentResults } from './agent-results.js';
import { targetsSchema } from './agent-command.js';

/**
 * Runs `ansible-playbook` where the agent runs (the agent's host needs Ansible installed).
 * The default inventory is the host itself over a local connection.
 */
export const ansiblePlaybook = defineAction({
  kind: 'ansible.playbook',
  input: z
    .object({
      targets: targetsSchema,
      playbook: z.string().min(1).max(1024),
      inventory: z.string().max(1024).optional(),
      extraVars: z.record(z.unknown()).optional(),
      check: z.boolean().optional(),
      tags: z.array(z.string().max(128)).max(50).optional(),
    })
    .strict(),
  async run(ctx, input) {
    const argv = ['ansible-playbook', input.playbook, '-i', input.inventory ?? 'localhost,'];
    if (input.inventory === undefined) argv.push('-c', 'local');
    if (input.extraVars !== undefined) argv.push('-e', JSON.stringify(input.extraVars));
    if (input.check === true) argv.push('--check');
    if (input.tags !== undefined && input.tags.length > 0) argv.push('--tags', input.tags.join(','));
    const results = await ctx.agents.run(
      ctx.tenant,
      input.targets.labels,
      { runId: ctx.runId, runbook: ctx.runbook, step: ctx.step, argv, env: { ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0' }, timeoutMs: ctx.timeoutMs },
      ctx.signal,
      (_agent, stream, text) => ctx.onOutput(stream, text),
    );
    return combineAgentResults(results);
  },
});
