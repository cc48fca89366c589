import { z } from 'zod';
import { linesFromStreams, type LogLine } from '../lib/log-lines.js';
import { request } from './client.js';

// The Loki query API as the UI calls it. Times are milliseconds here and nanoseconds on the wire.
const ns = (ms: number): string => `${Math.round(ms)}000000`;

const streamsAnswer = z.object({
  status: z.literal('success'),
  data: z.object({ resultType: z.string(), result: z.array(z.object({ stream: z.record(z.string()), values: z.array(z.tuple([z.string(), z.string()]).rest(z.record(z.unknown()))) })).default([]) }),
});
const namesAnswer = z.object({ status: z.literal('success'), data: z.array(z.string()).default([]) });

export interface LogQuery {
  readonly query: string;
  /** Nanoseconds since the epoch, as strings (full precision). */
  readonly start: string;
  readonly end: string;
  readonly limit: number;
  readonly direction: 'backward' | 'forward';
}

export const lokiApi = {
  /** A log query's lines (newest first); `resultType` says when the query was a metric one instead. */
  lines: async (q: LogQuery, signal?: AbortSignal): Promise<{ resultType: string; lines: LogLine[] }> => {
    const r = await request('/loki/api/v1/query_range', streamsAnswer, { query: { ...q }, signal });
    return { resultType: r.data.resultType, lines: r.data.resultType === 'streams' ? linesFromStreams(r.data.result) : [] };
  },
  /** Indexed label names with entries in [startMs, endMs]. */
  labels: async (startMs: number, endMs: number, signal?: AbortSignal): Promise<string[]> => (await request('/loki/api/v1/labels', namesAnswer, { query: { start: ns(startMs), end: ns(endMs) }, signal })).data,
  labelValues: async (name: string, startMs: number, endMs: number, signal?: AbortSignal): Promise<string[]> =>
    (await request(`/loki/api/v1/label/${encodeURIComponent(name)}/values`, namesAnswer, { query: { start: ns(startMs), end: ns(endMs) }, signal })).data,
  ns,
};
