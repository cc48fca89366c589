import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { postSns, startSnsPeer, type SnsPeer } from './support/sns.js';

// Amazon SNS → alert groups: CloudWatch alarm notifications signed by a certificate of our own
// test CA, served by a local stand-in for sns.<region>.amazonaws.com.
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:cloudwatch-alarms';

/** The JSON a CloudWatch alarm action publishes (AWS' documented field set). */
function alarm(name: string, state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA', region = 'eu-west-1', old = 'OK'): string {
  return JSON.stringify({
    AlarmName: name,
    AlarmDescription: `${name} on the web tier`,
    AWSAccountId: '123456789012',
    AlarmConfigurationUpdatedTimestamp: '2026-12-01T10:00:00.000+0000',
    NewStateValue: state,
    NewStateReason: `Threshold Crossed: 1 datapoint [91.2 (07/12/26 10:00:00)] was ${state === 'OK' ? 'not ' : ''}greater than the threshold (80.0).`,
    StateChangeTime: new Date(Date.now() - 1000).toISOString().replace('Z', '+0000'),
    Region: 'EU (Ireland)',
    AlarmArn: `arn:aws:cloudwatch:${region}:123456789012:alarm:${name}`,
    OldStateValue: old,
    OKActions: [],
    AlarmActions: [TOPIC],
    InsufficientDataActions: [],
    Trigger: {
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/EC2',
      StatisticType: 'Statistic',
      Statistic: 'AVERAGE',
      Unit: null,
      Dimensions: [{ value: 'web-asg', name: 'AutoScalingGroupName' }],
      Period: 300,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 80.0,
      TreatMissingData: 'missing',
      EvaluateLowSampleCountPercentile: '',
    },
  });
}

interface Group {
  id: string;
  title: string;
  status: string;
  groupLabels: Record<string, string>;
}

