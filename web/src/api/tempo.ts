import { z } from 'zod';
import { ApiError, buildUrl } from './client.js';
import { decodeTrace, type TraceSpan } from '../lib/trace-model.js';

export const traceMetaSchema = z.object({
  // Tempo's search answers drop an id's leading zeros; the UI shows and links the 32-digit
  // form every other place (logs, OTLP exporters, trace by id) uses.
  traceID: z.string().transform((id) => (/^[0-9a-f]{1,31}$/i.test(id) ? id.padStart(32, '0') : id)),
  rootServiceName: z.string().optional(),
  rootTraceName: z.string().optional(),
  startTimeUnixNano: z.string().optional(),
  durationMs: z.number().optional(),
  serviceStats: z.record(z.object({ spanCount: z.number(), errorCount: z.number().optional() })).optional(),
});
export type TraceMeta = z.infer<typeof traceMetaSchema>;
const searchSchema = z.object({ traces: z.array(traceMetaSchema).default([]) });

async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' }, signal });
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 500);
    try {
      const j = JSON.parse(text) as { error?: string };
      if (j.error) message = j.error;
    } catch {
      // Tempo answers some errors as plain text.
    }
    throw new ApiError(res.status, `HTTP_${res.status}`, message || res.statusText);
  }
  return JSON.parse(text) as unknown;
}

export const tempoApi = {
  /** TraceQL search over [startS, endS] (seconds, as Tempo takes them). */
  search: async (q: string, startS: number, endS: number, limit: number, signal?: AbortSignal): Promise<TraceMeta[]> => {
    const json = await getJson(buildUrl('/api/search', { q, start: Math.floor(startS), end: Math.ceil(endS), limit }), signal);
    return searchSchema.parse(json).traces;
  },
  trace: async (id: string, signal?: AbortSignal): Promise<TraceSpan[]> => decodeTrace(await getJson(`/api/v2/traces/${encodeURIComponent(id)}`, signal)),
};
