import { StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { defineAction } from './action.js';
import { ssmClient } from './ssm-client.js';

/** Starts an SSM Automation runbook (StartAutomationExecution); the step's output is the execution id. */
export const ssmStartAutomation = defineAction({
  kind: 'aws.ssm.start_automation',
  input: z
    .object({
      region: z.string().max(32).optional(),
      documentName: z.string().min(1).max(256),
      documentVersion: z.string().max(32).optional(),
      parameters: z.record(z.array(z.string().max(64 * 1024))).default({}),
    })
    .strict(),
  async run(ctx, input) {
    const client = ssmClient(ctx.aws, input.region);
    try {
      const r = await client.send(
        new StartAutomationExecutionCommand({ DocumentName: input.documentName, Parameters: input.parameters, ...(input.documentVersion !== undefined ? { DocumentVersion: input.documentVersion } : {}) }),
        { abortSignal: ctx.signal },
      );
      const id = r.AutomationExecutionId ?? '';
      return { status: id !== '' ? 'succeeded' : 'failed', exitCode: null, output: `automation execution ${id}`, data: { automationExecutionId: id } };
    } finally {
      client.destroy();
    }
  },
});
