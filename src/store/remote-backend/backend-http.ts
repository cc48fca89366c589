import { IchigenError } from '../../model/index.js';

/** What a remote store needs to call its backend: credentials, tenant header, time limit. */
export interface BackendConnection {
  /** Authorization header value (`Bearer …`), never logged. */
  readonly authorization?: string;
  /** Send the tenant as X-Scope-OrgID (Tempo's and Loki's multi-tenancy). */
  readonly sendTenantHeader: boolean;
  readonly timeoutMs: number;
}

/**
 * Calls a backend (`name`: "trace backend", "log backend") with its credentials and tenant.
 * Returns the response whatever its status; only an unreachable backend throws (retryable 503).
 */
export async function backendCall(o: BackendConnection, name: string, tenant: string, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('user-agent', 'Ichigen');
  if (o.authorization) headers.set('authorization', o.authorization);
  if (o.sendTenantHeader) headers.set('x-scope-orgid', tenant);
  try {
    return await fetch(url, { ...init, headers, signal: AbortSignal.timeout(o.timeoutMs) });
  } catch (e) {
    throw new IchigenError('UNAVAILABLE', `${name} unreachable (${new URL(url).host}): ${(e as Error).message}`, { retryAfterSeconds: 5 });
  }
}

/**
 * Maps a failed backend answer onto our error catalogue so the sender gets what the backend
 * would have told it: 400/413 stay 400 (do not retry), 429 keeps Retry-After, the rest is a
 * retryable 503.
 */
export async function backendError(res: Response, name: string, what: string): Promise<IchigenError> {
  const text = (await res.text().catch(() => '')).slice(0, 1000).trim();
  const message = `${name} answered ${res.status} to ${what}: ${text}`;
  if (res.status === 429) return new IchigenError('RATE_LIMITED', message, { retryAfterSeconds: Number(res.headers.get('retry-after')) || 5 });
  if (res.status === 400 || res.status === 413) return new IchigenError('INVALID_BODY', message);
  return new IchigenError('UNAVAILABLE', message, { retryAfterSeconds: 5 });
}

/** A backend's answer passed through unchanged. */
export interface BackendAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** A request's query (repeated keys as arrays) as `?…`, or '' when empty. */
export function queryString(query: Readonly<Record<string, string | readonly string[] | undefined>>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const x of typeof v === 'string' ? [v] : v) p.append(k, x);
  }
  const q = p.toString();
  return q === '' ? '' : `?${q}`;
}
