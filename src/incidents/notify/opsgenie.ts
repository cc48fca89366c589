import { z } from 'zod';
import { post, type Channel } from './channel.js';

const settings = z.object({
  apiKey: z.string().min(1),
  /** https://api.opsgenie.com or https://api.eu.opsgenie.com */
  apiUrl: z.string().url().default('https://api.opsgenie.com'),
  priority: z.enum(['P1', 'P2', 'P3', 'P4', 'P5']).default('P3'),
});
type Settings = z.infer<typeof settings>;

/** Opsgenie Alert API as an outbound bridge: the group id is the Opsgenie alias. */
export const opsgenieChannel: Channel<Settings> = {
  kind: 'opsgenie',
  settings,
  secretFields: ['apiKey'],
  async send(s, _target, m, ctx) {
    const headers = { 'content-type': 'application/json', authorization: `GenieKey ${s.apiKey}` };
    const alias = encodeURIComponent(m.groupId);
    if (m.event === 'resolved' || m.event === 'acknowledged') {
      const verb = m.event === 'resolved' ? 'close' : 'acknowledge';
      const r = await post(ctx, `${s.apiUrl}/v2/alerts/${alias}/${verb}?identifierType=alias`, { headers, body: JSON.stringify({ source: 'Ichigen', note: `${m.event} in Ichigen` }) });
      return `${verb}: HTTP ${r.status}`;
    }
    const body = {
      message: m.title.slice(0, 130),
      alias: m.groupId,
      description: m.alerts.slice(0, 20).map((a) => `${a.status}: ${Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ')}`).join('\n').slice(0, 15000),
      tags: Object.entries(m.groupLabels).map(([k, v]) => `${k}:${v}`).slice(0, 20),
      details: m.groupLabels,
      source: 'Ichigen',
      priority: s.priority,
    };
    const r = await post(ctx, `${s.apiUrl}/v2/alerts`, { headers, body: JSON.stringify(body) });
    return `create: HTTP ${r.status}`;
  },
};
