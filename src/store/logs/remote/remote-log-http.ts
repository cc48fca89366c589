import { IchigenError } from '../../../model/index.js';
import type { RemoteLogStoreOptions } from './remote-log-options.js';

/**
 * Calls the log backend with its credentials and tenant. Returns the response whatever its
 * status; only an unreachable backend throws (retryable 503).
 */
export async function logBackendCall(o: RemoteLogStoreOptions, tenant: string, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('user-agent', 'Ichigen');
  if (o.authorization) headers.set('authorization', o.authorization);
  if (o.sendTenantHeader) headers.set('x-scope-orgid', tenant);
  try {
    return await fetch(url, { ...init, headers, signal: AbortSignal.timeout(o.timeoutMs) });
  } catch (e) {
    throw new IchigenError('UNAVAILABLE', `log backend unreachable (${new URL(url).host}): ${(e as Error).message}`, { retryAfterSeconds: 5 });
  }
}

/**
 * Maps a failed push onto our error catalogue so the sender gets what Loki would have told
 * it: 400 (do not retry) stays 400, 429 keeps Retry-After, the rest is a retryable 503.
 */
export async function logBackendError(res: Response, what: string): Promise<IchigenError> {
  const text = (await res.text().catch(() => '')).slice(0, 1000).trim();
  const message = `log backend answered ${res.status} to ${what}: ${text}`;
  if (res.status === 429) return new IchigenError('RATE_LIMITED', message, { retryAfterSeconds: Number(res.headers.get('retry-after')) || 5 });
  if (res.status === 400 || res.status === 413) return new IchigenError('INVALID_BODY', message);
  return new IchigenError('UNAVAILABLE', message, { retryAfterSeconds: 5 });
}
