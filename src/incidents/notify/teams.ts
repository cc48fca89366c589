import { z } from 'zod';
import { headline, post, type Channel } from './channel.js';

const settings = z.object({
  /** A Teams "Workflows" (Power Automate) webhook URL that posts an Adaptive Card. */
  webhookUrl: z.string().url(),
});
type Settings = z.infer<typeof settings>;

/** Teams workflow webhooks take a message with one Adaptive Card attachment. */
export const teamsChannel: Channel<Settings> = {
  kind: 'teams',
  settings,
  secretFields: ['webhookUrl'],
  async send(s, target, m, ctx) {
    const facts = m.alerts.slice(0, 10).map((a) => ({ title: a.status, value: Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ') }));
    const actions = [
      m.links.acknowledge && m.event === 'firing' ? { type: 'Action.OpenUrl', title: 'Acknowledge', url: m.links.acknowledge } : undefined,
      m.links.resolve && m.event !== 'resolved' ? { type: 'Action.OpenUrl', title: 'Resolve', url: m.links.resolve } : undefined,
      m.links.view ? { type: 'Action.OpenUrl', title: 'View', url: m.links.view } : undefined,
    ].filter((a) => a !== undefined);
    const card = {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      body: [
        { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: headline(m), color: m.status === 'resolved' ? 'Good' : m.status === 'acknowledged' ? 'Warning' : 'Attention' },
        { type: 'FactSet', facts },
      ],
      actions,
    };
    const body = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
    const r = await post(ctx, target.teamsWebhookUrl ?? s.webhookUrl, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return `HTTP ${r.status}`;
  },
};
