import { z } from 'zod';
import { DeliveryError, post, type Channel } from './channel.js';

const settings = z.object({
  /** The integration key of a PagerDuty service's "Events API v2" integration. */
  routingKey: z.string().length(32, 'a PagerDuty routing key has 32 characters'),
  eventsUrl: z.string().url().default('https://events.pagerduty.com/v2/enqueue'),
  severity: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
});
type Settings = z.infer<typeof settings>;

/** PagerDuty Events API v2 as an outbound bridge: one PagerDuty incident per alert group (dedup_key). */
export const pagerdutyChannel: Channel<Settings> = {
  kind: 'pagerduty',
  settings,
  secretFields: ['routingKey'],
  async send(s, _target, m, ctx) {
    const action = m.event === 'resolved' ? 'resolve' : m.event === 'acknowledged' ? 'acknowledge' : 'trigger';
    const body: Record<string, unknown> = { routing_key: s.routingKey, event_action: action, dedup_key: m.groupId };
    if (action === 'trigger') {
      const sev = m.alerts[0]?.labels.severity;
      body.payload = {
        summary: m.title.slice(0, 1024),
        source: m.integration,
        severity: sev === 'critical' || sev === 'error' || sev === 'warning' || sev === 'info' ? sev : s.severity,
        timestamp: new Date(m.time).toISOString(),
        custom_details: { groupLabels: m.groupLabels, alerts: m.alerts.slice(0, 20).map((a) => ({ status: a.status, labels: a.labels, annotations: a.annotations })) },
      };
      body.client = 'Ichigen';
      if (m.links.view) body.client_url = m.links.view;
      if (m.links.view) body.links = [{ href: m.links.view, text: 'Alert group in Ichigen' }];
    }
    const r = await post(ctx, s.eventsUrl, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    let parsed: { status?: string; dedup_key?: string };
    try {
      parsed = JSON.parse(r.text) as typeof parsed;
    } catch {
      throw new DeliveryError('PagerDuty answered with something that is not JSON', true);
    }
    if (parsed.status !== 'success') throw new DeliveryError(`PagerDuty: ${r.text.slice(0, 200)}`, true);
    return `${action} accepted (dedup_key ${parsed.dedup_key ?? m.groupId})`;
  },
};
