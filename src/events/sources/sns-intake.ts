import { z } from 'zod';
import { parseWith } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import type { Logger } from '../../self/index.js';
import type { EventBus } from '../event-bus.js';
import { mapSnsNotification } from './aws-event-mapping.js';
import type { EventSource } from './event-source-store.js';
import type { SnsMessage, SnsVerifier } from './sns-signature.js';

const snsBody = z
  .object({
    Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
    MessageId: z.string().min(1).max(256),
    TopicArn: z.string().min(1).max(1024),
    Message: z.string().max(256 * 1024),
    Timestamp: z.string().min(1).max(64),
    SignatureVersion: z.string().max(8),
    Signature: z.string().min(1).max(4096),
    SigningCertURL: z.string().min(1).max(2048),
    Subject: z.string().max(512).optional(),
    Token: z.string().max(4096).optional(),
    SubscribeURL: z.string().max(4096).optional(),
    UnsubscribeURL: z.string().max(4096).optional(),
    MessageAttributes: z.record(z.object({ Type: z.string(), Value: z.string() })).optional(),
  })
  .passthrough();

/** What one SNS delivery turned out to be, once verified. */
export type SnsDelivery = { readonly type: 'confirmed' } | { readonly type: 'unsubscribed' } | { readonly type: 'notification'; readonly message: SnsMessage };

export interface SnsReceiveOptions {
  readonly verifier: SnsVerifier;
  /** Topic ARNs the receiver accepts; any other topic gets 403. */
  readonly allowedTopics: readonly string[];
  readonly log: Logger;
  /** Names the receiver in log lines (event source or integration). */
  readonly receiver: string;
  readonly fetch?: typeof fetch;
}

/**
 * One SNS HTTP(S) delivery, shared by every receiver of SNS (event sources, alert
 * integrations): verify the signature first (nothing is done for an unsigned or tampered
 * message), check the topic is allowed, confirm a subscription by fetching its SubscribeURL,
 * and hand a notification back to the caller.
 */
export async function receiveSnsMessage(raw: unknown, opts: SnsReceiveOptions): Promise<SnsDelivery> {
  let value = raw;
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
    try {
      value = JSON.parse(raw.toString());
    } catch {
      throw new IchigenError('INVALID_BODY', 'SNS body is not JSON');
    }
  }
  const m = parseWith(snsBody, value) as SnsMessage;
  await opts.verifier.verify(m);
  if (!opts.allowedTopics.includes(m.TopicArn)) throw new IchigenError('FORBIDDEN', `SNS topic ${m.TopicArn} is not allowed for ${opts.receiver}`);

  if (m.Type === 'SubscriptionConfirmation') {
    const url = m.SubscribeURL ?? '';
    if (!opts.verifier.isTrustedUrl(url)) throw new IchigenError('FORBIDDEN', 'SubscribeURL is not an SNS URL');
    const r = await (opts.fetch ?? fetch)(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' }).catch((err: unknown) => {
      throw new IchigenError('UNAVAILABLE', `cannot confirm the SNS subscription: ${(err as Error).message}`, { retryAfterSeconds: 10 });
    });
    await r.body?.cancel();
    if (!r.ok) throw new IchigenError('UNAVAILABLE', `SNS refused the subscription confirmation (HTTP ${r.status})`, { retryAfterSeconds: 10 });
    opts.log.info({ topic: m.TopicArn, receiver: opts.receiver }, 'confirmed SNS subscription');
    return { type: 'confirmed' };
  }
  if (m.Type === 'UnsubscribeConfirmation') {
    opts.log.info({ topic: m.TopicArn, receiver: opts.receiver }, 'SNS subscription ended');
    return { type: 'unsubscribed' };
  }
  return { type: 'notification', message: m };
}

export interface SnsIntakeDeps {
  readonly bus: EventBus;
  readonly verifier: SnsVerifier;
  readonly log: Logger;
}

/** An event source's SNS endpoint: a verified notification becomes an event on the bus. */
export async function handleSnsMessage(raw: unknown, source: EventSource, deps: SnsIntakeDeps): Promise<Record<string, unknown>> {
  const d = await receiveSnsMessage(raw, { verifier: deps.verifier, allowedTopics: source.allowedTopics, log: deps.log, receiver: `event source ${source.name}` });
  if (d.type === 'confirmed') return { confirmed: true };
  if (d.type === 'unsubscribed') return { unsubscribed: true };
  const r = await deps.bus.publish({ ...mapSnsNotification(d.message), tenant: source.tenant, external: true });
  return { id: r.event.id, stored: r.stored };
}
