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

export interface SnsIntakeDeps {
  readonly bus: EventBus;
  readonly verifier: SnsVerifier;
  readonly log: Logger;
}

/**
 * One SNS HTTP(S) delivery: verify the signature first (nothing is done for an unsigned or
 * tampered message), check the topic is allowed, then confirm a subscription or store the event.
 */
export async function handleSnsMessage(raw: unknown, source: EventSource, deps: SnsIntakeDeps): Promise<Record<string, unknown>> {
  let value = raw;
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
    try {
      value = JSON.parse(raw.toString());
    } catch {
      throw new IchigenError('INVALID_BODY', 'SNS body is not JSON');
    }
  }
  const m = parseWith(snsBody, value) as SnsMessage;
  await deps.verifier.verify(m);
  if (!source.allowedTopics.includes(m.TopicArn)) throw new IchigenError('FORBIDDEN', `SNS topic ${m.TopicArn} is not allowed for this event source`);

  if (m.Type === 'SubscriptionConfirmation') {
    const url = m.SubscribeURL ?? '';
    if (!deps.verifier.isTrustedUrl(url)) throw new IchigenError('FORBIDDEN', 'SubscribeURL is not an SNS URL');
    const r = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' }).catch((err: unknown) => {
      throw new IchigenError('UNAVAILABLE', `cannot confirm the SNS subscription: ${(err as Error).message}`, { retryAfterSeconds: 10 });
    });
    await r.body?.cancel();
    if (!r.ok) throw new IchigenError('UNAVAILABLE', `SNS refused the subscription confirmation (HTTP ${r.status})`, { retryAfterSeconds: 10 });
    deps.log.info({ topic: m.TopicArn, source: source.name }, 'confirmed SNS subscription');
    return { confirmed: true };
  }
  if (m.Type === 'UnsubscribeConfirmation') {
    deps.log.info({ topic: m.TopicArn, source: source.name }, 'SNS subscription ended');
    return { unsubscribed: true };
  }
  const r = await deps.bus.publish({ ...mapSnsNotification(m), tenant: source.tenant });
  return { id: r.event.id, stored: r.stored };
}
