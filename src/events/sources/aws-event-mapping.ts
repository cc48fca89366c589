import type { EventInput } from '../event-bus.js';
import type { SnsMessage } from './sns-signature.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * An EventBridge event (as an API destination or an SNS target of a rule delivers it), or
 * the same shape with `detailType` as AWS CodeStar notifications (CodePipeline) write it.
 */
export function fromEventBridgeEnvelope(body: Json): EventInput | undefined {
  const source = str(body.source);
  const detailType = str(body['detail-type']) ?? str(body.detailType);
  if (source === undefined || detailType === undefined || source === '' || detailType === '') return undefined;
  const time = str(body.time) === undefined ? undefined : Date.parse(String(body.time));
  const resources = Array.isArray(body.resources) ? body.resources.filter((r): r is string => typeof r === 'string') : [];
  const id = str(body.id);
  const account = str(body.account);
  const region = str(body.region);
  return {
    source,
    detailType,
    resources,
    detail: isObject(body.detail) ? body.detail : {},
    ...(id !== undefined && id !== '' ? { id } : {}),
    ...(time !== undefined && !Number.isNaN(time) ? { time } : {}),
    ...(account !== undefined ? { account } : {}),
    ...(region !== undefined ? { region } : {}),
  };
}

const AUTOSCALING_TYPES: Record<string, string> = {
  'autoscaling:EC2_INSTANCE_LAUNCH': 'EC2 Instance Launch Successful',
  'autoscaling:EC2_INSTANCE_LAUNCH_ERROR': 'EC2 Instance Launch Unsuccessful',
  'autoscaling:EC2_INSTANCE_TERMINATE': 'EC2 Instance Terminate Successful',
  'autoscaling:EC2_INSTANCE_TERMINATE_ERROR': 'EC2 Instance Terminate Unsuccessful',
  'autoscaling:TEST_NOTIFICATION': 'EC2 Auto Scaling Test Notification',
};

const DEVOPS_GURU_TYPES: Record<string, string> = {
  NEW_INSIGHT: 'DevOps Guru New Insight Open',
  CLOSED_INSIGHT: 'DevOps Guru Insight Closed',
  NEW_ASSOCIATION: 'DevOps Guru New Anomaly Association',
  SEVERITY_UPGRADED: 'DevOps Guru Insight Severity Upgraded',
  NEW_RECOMMENDATION: 'DevOps Guru New Recommendation Created',
};

const BACKUP_TYPES: Record<string, string> = {
  BACKUP_JOB: 'Backup Job State Change',
  RESTORE_JOB: 'Restore Job State Change',
  COPY_JOB: 'Copy Job State Change',
  RECOVERY_POINT_MODIFIED: 'Recovery Point State Change',
  BACKUP_PLAN_CREATED: 'Backup Plan State Change',
  BACKUP_PLAN_MODIFIED: 'Backup Plan State Change',
};

function attributes(m: SnsMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) if (isObject(v) && typeof v.Value === 'string') out[k] = v.Value;
  return out;
}

function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length > 4 && parts[3] !== '' ? parts[3] : undefined;
}

function accountOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length > 4 && parts[4] !== '' ? parts[4] : undefined;
}

/**
 * Turns an SNS notification into an event: EventBridge events forwarded to SNS (Security
 * Hub findings, CodePipeline state changes, any rule) keep their own shape; the services
 * that publish their own SNS formats (EC2 Auto Scaling, DevOps Guru, AWS Backup, CloudWatch
 * alarms) get the EventBridge source and detail-type of the same occurrence; anything else
 * becomes an `aws.sns` "SNS Notification".
 */
export function mapSnsNotification(m: SnsMessage): EventInput {
  let body: unknown;
  try {
    body = JSON.parse(m.Message);
  } catch {
    body = undefined;
  }
  const region = regionOfArn(m.TopicArn);
  const account = accountOfArn(m.TopicArn);
  const where = { ...(region !== undefined ? { region } : {}), ...(account !== undefined ? { account } : {}) };
  const attrs = attributes(m);
  if (isObject(body)) {
    const envelope = fromEventBridgeEnvelope(body);
    if (envelope !== undefined) return { ...where, ...envelope, id: envelope.id ?? m.MessageId };
    const asEvent = str(body.Event);
    if (asEvent !== undefined && asEvent.startsWith('autoscaling:')) {
      const arn = str(body.AutoScalingGroupARN);
      return {
        ...where,
        id: m.MessageId,
        source: 'aws.autoscaling',
        detailType: AUTOSCALING_TYPES[asEvent] ?? `EC2 Auto Scaling ${asEvent.slice('autoscaling:'.length)}`,
        resources: [arn, str(body.EC2InstanceId) === undefined ? undefined : `arn:aws:ec2:${region ?? ''}:${account ?? ''}:instance/${String(body.EC2InstanceId)}`].filter((x): x is string => x !== undefined),
        detail: body,
        ...(str(body.AccountId) !== undefined ? { account: String(body.AccountId) } : {}),
      };
    }
    const guruType = str(body.MessageType);
    if (guruType !== undefined && (str(body.InsightId) !== undefined || DEVOPS_GURU_TYPES[guruType] !== undefined)) {
      return {
        ...where,
        id: m.MessageId,
        source: 'aws.devops-guru',
        detailType: DEVOPS_GURU_TYPES[guruType] ?? `DevOps Guru ${guruType}`,
        resources: [],
        detail: body,
        ...(str(body.AccountId) !== undefined ? { account: String(body.AccountId) } : {}),
        ...(str(body.Region) !== undefined ? { region: String(body.Region) } : {}),
      };
    }
    if (str(body.AlarmName) !== undefined && str(body.NewStateValue) !== undefined) {
      return { ...where, id: m.MessageId, source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', resources: str(body.AlarmArn) === undefined ? [] : [String(body.AlarmArn)], detail: body };
    }
  }
  const backupType = attrs.EventType;
  if (backupType !== undefined && ((m.Subject ?? '').includes('AWS Backup') || m.Message.includes('AWS Backup') || BACKUP_TYPES[backupType] !== undefined)) {
    return {
      ...where,
      id: m.MessageId,
      source: 'aws.backup',
      detailType: BACKUP_TYPES[backupType] ?? 'AWS Backup Notification',
      resources: [],
      detail: {
        eventType: backupType,
        ...(attrs.State !== undefined ? { state: attrs.State } : {}),
        ...(attrs.Id !== undefined ? { jobId: attrs.Id } : {}),
        attributes: attrs,
        subject: m.Subject ?? '',
        message: m.Message,
      },
    };
  }
  return {
    ...where,
    id: m.MessageId,
    source: 'aws.sns',
    detailType: 'SNS Notification',
    resources: [m.TopicArn],
    detail: { topicArn: m.TopicArn, subject: m.Subject ?? '', message: isObject(body) ? body : m.Message, attributes: attrs },
  };
}
