import type { SnsMessage } from '../events/index.js';
import type { IncomingAlert } from './grouping.js';
import type { LabelRecord } from './json.js';
import { WEBHOOK_FIRING_MS } from './webhook-formats.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const labelName = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');

/** The region of an ARN (`arn:aws:cloudwatch:eu-west-1:…`): CloudWatch's own `Region` field is a display name. */
const regionOf = (arn: string): string => arn.split(':')[3] ?? '';

function consoleUrl(region: string, alarmName: string): string {
  if (region === '') return '';
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/** CloudWatch's timestamps end in `+0000`; Date.parse reads that, and anything unparsable is "now". */
function time(v: unknown): number | undefined {
  const t = Date.parse(str(v));
  return Number.isNaN(t) ? undefined : t;
}

interface AlarmChange {
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly state: string;
  readonly previous: string;
  readonly reason: string;
  readonly description: string;
  readonly changedAt: number | undefined;
  readonly extraLabels: LabelRecord;
}

/** The JSON a CloudWatch alarm action publishes to SNS. */
function fromAlarmJson(j: Json): AlarmChange | undefined {
  const name = str(j.AlarmName);
  const state = str(j.NewStateValue);
  if (name === '' || state === '') return undefined;
  const arn = str(j.AlarmArn);
  const extraLabels: LabelRecord = {};
  const trigger = isObject(j.Trigger) ? j.Trigger : {};
  if (str(trigger.Namespace) !== '') extraLabels.namespace = str(trigger.Namespace);
  if (str(trigger.MetricName) !== '') extraLabels.metric_name = str(trigger.MetricName);
  for (const d of Array.isArray(trigger.Dimensions) ? trigger.Dimensions : []) {
    if (!isObject(d)) continue;
    const n = labelName(str(d.name ?? d.Name));
    const v = str(d.value ?? d.Value);
    if (n !== '' && v !== '' && !(n in extraLabels)) extraLabels[n] = v;
  }
  return {
    name,
    arn,
    account: str(j.AWSAccountId),
    region: regionOf(arn),
    state,
    previous: str(j.OldStateValue),
    reason: str(j.NewStateReason),
    description: str(j.AlarmDescription),
    changedAt: time(j.StateChangeTime),
    extraLabels,
  };
}

/** The EventBridge "CloudWatch Alarm State Change" event, when an EventBridge rule targets the topic. */
function fromAlarmEvent(j: Json): AlarmChange | undefined {
  if (j.source !== 'aws.cloudwatch' || j['detail-type'] !== 'CloudWatch Alarm State Change' || !isObject(j.detail)) return undefined;
  const d = j.detail;
  const st = isObject(d.state) ? d.state : {};
  const prev = isObject(d.previousState) ? d.previousState : {};
  const conf = isObject(d.configuration) ? d.configuration : {};
  const name = str(d.alarmName);
  const state = str(st.value);
  if (name === '' || state === '') return undefined;
  const arn = Array.isArray(j.resources) ? str(j.resources[0]) : '';
  // A single-metric alarm names its metric like the alarm action's Trigger does, so both forms give one alert.
  const extraLabels: LabelRecord = {};
  const metrics = Array.isArray(conf.metrics) ? conf.metrics.filter(isObject) : [];
  const stat = metrics.length === 1 && isObject(metrics[0]!.metricStat) ? metrics[0]!.metricStat : {};
  const metric = isObject(stat.metric) ? stat.metric : {};
  if (str(metric.namespace) !== '') extraLabels.namespace = str(metric.namespace);
  if (str(metric.name) !== '') extraLabels.metric_name = str(metric.name);
  if (isObject(metric.dimensions)) {
    for (const [k, v] of Object.entries(metric.dimensions)) {
      const n = labelName(k);
      if (n !== '' && str(v) !== '' && !(n in extraLabels)) extraLabels[n] = str(v);
    }
  }
  return {
    name,
    arn,
    account: str(j.account),
    region: str(j.region) || regionOf(arn),
    state,
    previous: str(prev.value),
    reason: str(st.reason),
    description: str(conf.description),
    changedAt: time(st.timestamp),
    extraLabels,
  };
}

/**
 * A verified SNS notification as alerts. CloudWatch alarms (the alarm action's JSON or the
 * EventBridge state-change event) are one alert per alarm: ALARM and INSUFFICIENT_DATA fire
 * it, OK resolves it; the state is an annotation so the alert keeps one identity. Any other
 * message fires an alert named after its Subject that resolves after the resolve timeout
 * unless sent again.
 */
export function fromSnsNotification(m: SnsMessage, now: number): IncomingAlert[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(m.Message);
  } catch {
    parsed = undefined;
  }
  const alarm = isObject(parsed) ? (fromAlarmJson(parsed) ?? fromAlarmEvent(parsed)) : undefined;
  if (alarm === undefined) {
    return [
      {
        labels: { alertname: (m.Subject ?? '').trim() || 'SNS notification', topic_arn: m.TopicArn },
        annotations: { summary: (m.Subject ?? '').slice(0, 500), description: m.Message.slice(0, 4000), message_id: m.MessageId },
        payload: parsed ?? { Message: m.Message },
      },
    ];
  }
  const labels: LabelRecord = { ...alarm.extraLabels, alertname: alarm.name };
  if (alarm.arn !== '') labels.alarm_arn = alarm.arn;
  if (alarm.account !== '') labels.account = alarm.account;
  if (alarm.region !== '') labels.region = alarm.region;
  const annotations: LabelRecord = { state: alarm.state };
  if (alarm.description !== '') annotations.summary = alarm.description;
  if (alarm.reason !== '') annotations.description = alarm.reason;
  if (alarm.previous !== '') annotations.previous_state = alarm.previous;
  const resolved = alarm.state === 'OK';
  const url = consoleUrl(alarm.region, alarm.name);
  return [
    {
      labels,
      annotations,
      ...(resolved || alarm.changedAt === undefined ? {} : { startsAt: Math.min(alarm.changedAt, now) }),
      endsAt: resolved ? now : now + WEBHOOK_FIRING_MS,
      ...(url === '' ? {} : { generatorURL: url }),
      payload: parsed,
    },
  ];
}
