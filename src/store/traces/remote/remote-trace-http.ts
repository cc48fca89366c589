import { IchigenError } from '../../../model/index.js';
import type { RemoteTraceStoreOptions } from './remote-trace-options.js';

/** An answer passed through from the backend unchanged. */
export interface BackendAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * Calls the trace backend with its credentials and tenant. Returns the response whatever its
 * status; only an unreachable backend throws (retryable 503).
 */
export async function backendCall(o: RemoteTraceStoreOptions, tenant: string, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('user-agent', 'Ichigen');
  if (o.authorization) headers.set('authorization', o.authorization);
  if (o.sendTenantHeader) headers.set('x-scope-orgid', tenant);
  try {
    return await fetch(url, { ...init, headers, signal: AbortSignal.timeout(o.timeoutMs) });
  } catch (e) {
    throw new IchigenError('UNAVAILABLE', `trace backend unreachable (${new URL(url).host}): ${(e as Error).message}`, { retryAfterSeconds: 5 });
  }
}

/** Maps a failed backend answer onto our error catalogue: 400 stays 400, 429 keeps Retry-After, the rest is a retryable 503. */
export async function backendError(res: Response, what: string): Promise<IchigenError> {
  const text = (await res.text().catch(() => '')).slice(0, 1000).trim();
  const message = `trace backend answered ${res.status} to ${what}: ${text}`;
  if (res.status === 429) return new IchigenError('RATE_LIMITED', message, { retryAfterSeconds: Number(res.headers.get('retry-after')) || 5 });
  if (res.status === 400 || res.status === 413) return new IchigenError('INVALID_BODY', message);
  return new IchigenError('UNAVAILABLE', message, { retryAfterSeconds: 5 });
}