describe('Amazon SNS integration', () => {
  let ts: TestServer;
  let sns: SnsPeer;
  let hookUrl: string;
  let integrationId: string;

  beforeAll(async () => {
    sns = await startSnsPeer(TOPIC);
    ts = await startTestServer({ config: { events: { sns_cert_url_prefixes: [`${sns.url}/`], sns_ca_file: sns.caFile } } });
    const r = await ts.fetch('/api/ichigen/v1/integrations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'aws', kind: 'sns', settings: { allowedTopics: [TOPIC] } }) });
    expect(r.status, await r.clone().text()).toBe(201);
    const i = ((await r.json()) as { data: { id: string; token: string } }).data;
    integrationId = i.id;
    // The SNS subscription endpoint carries the token in the URL (SNS cannot set headers).
    hookUrl = `${ts.url}/api/ichigen/v1/integrations/${i.id}/webhook?token=${i.token}`;
  });
  afterAll(async () => {
    await ts?.stop();
    await sns?.stop();
  });

  const groups = async (status = 'open'): Promise<Group[]> => ((await (await ts.fetch(`/api/ichigen/v1/alert-groups?status=${status}&integration=${integrationId}`)).json()) as { data: Group[] }).data;
  const allGroups = async (): Promise<Group[]> => ((await (await ts.fetch(`/api/ichigen/v1/alert-groups?integration=${integrationId}&limit=1000`)).json()) as { data: Group[] }).data;
  const send = async (m: unknown, status = 202): Promise<void> => {
    const r = await postSns(hookUrl, m);
    expect(r.status, await r.clone().text()).toBe(status);
  };

  it('needs an allowed topic list', async () => {
    const r = await ts.fetch('/api/ichigen/v1/integrations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'no-topics', kind: 'sns' }) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/allowedTopics/);
  });

  it('confirms the subscription, then turns CloudWatch ALARM/OK into firing/resolved groups, one per alarm', async () => {
    await send(sns.message('SubscriptionConfirmation', { Message: 'You have chosen to subscribe to the topic', Token: 'tok-1', SubscribeURL: `${sns.url}/confirm?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=tok-1` }), 200);
    expect(sns.confirmations).toEqual([`/confirm?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=tok-1`]);
    expect(await allGroups()).toEqual([]);

    // Signature version 1 and 2; the same alarm name in two regions makes two groups.
    await send(sns.message('Notification', { Subject: 'ALARM: "HighCPU" in EU (Ireland)', Message: alarm('HighCPU', 'ALARM') }, { version: '1' }));
    await send(sns.message('Notification', { Subject: 'ALARM: "HighCPU" in US East (N. Virginia)', Message: alarm('HighCPU', 'ALARM', 'us-east-1') }, { version: '2' }));
    // A repeated ALARM (e.g. SNS redelivery) joins the existing group.
    await send(sns.message('Notification', { Subject: 'ALARM: "HighCPU" in EU (Ireland)', Message: alarm('HighCPU', 'ALARM') }));
    const open = await groups();
    expect(open.map((g) => g.title).sort()).toEqual(['HighCPU: HighCPU on the web tier', 'HighCPU: HighCPU on the web tier']);
    expect(open.map((g) => g.groupLabels.alarm_arn).sort()).toEqual(['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:HighCPU', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:HighCPU']);
    const eu = open.find((g) => g.groupLabels.alarm_arn!.includes('eu-west-1'))!;
    const detail = ((await (await ts.fetch(`/api/ichigen/v1/alert-groups/${eu.id}`)).json()) as { data: { alerts: { labels: Record<string, string>; annotations: Record<string, string>; generatorURL: string }[] } }).data;
    expect(detail.alerts).toHaveLength(1);
    expect(detail.alerts[0]!.labels).toEqual({ alertname: 'HighCPU', alarm_arn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:HighCPU', account: '123456789012', region: 'eu-west-1', namespace: 'AWS/EC2', metric_name: 'CPUUtilization', AutoScalingGroupName: 'web-asg' });
    expect(detail.alerts[0]!.annotations).toMatchObject({ state: 'ALARM', previous_state: 'OK', summary: 'HighCPU on the web tier' });
    expect(detail.alerts[0]!.annotations.description).toMatch(/^Threshold Crossed/);

    // OK resolves only the alarm it names.
    await send(sns.message('Notification', { Subject: 'OK: "HighCPU" in EU (Ireland)', Message: alarm('HighCPU', 'OK', 'eu-west-1', 'ALARM') }));
    expect((await groups()).map((g) => g.groupLabels.alarm_arn)).toEqual(['arn:aws:cloudwatch:us-east-1:123456789012:alarm:HighCPU']);
    expect(((await (await ts.fetch(`/api/ichigen/v1/alert-groups/${eu.id}`)).json()) as { data: Group }).data.status).toBe('resolved');

    // The EventBridge form of the same change (an EventBridge rule targeting the topic).
    const event = {
      version: '0', id: 'e-1', 'detail-type': 'CloudWatch Alarm State Change', source: 'aws.cloudwatch', account: '123456789012', time: new Date().toISOString(), region: 'us-east-1',
      resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:HighCPU'],
      detail: { alarmName: 'HighCPU', state: { value: 'OK', reason: 'back to normal', timestamp: new Date().toISOString() }, previousState: { value: 'ALARM' }, configuration: { description: 'HighCPU on the web tier', metrics: [{ id: 'm1', metricStat: { metric: { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'web-asg' } }, period: 300, stat: 'Average' }, returnData: true }] } },
    };
    await send(sns.message('Notification', { Message: JSON.stringify(event) }));
    expect(await groups()).toEqual([]);

    // Any other message: an alert named after its Subject.
    await send(sns.message('Notification', { Subject: 'AWS Budgets: monthly budget exceeded', Message: 'You have exceeded 100% of your budget.' }));
    expect((await groups()).map((g) => g.title)).toEqual(['AWS Budgets: monthly budget exceeded']);
  });

  it('refuses tampered, foreign-CA, unsigned and wrong-topic messages with 403 and creates nothing', async () => {
    const before = (await allGroups()).length;
    const timelines = await Promise.all((await allGroups()).map(async (g) => ((await (await ts.fetch(`/api/ichigen/v1/alert-groups/${g.id}/timeline`)).json()) as { data: unknown[] }).data.length));
    const good = sns.message('Notification', { Subject: 'ALARM: "DiskFull"', Message: alarm('DiskFull', 'ALARM') });
    const cases: Array<[string, unknown]> = [
      ['tampered message', { ...good, Message: alarm('Mallory', 'ALARM') }],
      ['tampered subject', { ...good, Subject: 'something else' }],
      ['bad signature', { ...good, Signature: Buffer.from('nope').toString('base64') }],
      ['foreign CA', sns.message('Notification', { Message: alarm('DiskFull', 'ALARM') }, { cert: 'rogue.pem', key: sns.rogue })],
      ['certificate URL not on an SNS host', { ...good, SigningCertURL: 'https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem' }],
      ['plain http amazonaws', { ...good, SigningCertURL: 'http://sns.eu-west-1.amazonaws.com/cert.pem' }],
      ['unknown signature version', { ...good, SignatureVersion: '3' }],
      ['topic not allowed', sns.message('Notification', { Message: alarm('DiskFull', 'ALARM') }, { topic: 'arn:aws:sns:eu-west-1:123456789012:other' })],
      ['subscription to a foreign URL', sns.message('SubscriptionConfirmation', { Message: 'x', Token: 't', SubscribeURL: 'https://evil.example/confirm' })],
    ];
    for (const [name, m] of cases) {
      const r = await postSns(hookUrl, m);
      expect(r.status, name).toBe(403);
    }
    const noToken = await postSns(hookUrl.replace(/\?token=.*/, ''), good);
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toBe('Basic realm="ichigen"');
    expect((await postSns(hookUrl, { Type: 'Notification' })).status).toBe(400);
    expect(sns.confirmations).toHaveLength(1);
    const after = await allGroups();
    expect(after.length).toBe(before);
    const timelinesAfter = await Promise.all(after.map(async (g) => ((await (await ts.fetch(`/api/ichigen/v1/alert-groups/${g.id}/timeline`)).json()) as { data: unknown[] }).data.length));
    expect(timelinesAfter).toEqual(timelines);
    // The untouched message still verifies.
    await send(good);
    expect((await groups()).map((g) => g.title)).toContain('DiskFull: DiskFull on the web tier');
  });
});
