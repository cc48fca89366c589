import { z } from 'zod';
import { defineAction } from './action.js';

const MAX_OUTPUT = 64 * 1024;

/** Calls an HTTP endpoint; succeeds on 2xx (or the listed statuses). */
export const httpWebhook = defineAction({
  kind: 'http.webhook',
  input: z
    .object({
      url: z.string().url().refine((u) => /^https?:\/\//.test(u), 'an http(s) URL'),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
      headers: z.record(z.string().max(8192)).default({}),
      body: z.unknown().optional(),
      expectStatus: z.array(z.number().int().min(100).max(599)).max(20).optional(),
    })
    .strict(),
  async run(ctx, input) {
    const headers = new Headers(input.headers);
    let body: string | undefined;
    if (input.body !== undefined && input.method !== 'GET') {
      body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
      if (!headers.has('content-type')) headers.set('content-type', typeof input.body === 'string' ? 'text/plain' : 'application/json');
    }
    const r = await fetch(input.url, { method: input.method, headers, ...(body !== undefined ? { body } : {}), signal: ctx.signal, redirect: 'manual' });
    const text = await r.text();
    const ok = input.expectStatus === undefined ? r.status >= 200 && r.status < 300 : input.expectStatus.includes(r.status);
    return { status: ok ? 'succeeded' : 'failed', exitCode: null, output: `HTTP ${r.status}\n${text.slice(0, MAX_OUTPUT)}`, data: { status: r.status } };
  },
});
