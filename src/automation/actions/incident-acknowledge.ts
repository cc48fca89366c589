import { z } from 'zod';
import { IchigenError } from '../../model/index.js';
import { defineAction } from './action.js';

export const incidentAcknowledge = defineAction({
  kind: 'incident.acknowledge',
  input: z.object({ groupId: z.string().min(1).max(128) }).strict(),
  async run(ctx, input) {
    if (ctx.incidents === undefined) throw new IchigenError('UNAVAILABLE', 'the incidents module is not running');
    await ctx.incidents.acknowledge(ctx.tenant, input.groupId, `runbook:${ctx.runbook}`);
    return { status: 'succeeded', exitCode: null, output: `acknowledged alert group ${input.groupId}` };
  },
});
