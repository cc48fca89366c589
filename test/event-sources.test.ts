import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { postSns, startSnsPeer, type SnsPeer } from './support/sns.js';

// SNS and EventBridge API destinations as AWS sends them: messages signed with a certificate
// issued by our own CA, served by a local HTTP server standing in for sns.<region>.amazonaws.com.
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-events';

describe('external event sources', () => {
  let ts: TestServer;
  let sns: SnsPeer;
  let awsUrl: string;

  beforeAll(async () => {
    sns = await startSnsPeer(TOPIC);
    awsUrl = sns.url;
    ts = await startTestServer({ config: { events: { sns_cert_url_prefixes: [`${awsUrl}/`], sns_ca_file: sns.caFile } } });
  });

  afterAll(async () => {
    await ts.stop();
    await sns.stop();
  });

  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const createSource = async (body: Record<string, unknown>) => {
    const r = await ts.fetch('/api/ichigen/v1/event-sources', json(body));
    expect(r.status, await r.clone().text()).toBe(201);
    return ((await r.json()) as { data: Record<string, string> }).data;
  };
  const events = async (q: string) =>
    ((await (await ts.fetch(`/api/ichigen/v1/events?${q}`)).json()) as { data: { events: Array<Record<string, unknown> & { detail: Record<string, unknown> }> } }).data.events;

  const snsMessage = (type: string, fields: Record<string, string>, opts: Parameters<SnsPeer['message']>[2] = {}) => sns.message(type, fields, opts);

  it('confirms an SNS subscription and maps AWS service notifications to events (signature v1 and v2)', async () => {
    const src = await createSource({ name: 'aws-ops', kind: 'sns', auth: 'none', allowedTopics: [TOPIC] });
    const confirm = snsMessage('SubscriptionConfirmation', { Message: 'You have chosen to subscribe', Token: 'tok123', SubscribeURL: `${awsUrl}/confirm?Action=ConfirmSubscription&Token=tok123` });
    expect((await postSns(src.url!, confirm)).status).toBe(200);
    expect(sns.confirmations).toEqual(['/confirm?Action=ConfirmSubscription&Token=tok123']);

    const asg = { Progress: 50, AccountId: '123456789012', Description: 'Launching a new EC2 instance: i-0abc', Event: 'autoscaling:EC2_INSTANCE_LAUNCH', AutoScalingGroupName: 'web', AutoScalingGroupARN: 'arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:1:autoScalingGroupName/web', EC2InstanceId: 'i-0abc', StatusCode: 'InProgress', Cause: 'scale out' };
    const guru = { AccountId: '123456789012', Region: 'eu-west-1', MessageType: 'NEW_INSIGHT', InsightId: 'ADfw', InsightType: 'REACTIVE', InsightSeverity: 'high', InsightDescription: 'Latency anomaly' };
    const hub = { version: '0', id: 'sh-evt-1', 'detail-type': 'Security Hub Findings - Imported', source: 'aws.securityhub', account: '123456789012', time: '2026-11-25T00:00:00Z', region: 'eu-west-1', resources: ['arn:aws:securityhub:finding/1'], detail: { findings: [{ Severity: { Label: 'CRITICAL' }, Title: 'S3 bucket public' }] } };
    const pipeline = { account: '123456789012', detailType: 'CodePipeline Pipeline Execution State Change', region: 'eu-west-1', source: 'aws.codepipeline', time: '2026-11-25T00:01:00Z', notificationRuleArn: 'arn:aws:codestar-notifications:x', detail: { pipeline: 'deploy', state: 'FAILED' }, resources: ['arn:aws:codepipeline:eu-west-1:123456789012:deploy'] };
    const messages = [
      snsMessage('Notification', { Subject: 'Auto Scaling: launch for group "web"', Message: JSON.stringify(asg) }, { version: '1' }),
      snsMessage('Notification', { Message: JSON.stringify(guru) }),
      snsMessage('Notification', { Message: JSON.stringify(hub) }),
      snsMessage('Notification', { Message: JSON.stringify(pipeline) }, { version: '1' }),
    ];
    const backup = snsMessage('Notification', { Subject: 'Notification from AWS Backup', Message: 'An AWS Backup job was completed unsuccessfully. Backup job ID: 1111' });
    (backup as Record<string, unknown>).MessageAttributes = { EventType: { Type: 'String', Value: 'BACKUP_JOB' }, State: { Type: 'String', Value: 'FAILED' }, Id: { Type: 'String', Value: '1111' } };
    messages.push(backup);
    for (const m of messages) {
      const r = await postSns(src.url!, m);
      expect(r.status, await r.clone().text()).toBe(200);
    }
    const [b, cp, sh, dg, as] = await events('limit=5');
    expect(as).toMatchObject({ source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', account: '123456789012', region: 'eu-west-1' });
    expect(as!.resources).toContain('arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc');
    expect(dg).toMatchObject({ source: 'aws.devops-guru', 'detail-type': 'DevOps Guru New Insight Open', detail: { InsightSeverity: 'high' } });
    expect(sh).toMatchObject({ id: 'sh-evt-1', source: 'aws.securityhub', 'detail-type': 'Security Hub Findings - Imported', time: '2026-11-25T00:00:00Z' });
    expect(cp).toMatchObject({ source: 'aws.codepipeline', 'detail-type': 'CodePipeline Pipeline Execution State Change', detail: { state: 'FAILED' } });
    expect(b).toMatchObject({ source: 'aws.backup', 'detail-type': 'Backup Job State Change', detail: { state: 'FAILED', jobId: '1111' } });

    // A redelivery (same MessageId) is stored once.
    const again = await postSns(src.url!, messages[0]);
    expect(((await again.json()) as { data: { stored: boolean } }).data.stored).toBe(false);
    // EventBridge patterns match the mapped events.
    const p = encodeURIComponent(JSON.stringify({ source: ['aws.securityhub'], detail: { findings: { Severity: { Label: ['CRITICAL', 'HIGH'] } } } }));
    expect(await events(`pattern=${p}`)).toHaveLength(1);
  });

  it('refuses tampered, unsigned, foreign-CA, untrusted-URL and wrong-topic messages with 403 and stores nothing', async () => {
    const src = await createSource({ name: 'strict', kind: 'sns', auth: 'none', allowedTopics: [TOPIC] });
    const before = (await events('limit=1000')).length;
    const good = snsMessage('Notification', { Message: '{"hello":"world"}' });
    const tampered = { ...good, Message: '{"hello":"mallory"}' };
    const cases: Array<[string, unknown]> = [
      ['tampered', tampered],
      ['bad signature', { ...good, Signature: Buffer.from('nope').toString('base64') }],
      ['foreign CA', snsMessage('Notification', { Message: 'x' }, { cert: 'rogue.pem', key: sns.rogue })],
      ['untrusted cert URL', { ...good, SigningCertURL: 'https://evil.example.com/cert.pem' }],
      ['unknown signature version', { ...good, SignatureVersion: '3' }],
      ['wrong topic', snsMessage('Notification', { Message: 'x' }, { topic: 'arn:aws:sns:eu-west-1:123456789012:other' })],
    ];
    for (const [name, m] of cases) {
      const r = await postSns(src.url!, m);
      expect(r.status, name).toBe(403);
    }
    expect((await postSns(src.url!, { Type: 'Notification' })).status).toBe(400);
    expect((await events('limit=1000')).length).toBe(before);
    expect((await postSns(src.url!, good)).status).toBe(200);
  });

  it('accepts EventBridge API destination calls with API key, Basic and OAuth client credentials', async () => {
    const event = { version: '0', id: 'eb-1', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', account: '123456789012', time: '2026-11-25T01:00:00Z', region: 'eu-west-1', resources: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-1'], detail: { state: 'stopped' } };
    const key = await createSource({ name: 'eb-key', kind: 'eventbridge', auth: 'api_key', apiKeyHeader: 'X-Ichigen-Key' });
    expect(key.secret).toMatch(/^ies_/);
    const send = (url: string, headers: Record<string, string>, body: unknown = event) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    expect((await send(key.url!, { 'x-ichigen-key': 'wrong' })).status).toBe(401);
    expect((await send(key.url!, {})).status).toBe(401);
    expect((await send(key.url!, { 'x-ichigen-key': key.secret! })).status).toBe(200);

    const basic = await createSource({ name: 'eb-basic', kind: 'eventbridge', auth: 'basic' });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect((await send(basic.url!, { authorization: `Basic ${b64(`eb-basic:wrong`)}` })).status).toBe(401);
    expect((await send(basic.url!, { authorization: `Basic ${b64(`eb-basic:${basic.secret}`)}` }, { any: 'transformed input' })).status).toBe(200);

    const oauth = await createSource({ name: 'eb-oauth', kind: 'eventbridge', auth: 'oauth' });
    // As an OAUTH_CLIENT_CREDENTIALS connection: client id/secret as Basic, grant_type in the body.
    const tokenReq = (id: string, secret: string) =>
      fetch(oauth.authorizationEndpoint!, { method: 'POST', headers: { authorization: `Basic ${b64(`${id}:${secret}`)}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    expect((await tokenReq(oauth.clientId!, 'wrong')).status).toBe(401);
    const tr = await tokenReq(oauth.clientId!, oauth.secret!);
    expect(tr.status).toBe(200);
    const tok = (await tr.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(tok.token_type).toBe('Bearer');
    expect(tok.expires_in).toBeGreaterThan(60);
    expect((await send(oauth.url!, { authorization: `Bearer ${tok.access_token}x` })).status).toBe(401);
    // A token of one source does not open another.
    expect((await send(key.url!, { authorization: `Bearer ${tok.access_token}` })).status).toBe(401);
    const ok = await send(oauth.url!, { authorization: `Bearer ${tok.access_token}` }, { ...event, id: 'eb-2' });
    expect(ok.status).toBe(200);

    const got = await events('source=aws.ec2');
    expect(got.map((e) => e.id).sort()).toEqual(['eb-1', 'eb-2']);
    expect(got[0]).toMatchObject({ account: '123456789012', region: 'eu-west-1', detail: { state: 'stopped' } });
    expect(await events('source=eventbridge.eb-basic')).toHaveLength(1);

    const list = ((await (await ts.fetch('/api/ichigen/v1/event-sources')).json()) as { data: Array<Record<string, unknown>> }).data;
    expect(list.map((s) => s.name)).toEqual(['aws-ops', 'eb-basic', 'eb-key', 'eb-oauth', 'strict']);
    expect(JSON.stringify(list)).not.toContain(key.secret);
    expect((await ts.fetch(`/api/ichigen/v1/event-sources/${key.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await send(key.url!, { 'x-ichigen-key': key.secret! })).status).toBe(401);
    const bad = await ts.fetch('/api/ichigen/v1/event-sources', json({ name: 'x', kind: 'sns', auth: 'none' }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/allowedTopics/);
  });
});
