import { z } from 'zod';
import { IchigenError } from '../../model/index.js';
import { defineAction } from './action.js';

/** Opens an alert group, which pages whoever its route's escalation chain reaches. */
export const incidentPage = defineAction({
  kind: 'incident.page',
  input: z.object({ title: z.string().min(1).max(500), message: z.string().max(10_000).default(''), labels: z.record(z.string().max(1024)).default({}) }).strict(),
  async run(ctx, input) {
    if (ctx.incidents === undefined) throw new IchigenError('UNAVAILABLE', 'paging is not available: the incidents module is not running');
    const id = await ctx.incidents.page(ctx.tenant, input, `runbook:${ctx.runbook}`);
    return { status: 'succeeded', exitCode: null, output: `paged: alert group ${id}`, data: { groupId: id } };
  },
});
