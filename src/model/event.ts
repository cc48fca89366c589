/**
 * Anything that happened and may trigger something (DESIGN.md "event"): an alert state
 * change, a security finding, an external (AWS, webhook) event, a schedule tick. Shaped like
 * an EventBridge event so EventBridge-style patterns match it unchanged.
 */
export interface IchigenEvent {
  /** Unique id (time-ordered). */
  readonly id: string;
  readonly tenant: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  /** Who emitted it: `ichigen.rules`, `ichigen.incidents`, `aws.ec2`, `webhook.<name>`… */
  readonly source: string;
  /** What kind of thing happened: `Alert State Change`, `Alert Group Acknowledged`… */
  readonly detailType: string;
  /** Resource identifiers it concerns (ARNs, alert group ids…). */
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
  /** The AWS account of an AWS event (EventBridge `account`); absent for Ichigen's own. */
  readonly account?: string;
  /** The AWS region of an AWS event (EventBridge `region`). */
  readonly region?: string;
}
