import { z } from 'zod';
import { DeliveryError, headline, post, type Channel, type NotificationMessage } from './channel.js';

const settings = z
  .object({
    /** Incoming webhook URL (https://hooks.slack.com/services/…). */
    webhookUrl: z.string().url().optional(),
    /** Bot token (xoxb-…) for chat.postMessage; with it, users are messaged directly by Slack id. */
    botToken: z.string().min(1).optional(),
    channel: z.string().optional(),
    /** Web API base; change only for a proxy. */
    apiUrl: z.string().url().default('https://slack.com/api'),
    /** Signing secret of the Slack app: enables Acknowledge/Resolve buttons. */
    signingSecret: z.string().optional(),
  })
  .refine((s) => s.webhookUrl !== undefined || s.botToken !== undefined, 'set webhookUrl or botToken');
type Settings = z.infer<typeof settings>;

const COLORS = { firing: '#d63232', acknowledged: '#e8a33d', resolved: '#2eb67d' } as const;

/** Block Kit message; buttons carry the group id and are verified with the signing secret on click. */
export function slackBlocks(m: NotificationMessage, withButtons: boolean): unknown[] {
  const lines = m.alerts.slice(0, 10).map((a) => `• *${a.status}* ${Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ')}${a.annotations.summary ? ` — ${a.annotations.summary}` : ''}`);
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${headline(m)}*` } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') || '(no alerts)' } },
  ];
  const links = [m.links.view ? `<${m.links.view}|View>` : ''].filter((x) => x !== '');
  if (links.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' · ') }] });
  if (withButtons && m.event === 'firing') {
    blocks.push({
      type: 'actions',
      block_id: `ichigen:${m.groupId}`,
      elements: [
        { type: 'button', action_id: 'acknowledge', text: { type: 'plain_text', text: 'Acknowledge' }, value: m.groupId },
        { type: 'button', action_id: 'resolve', style: 'primary', text: { type: 'plain_text', text: 'Resolve' }, value: m.groupId },
      ],
    });
  }
  return blocks;
}

export const slackChannel: Channel<Settings> = {
  kind: 'slack',
  settings,
  secretFields: ['webhookUrl', 'botToken', 'signingSecret'],
  async send(s, target, m, ctx) {
    const buttons = s.signingSecret !== undefined && s.signingSecret !== '';
    const body = { text: headline(m), blocks: slackBlocks(m, buttons), attachments: [{ color: COLORS[m.status], fallback: headline(m) }] };
    if (s.botToken !== undefined) {
      const channel = target.slackUserId ?? s.channel;
      if (channel === undefined || channel === '') throw new DeliveryError('Slack bot token set but no channel or user id to post to', false);
      const r = await post(ctx, `${s.apiUrl}/chat.postMessage`, {
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${s.botToken}` },
        body: JSON.stringify({ channel, ...body }),
      });
      // The Web API answers 200 with {"ok":false,"error":…} on failure.
      let parsed: { ok?: boolean; error?: string; ts?: string };
      try {
        parsed = JSON.parse(r.text) as typeof parsed;
      } catch {
        throw new DeliveryError('Slack answered with something that is not JSON', true);
      }
      if (parsed.ok !== true) throw new DeliveryError(`Slack chat.postMessage: ${parsed.error ?? 'not ok'}`, parsed.error === 'ratelimited');
      return `posted to ${channel} (ts ${parsed.ts ?? '?'})`;
    }
    const url = target.slackWebhookUrl ?? s.webhookUrl!;
    await post(ctx, url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return 'posted to the incoming webhook';
  },
};
