import { IchigenError } from '../../../model/index.js';
import type { RemoteMetricStoreOptions } from './remote-options.js';

/** Calls the backend; maps its answers onto our error catalogue (400 stays 400, 429 keeps Retry-After, the rest is retryable 503). */
export async function backendFetch(o: RemoteMetricStoreOptions, tenant: string, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (o.authorization) headers.set('authorization', o.authorization);
  if (o.sendTenantHeader) headers.set('x-scope-orgid', tenant);
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(o.timeoutMs) });
  } catch (e) {
    throw new IchigenError('UNAVAILABLE', `metric backend unreachable (${new URL(url).host}): ${(e as Error).message}`, { retryAfterSeconds: 5 });
  }
  if (res.ok) return res;
  const text = (await res.text().catch(() => '')).slice(0, 1000);
  let message = text;
  try {
    const j = JSON.parse(text) as { error?: string };
    if (typeof j.error === 'string') message = j.error;
  } catch {
    /* plain-text error body */
  }
  const what = `metric backend answered ${res.status}: ${message.trim()}`;
  if (res.status === 429) throw new IchigenError('RATE_LIMITED', what, { retryAfterSeconds: Number(res.headers.get('retry-after')) || 5 });
  if (res.status === 400 || res.status === 422) throw new IchigenError(url.includes('/api/v1/query') ? 'EXECUTION' : 'INVALID_BODY', what);
  throw new IchigenError('UNAVAILABLE', what, { retryAfterSeconds: 5 });
}

export async function backendJson<T>(o: RemoteMetricStoreOptions, tenant: string, path: string, params: URLSearchParams): Promise<T> {
  const res = await backendFetch(o, tenant, `${o.queryUrl.replace(/\/$/, '')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: params.toString(),
  });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new IchigenError('UNAVAILABLE', `metric backend error: ${body.error ?? 'unknown'}`);
  return body.data;
}
