import { z } from 'zod';
import { DeliveryError, headline, post, type Channel } from './channel.js';

const settings = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'a Twilio Account SID is "AC" and 32 hex digits'),
  authToken: z.string().min(1),
  /** The Twilio number (E.164) messages and calls come from. */
  from: z.string().regex(/^\+[1-9]\d{6,14}$/, 'use an E.164 number like +14155550100'),
  apiUrl: z.string().url().default('https://api.twilio.com'),
});
type Settings = z.infer<typeof settings>;

function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * Twilio SMS (Messages resource) and voice (Calls resource with inline TwiML).
 * target.phone is the user's number; target.mode is "sms" (default) or "voice".
 */
export const twilioChannel: Channel<Settings> = {
  kind: 'twilio',
  settings,
  secretFields: ['authToken'],
  async send(s, target, m, ctx) {
    const to = target.phone;
    if (to === undefined || !/^\+[1-9]\d{6,14}$/.test(to)) throw new DeliveryError(`no valid E.164 phone number for this user (${to ?? 'none'})`, false);
    const auth = `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`;
    const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: auth };
    const base = `${s.apiUrl}/2010-04-01/Accounts/${s.accountSid}`;
    if (target.mode === 'voice') {
      const say = `${headline(m)}. ${m.alerts.length} alerts. Acknowledge in Ichigen.`;
      const twiml = `<Response><Say>${xml(say)}</Say><Pause length="1"/><Say>${xml(say)}</Say></Response>`;
      const r = await post(ctx, `${base}/Calls.json`, { headers, body: new URLSearchParams({ To: to, From: s.from, Twiml: twiml }).toString() });
      return `call queued: ${(JSON.parse(r.text) as { sid?: string }).sid ?? '?'}`;
    }
    let body = headline(m);
    if (m.links.acknowledge && m.event === 'firing') body += ` Ack: ${m.links.acknowledge}`;
    const r = await post(ctx, `${base}/Messages.json`, { headers, body: new URLSearchParams({ To: to, From: s.from, Body: body.slice(0, 1600) }).toString() });
    return `sms queued: ${(JSON.parse(r.text) as { sid?: string }).sid ?? '?'}`;
  },
};
