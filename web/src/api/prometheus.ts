import { ApiError, buildUrl } from './client.js';
import { parseSampleValue } from '../charts/series-data.js';
import { promResponseSchema, type PromQueryData } from './schemas.js';

/** What the query inspector shows about one request. */
export interface QueryTrace {
  readonly method: string;
  readonly url: string;
  readonly params: Record<string, string>;
  readonly status: number;
  readonly durationMs: number;
  readonly bytes: number;
  readonly raw: string;
}

export interface QueryResult {
  readonly data: PromQueryData;
  readonly warnings: readonly string[];
  readonly trace: QueryTrace;
}

/** Samples the engine reports it loaded (`stats=all`), when it reports them. */
export function samplesLoaded(data: PromQueryData): number | undefined {
  const s = data.stats as { samples?: { totalQueryableSamples?: number } } | undefined;
  return s?.samples?.totalQueryableSamples;
}

/**
 * Runs a PromQL query through the Prometheus HTTP API (form POST, as Grafana sends it).
 * Errors carry the engine's message (e.g. a parse error with its position).
 */
export async function promQuery(path: '/api/v1/query' | '/api/v1/query_range', params: Record<string, string>, signal?: AbortSignal): Promise<QueryResult> {
  return metricQuery(path, params, 'POST', signal);
}

/**
 * A LogQL metric query through the Loki API (GET, as Grafana's Loki data source sends it): its
 * vector and matrix answers have the Prometheus shape (Loki adds its own `stats`).
 */
export async function lokiMetricQuery(path: '/loki/api/v1/query' | '/loki/api/v1/query_range', params: Record<string, string>, signal?: AbortSignal): Promise<QueryResult> {
  return metricQuery(path, params, 'GET', signal);
}

async function metricQuery(path: string, params: Record<string, string>, method: 'GET' | 'POST', signal?: AbortSignal): Promise<QueryResult> {
  const started = performance.now();
  const res =
    method === 'POST'
      ? await fetch(path, { method, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams({ ...params, stats: 'all' }).toString(), credentials: 'same-origin', signal })
      : await fetch(buildUrl(path, params), { method, headers: { accept: 'application/json' }, credentials: 'same-origin', signal });
  const raw = await res.text();
  const durationMs = performance.now() - started;
  const trace: QueryTrace = { method: 'POST', url: buildUrl(path, params), params, status: res.status, durationMs, bytes: raw.length, raw };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw Object.assign(new ApiError(res.status, `HTTP_${res.status}`, raw.slice(0, 300) || res.statusText), { trace });
  }
  if (!res.ok) {
    const e = json as { error?: string; errorType?: string; code?: string };
    throw Object.assign(new ApiError(res.status, e.code ?? e.errorType ?? `HTTP_${res.status}`, e.error ?? res.statusText), { trace });
  }
  const parsed = promResponseSchema.safeParse(json);
  if (!parsed.success) throw Object.assign(new ApiError(res.status, 'BAD_RESPONSE', `unexpected answer: ${parsed.error.issues[0]?.message ?? ''}`), { trace });
  return { data: parsed.data.data, warnings: [...(parsed.data.warnings ?? []), ...(parsed.data.infos ?? [])], trace };
}

/** One series of an instant vector with its value as a number. */
export interface InstantValue {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** An instant query whose answer is a vector (NaN and Inf values included as numbers). */
export async function instantVector(query: string, timeS: number, signal?: AbortSignal): Promise<InstantValue[]> {
  const { data } = await promQuery('/api/v1/query', { query, time: String(timeS) }, signal);
  if (data.resultType !== 'vector') return [];
  return data.result.map((s) => ({ metric: s.metric, value: s.value ? parseSampleValue(s.value[1]) : NaN }));
}
