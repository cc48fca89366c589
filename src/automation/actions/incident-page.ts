import { z } from 'zod';
import { IchigenError } from '../../model/index.js';
import { defineAction } from './action.js';

/**
 * Pages on-call: opens an alert group through the incidents module, as a person's manual page
 * does, so routes choose its escalation chain from the labels and silences, inhibition and
 * maintenance apply. The step's data carries the group id for later steps.
 */
export const incidentPage = defineAction({
  kind: 'incident.page',
  input: z
    .object({
      title: z.string().min(1).max(500),
      message: z.string().max(10_000).default(''),
      labels: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a label name'), z.string().max(1024)).refine((l) => Object.keys(l).length <= 50, 'at most 50 labels').default({}),
    })
    .strict(),
  async run(ctx, input) {
    if (ctx.incidents === undefined) throw new IchigenError('UNAVAILABLE', 'the incidents module is not running');
    const g = await ctx.incidents.page(ctx.tenant, { title: input.title, message: input.message, labels: { ...input.labels, runbook: ctx.runbook, run_id: ctx.runId } }, `runbook:${ctx.runbook}`);
    const how = g.suppressed !== null ? `nobody is paged: ${g.suppressed}` : g.chainId !== null ? `escalation chain ${g.chainId}` : 'no route matched; no escalation chain';
    return { status: 'succeeded', exitCode: null, output: `paged: alert group ${g.id} "${g.title}" (${how})`, data: { groupId: g.id, chainId: g.chainId, suppressed: g.suppressed } };
  },
});
