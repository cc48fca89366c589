import type { ZodType, ZodTypeDef } from 'zod';
import type { HttpPost, HttpResponse } from './http-post.js';

/** One alert as a notification shows it. */
export interface MessageAlert {
  readonly fingerprint: string;
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly generatorURL: string;
}

/** What every channel renders: one alert group at one moment. */
export interface NotificationMessage {
  readonly tenant: string;
  readonly groupId: string;
  readonly title: string;
  /** What the notification is about. */
  readonly event: 'firing' | 'acknowledged' | 'resolved';
  readonly status: 'firing' | 'acknowledged' | 'resolved';
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly integration: string;
  readonly alerts: readonly MessageAlert[];
  /** Links that work without logging in (signed, expiring); absent when no public URL is known. */
  readonly links: { readonly view?: string; readonly acknowledge?: string; readonly resolve?: string };
  /** Slack buttons are only offered when a signing secret can verify the click. */
  readonly interactive: boolean;
  readonly time: number;
}

/** Where to, beyond the channel's own settings (a user's address, number, Slack id). */
export type DeliveryTarget = Readonly<Record<string, string>>;

export interface ChannelContext {
  readonly post: HttpPost;
  readonly timeoutMs: number;
}

/** A delivery failure; `retryable` false for errors a retry cannot fix (4xx except 429). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** A way to reach a person or room. One file per channel; the registry maps kind → channel. */
export interface Channel<S = unknown> {
  readonly kind: string;
  readonly settings: ZodType<S, ZodTypeDef, unknown>;
  /** Setting names that are secrets: never returned by the API or logged. */
  readonly secretFields: readonly string[];
  /** Sends; resolves with a short description for the delivery log, throws DeliveryError. */
  send(settings: S, target: DeliveryTarget, message: NotificationMessage, ctx: ChannelContext): Promise<string>;
}

/** POSTs and turns the answer into a delivery result (shared by the HTTP channels). */
export async function post(ctx: ChannelContext, url: string, init: { headers: Record<string, string>; body: string }, expect: (status: number) => boolean = (s) => s >= 200 && s < 300): Promise<HttpResponse> {
  let res: HttpResponse;
  try {
    res = await ctx.post(url, { ...init, timeoutMs: ctx.timeoutMs });
  } catch (err) {
    throw new DeliveryError(`request to ${hostOf(url)} failed: ${(err as Error).message}`, true);
  }
  const text = res.text.slice(0, 2000);
  if (!expect(res.status)) throw new DeliveryError(`HTTP ${res.status} from ${hostOf(url)}: ${text.slice(0, 200)}`, res.status >= 500 || res.status === 429 || res.status === 408);
  return { status: res.status, text };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}

/** A one-line summary: "[FIRING:2] Title". */
export function headline(m: NotificationMessage): string {
  const firing = m.alerts.filter((a) => a.status === 'firing').length;
  const tag = m.event === 'resolved' ? 'RESOLVED' : m.event === 'acknowledged' ? 'ACKNOWLEDGED' : `FIRING:${firing}`;
  return `[${tag}] ${m.title}`;
}

/** Plain-text body shared by email, SMS and voice. */
export function plainText(m: NotificationMessage, maxAlerts = 20): string {
  const lines = [headline(m), ''];
  for (const a of m.alerts.slice(0, maxAlerts)) {
    const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ');
    lines.push(`- ${a.status}: ${labels}${a.annotations.summary ? ` — ${a.annotations.summary}` : ''}`);
  }
  if (m.alerts.length > maxAlerts) lines.push(`… and ${m.alerts.length - maxAlerts} more`);
  if (m.links.acknowledge) lines.push('', `Acknowledge: ${m.links.acknowledge}`);
  if (m.links.resolve) lines.push(`Resolve: ${m.links.resolve}`);
  if (m.links.view) lines.push(`View: ${m.links.view}`);
  return lines.join('\n');
}
