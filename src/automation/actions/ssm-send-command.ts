import { GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { defineAction } from './action.js';
import { sleep, ssmClient } from './ssm-client.js';

const TERMINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Undeliverable', 'Terminated', 'InvalidPlatform', 'AccessDenied', 'DeliveryTimedOut', 'ExecutionTimedOut']);

/**
 * AWS Systems Manager Run Command: SendCommand, then GetCommandInvocation per instance until
 * each reaches a final status. Output is each instance's StandardOutputContent (SSM keeps the
 * first 24,000 characters), the exit code its ResponseCode.
 */
export const ssmSendCommand = defineAction({
  kind: 'aws.ssm.send_command',
  input: z
    .object({
      region: z.string().max(32).optional(),
      documentName: z.string().min(1).max(256).default('AWS-RunShellScript'),
      instanceIds: z.array(z.string().regex(/^(i|mi)-[0-9a-f]{8,17}$/, 'an EC2 or managed instance id')).min(1).max(50),
      parameters: z.record(z.array(z.string().max(64 * 1024))).default({}),
      comment: z.string().max(100).optional(),
    })
    .strict(),
  async run(ctx, input) {
    const client = ssmClient(ctx.aws, input.region);
    try {
      const sent = await client.send(
        new SendCommandCommand({
          DocumentName: input.documentName,
          InstanceIds: input.instanceIds,
          Parameters: input.parameters,
          Comment: input.comment ?? `ichigen ${ctx.runbook}/${ctx.step}`.slice(0, 100),
          TimeoutSeconds: Math.max(30, Math.ceil(ctx.timeoutMs / 1000)),
        }),
        { abortSignal: ctx.signal },
      );
      const commandId = sent.Command?.CommandId;
      if (commandId === undefined) return { status: 'failed', exitCode: null, output: 'SendCommand returned no CommandId' };
      ctx.onOutput('stdout', `SSM command ${commandId} sent to ${input.instanceIds.join(', ')}\n`);
      const results: Array<{ instanceId: string; status: string; code: number; stdout: string; stderr: string }> = [];
      for (const instanceId of input.instanceIds) {
        for (;;) {
          await sleep(ctx.aws.pollIntervalMs, ctx.signal);
          let inv;
          try {
            inv = await client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }), { abortSignal: ctx.signal });
          } catch (err) {
            // Right after SendCommand the invocation may not exist yet.
            if ((err as { name?: string }).name === 'InvocationDoesNotExist') continue;
            throw err;
          }
          const status = inv.StatusDetails ?? inv.Status ?? 'Unknown';
          if (TERMINAL.has(status) || TERMINAL.has(inv.Status ?? '')) {
            results.push({ instanceId, status, code: inv.ResponseCode ?? -1, stdout: inv.StandardOutputContent ?? '', stderr: inv.StandardErrorContent ?? '' });
            break;
          }
        }
      }
      const failed = results.filter((r) => r.status !== 'Success');
      const single = results.length === 1 ? results[0]! : undefined;
      const output = single !== undefined ? single.stdout + single.stderr : results.map((r) => `=== ${r.instanceId} (${r.status}, exit ${r.code}) ===\n${r.stdout}${r.stderr}`).join('\n');
      return {
        status: failed.length === 0 ? 'succeeded' : 'failed',
        exitCode: failed.length === 0 ? 0 : failed[0]!.code,
        output,
        data: { commandId, invocations: results.map((r) => ({ instanceId: r.instanceId, status: r.status, responseCode: r.code })) },
      };
    } finally {
      client.destroy();
    }
  },
});
