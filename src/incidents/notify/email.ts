import nodemailer from 'nodemailer';
import { z } from 'zod';
import { DeliveryError, headline, plainText, type Channel } from './channel.js';

const settings = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  secure: z.boolean().default(false),
  /** Refuse to send unless STARTTLS succeeds. */
  requireTls: z.boolean().default(false),
  username: z.string().optional(),
  password: z.string().optional(),
  from: z.string().min(3),
  /** Default recipients when the notification is not for a user. */
  to: z.array(z.string().email()).default([]),
});
type Settings = z.infer<typeof settings>;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Email over SMTP with nodemailer: a plain-text part and a small HTML part with the links. */
export const emailChannel: Channel<Settings> = {
  kind: 'email',
  settings,
  secretFields: ['password'],
  async send(s, target, m, ctx) {
    const to = target.email !== undefined ? [target.email] : s.to;
    if (to.length === 0) throw new DeliveryError('no recipient: the user has no email address and the channel has no "to"', false);
    const transport = nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: s.secure,
      requireTLS: s.requireTls,
      ...(s.username !== undefined ? { auth: { user: s.username, pass: s.password ?? '' } } : {}),
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
    });
    const links = [
      m.links.acknowledge && m.event === 'firing' ? `<a href="${escapeHtml(m.links.acknowledge)}">Acknowledge</a>` : '',
      m.links.resolve && m.event !== 'resolved' ? `<a href="${escapeHtml(m.links.resolve)}">Resolve</a>` : '',
      m.links.view ? `<a href="${escapeHtml(m.links.view)}">View</a>` : '',
    ].filter((x) => x !== '');
    try {
      const info = await transport.sendMail({
        from: s.from,
        to,
        subject: headline(m),
        text: plainText(m),
        html: `<p><b>${escapeHtml(headline(m))}</b></p><pre>${escapeHtml(plainText(m, 50))}</pre><p>${links.join(' | ')}</p>`,
        headers: { 'X-Ichigen-Alert-Group': m.groupId },
      });
      return `accepted by ${s.host}: ${info.messageId}`;
    } catch (err) {
      const e = err as { responseCode?: number; message: string };
      // 5xx SMTP replies are permanent; connection problems and 4xx are worth a retry.
      throw new DeliveryError(`SMTP: ${e.message}`, e.responseCode === undefined || e.responseCode < 500);
    } finally {
      transport.close();
    }
  },
};
