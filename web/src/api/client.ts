import type { z } from 'zod';

/** An API error as the server reports it (`{status:"error",errorType,error,code}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called when any request answers 401, so the app shows the sign-in page. */
export function onUnauthenticated(l: Listener): () => void {
  unauthenticatedListeners.add(l);
  return () => unauthenticatedListeners.delete(l);
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly query?: Record<string, string | number | undefined>;
  readonly signal?: AbortSignal;
  /** Form-encode the body (the Prometheus API's POST form). */
  readonly form?: boolean;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) sp.set(k, String(v));
  const qs = sp.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Fetches JSON and validates it against a schema; the session cookie authenticates. */
export async function request<S extends z.ZodTypeAny>(path: string, schema: S, opts: RequestOptions = {}): Promise<z.infer<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (opts.body !== undefined) {
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.body as Record<string, string>).toString();
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
  }
  const res = await fetch(buildUrl(path, opts.query), { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, credentials: 'same-origin', signal: opts.signal });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { error?: string; code?: string; message?: string };
    if (res.status === 401 && !path.endsWith('/auth/login')) for (const l of unauthenticatedListeners) l();
    throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.error ?? e.message ?? (text.slice(0, 300) || res.statusText));
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError(res.status, 'BAD_RESPONSE', `unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data as z.infer<S>;
}
