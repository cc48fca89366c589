import { alertFingerprint } from './fingerprint.js';
import type { Integration } from './integrations.js';
import type { LabelRecord } from './json.js';
import { renderTemplate } from './template.js';

export interface IncomingAlert {
  readonly labels: LabelRecord;
  readonly annotations: LabelRecord;
  /** ms; absent: now. */
  readonly startsAt?: number;
  /** ms; absent: the alert fires until refreshed within the resolve timeout. */
  readonly endsAt?: number;
  readonly generatorURL?: string;
  /** The alert's identity when the sender has one of its own (a Zabbix event); default: from the labels, as Alertmanager. */
  readonly fingerprint?: string;
  /** The raw payload a webhook sent, for grouping and route templates. */
  readonly payload?: unknown;
}

/** Without groupBy: by alert name; SNS alarms per alarm (one name may exist in several regions/accounts); Zabbix problems per host. */
const DEFAULT_GROUP_BY: Readonly<Record<string, readonly string[]>> = { sns: ['alertname', 'alarm_arn'], zabbix: ['alertname', 'host'] };

/** The grouping id and the labels that define the group (Alertmanager's group_by, OnCall's grouping id). */
export function groupKeyOf(integration: Integration, alert: IncomingAlert): { key: string; labels: LabelRecord } {
  const s = integration.settings;
  const data = { labels: alert.labels, annotations: alert.annotations, payload: alert.payload ?? {} };
  if (s.groupingTemplate !== undefined && s.groupingTemplate !== '') {
    const key = renderTemplate(s.groupingTemplate, data);
    return { key: `t:${key}`, labels: key === '' ? {} : { grouping: key } };
  }
  const by = s.groupBy ?? DEFAULT_GROUP_BY[integration.kind] ?? ['alertname'];
  if (by.includes('...')) return { key: `f:${alertFingerprint(alert.labels)}`, labels: { ...alert.labels } };
  const labels: LabelRecord = {};
  for (const name of [...by].sort()) {
    const v = alert.labels[name];
    if (v !== undefined) labels[name] = v;
  }
  return { key: `l:${JSON.stringify(labels)}`, labels };
}

export function groupTitleOf(integration: Integration, alert: IncomingAlert, groupLabels: LabelRecord): string {
  const t = integration.settings.titleTemplate;
  if (t !== undefined && t !== '') {
    const title = renderTemplate(t, { labels: alert.labels, annotations: alert.annotations, payload: alert.payload ?? {} });
    if (title !== '') return title.slice(0, 500);
  }
  const name = alert.labels.alertname ?? Object.values(groupLabels).join(' ');
  const summary = alert.annotations.summary ?? alert.annotations.title ?? '';
  return (summary !== '' && name !== '' && summary !== name ? `${name}: ${summary}` : name || summary || 'alert').slice(0, 500);
}
