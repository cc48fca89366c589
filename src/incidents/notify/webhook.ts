import { z } from 'zod';
import { post, type Channel, type NotificationMessage } from './channel.js';

const settings = z.object({
  url: z.string().url(),
  /** `ichigen`: our JSON; `alertmanager`: Alertmanager's webhook payload (version 4). */
  format: z.enum(['ichigen', 'alertmanager']).default('ichigen'),
  /** Sent as the Authorization header (e.g. "Bearer …"). */
  authorization: z.string().optional(),
});
type Settings = z.infer<typeof settings>;

const iso = (ms: number): string => new Date(ms).toISOString();

/** Alertmanager's webhook_config payload, so receivers written for Alertmanager work unchanged. */
export function alertmanagerPayload(m: NotificationMessage): Record<string, unknown> {
  const common = (key: 'labels' | 'annotations'): Record<string, string> => {
    const [first, ...rest] = m.alerts;
    if (!first) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(first[key])) if (rest.every((a) => a[key][k] === v)) out[k] = v;
    return out;
  };
  return {
    version: '4',
    groupKey: `{}:${JSON.stringify(m.groupLabels)}`,
    truncatedAlerts: 0,
    status: m.event === 'resolved' ? 'resolved' : 'firing',
    receiver: m.integration,
    groupLabels: m.groupLabels,
    commonLabels: common('labels'),
    commonAnnotations: common('annotations'),
    externalURL: m.links.view ?? '',
    alerts: m.alerts.map((a) => ({
      status: m.event === 'resolved' ? 'resolved' : a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: iso(a.startsAt),
      endsAt: a.status === 'resolved' || m.event === 'resolved' ? iso(a.endsAt) : '0001-01-01T00:00:00Z',
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
  };
}

export const webhookChannel: Channel<Settings> = {
  kind: 'webhook',
  settings,
  secretFields: ['authorization'],
  async send(s, target, m, ctx) {
    const body =
      s.format === 'alertmanager'
        ? alertmanagerPayload(m)
        : { event: m.event, groupId: m.groupId, title: m.title, status: m.status, tenant: m.tenant, groupLabels: m.groupLabels, alerts: m.alerts, links: m.links, time: iso(m.time) };
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Ichigen' };
    if (s.authorization !== undefined) headers.authorization = s.authorization;
    const r = await post(ctx, target.webhookUrl ?? s.url, { headers, body: JSON.stringify(body) });
    return `HTTP ${r.status}`;
  },
};
