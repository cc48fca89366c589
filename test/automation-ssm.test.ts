import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/process.js';
import { startTestServer, type TestServer } from './support/server.js';

// AWS Systems Manager as the SDK v3 calls it: a local server that recomputes each request's
// SigV4 signature with the test credentials and answers with the documented JSON shapes.
const AKID = 'AKIDEXAMPLETEST12345';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const REGION = 'eu-west-1';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const hmac = (k: string | Buffer, s: string) => createHmac('sha256', k).update(s).digest();

function checkSigV4(req: IncomingMessage, body: string): string | undefined {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (m === null) return `bad Authorization header: ${auth}`;
  const [, akid, date, region, service, signedHeaders, signature] = m as unknown as string[];
  if (akid !== AKID || region !== REGION || service !== 'ssm') return `bad credential scope ${akid}/${region}/${service}`;
  const amzDate = String(req.headers['x-amz-date']);
  if (!amzDate.startsWith(date!)) return 'x-amz-date does not match the scope date';
  const names = signedHeaders!.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-target']) if (!names.includes(required)) return `${required} is not signed`;
  const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256(body)].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/${service}/aws4_request`, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, date!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex') === signature ? undefined : 'signature does not verify';
}

describe('SSM actions against a local AWS endpoint', () => {
  let aws: Server;
  let ts: TestServer;
  const calls: Array<{ target: string; body: Record<string, unknown> }> = [];
  const problems: string[] = [];
  let polls = 0;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  beforeAll(async () => {
    aws = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target']);
        const problem = checkSigV4(req, body);
        if (problem !== undefined) problems.push(`${target}: ${problem}`);
        if (req.headers['content-type'] !== 'application/x-amz-json-1.1') problems.push(`${target}: content-type ${req.headers['content-type']}`);
        const parsed = JSON.parse(body) as Record<string, unknown>;
        calls.push({ target, body: parsed });
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        if (target === 'AmazonSSM.SendCommand') {
          return void res.end(JSON.stringify({ Command: { CommandId: 'cmd-0123456789abcdef', DocumentName: parsed.DocumentName, InstanceIds: parsed.InstanceIds, Status: 'Pending', Parameters: parsed.Parameters } }));
        }
        if (target === 'AmazonSSM.GetCommandInvocation') {
          polls++;
          if (polls === 1) {
            res.statusCode = 400;
            return void res.end(JSON.stringify({ __type: 'InvocationDoesNotExist', message: 'not yet' }));
          }
          const done = polls >= 3;
          return void res.end(JSON.stringify({ CommandId: parsed.CommandId, InstanceId: parsed.InstanceId, DocumentName: 'AWS-RunShellScript', Status: done ? 'Success' : 'InProgress', StatusDetails: done ? 'Success' : 'InProgress', ResponseCode: done ? 0 : -1, StandardOutputContent: done ? 'Filesystem 85% /var\n' : '', StandardErrorContent: '' }));
        }
        if (target === 'AmazonSSM.StartAutomationExecution') return void res.end(JSON.stringify({ AutomationExecutionId: '4105a4fc-f944-11e6-9d32-0123456789ab' }));
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'InvalidAction', message: target }));
      });
    });
    await new Promise<void>((r) => aws.listen(0, '127.0.0.1', r));
    process.env.AWS_ACCESS_KEY_ID = AKID;
    process.env.AWS_SECRET_ACCESS_KEY = SECRET;
    ts = await startTestServer({ config: { automation: { aws_endpoint: `http://127.0.0.1:${(aws.address() as AddressInfo).port}`, aws_region: REGION, ssm_poll_interval: '50ms' } } });
  });

  afterAll(async () => {
    await ts.stop();
    aws.close();
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  });

  it('SendCommand, polls GetCommandInvocation to the end, then starts an Automation; every call SigV4-signed', async () => {
    const put = await ts.fetch('/api/ichigen/v1/runbooks/ssm-disk', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        params: [{ name: 'instance', type: 'string', pattern: 'i-[0-9a-f]+' }],
        steps: [
          { name: 'df', action: 'aws.ssm.send_command', with: { instanceIds: ['{{params.instance}}'], parameters: { commands: ['df -h /var'] } } },
          { name: 'remediate', action: 'aws.ssm.start_automation', when: { previous: 'succeeded', outputMatches: '8\\d%' }, with: { documentName: 'AWS-RestartEC2Instance', parameters: { InstanceId: ['{{params.instance}}'] } } },
        ],
      }),
    });
    expect(put.status, await put.clone().text()).toBe(201);
    const r = await ts.fetch('/api/ichigen/v1/runbooks/ssm-disk/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ params: { instance: 'i-0abcdef1234567890' } }) });
    const id = ((await r.json()) as { data: { id: string } }).data.id;
    const run = await waitFor(async () => {
      const d = ((await (await ts.fetch(`/api/ichigen/v1/runs/${id}`)).json()) as { data: { status: string; steps: Array<{ status: string; exitCode: number | null; output: string; result: Record<string, unknown> }> } }).data;
      return d.status === 'running' ? undefined : d;
    }, 'the SSM run');
    expect(problems).toEqual([]);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]).toMatchObject({ status: 'succeeded', exitCode: 0, output: 'Filesystem 85% /var\n', result: { commandId: 'cmd-0123456789abcdef' } });
    expect(run.steps[1]!.result).toMatchObject({ automationExecutionId: '4105a4fc-f944-11e6-9d32-0123456789ab' });
    expect(calls.map((c) => c.target)).toEqual(['AmazonSSM.SendCommand', 'AmazonSSM.GetCommandInvocation', 'AmazonSSM.GetCommandInvocation', 'AmazonSSM.GetCommandInvocation', 'AmazonSSM.StartAutomationExecution']);
    expect(calls[0]!.body).toMatchObject({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0abcdef1234567890'], Parameters: { commands: ['df -h /var'] } });
    expect(calls[1]!.body).toEqual({ CommandId: 'cmd-0123456789abcdef', InstanceId: 'i-0abcdef1234567890' });
    expect(calls[4]!.body).toEqual({ DocumentName: 'AWS-RestartEC2Instance', Parameters: { InstanceId: ['i-0abcdef1234567890'] } });
  });
});
