import { z } from 'zod';
import { request } from './client.js';

const P = '/api/ichigen/v1';
const data = <T extends z.ZodTypeAny>(s: T) => z.object({ data: s });

/** An event as the events API returns it (EventBridge envelope + seq, tenant, receivedAt). */
export const eventSchema = z.object({
  seq: z.number(),
  id: z.string(),
  source: z.string(),
  'detail-type': z.string(),
  time: z.string(),
  receivedAt: z.string(),
  resources: z.array(z.string()),
  detail: z.record(z.unknown()),
  account: z.string(),
  region: z.string(),
  tenant: z.string(),
});
export type StoredEvent = z.infer<typeof eventSchema>;

export interface EventFilter {
  readonly source?: string;
  readonly detailType?: string;
  readonly q?: string;
  readonly from?: string;
  readonly pattern?: string;
}

export const runStatusSchema = z.enum(['running', 'waiting_approval', 'succeeded', 'failed', 'canceled', 'rejected', 'interrupted']);
export type RunStatus = z.infer<typeof runStatusSchema>;

const stepSchema = z.object({
  idx: z.number(),
  name: z.string(),
  action: z.string(),
  status: z.string(),
  exitCode: z.number().nullable(),
  output: z.string(),
  result: z.record(z.unknown()),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
});
export type RunStep = z.infer<typeof stepSchema>;

export const runSchema = z.object({
  id: z.string(),
  runbook: z.string(),
  status: runStatusSchema,
  trigger: z.object({ kind: z.string(), actor: z.string().optional(), ruleName: z.string().optional(), eventId: z.string().optional(), event: z.object({ id: z.string(), source: z.string(), 'detail-type': z.string() }).optional() }),
  params: z.record(z.unknown()),
  approval: z
    .object({ step: z.number(), message: z.string(), expiresAt: z.number(), requestedAt: z.number(), decision: z.string().optional(), decidedBy: z.string().optional(), decidedVia: z.string().optional(), decidedAt: z.number().optional() })
    .nullable(),
  error: z.string(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  replica: z.string().nullable().optional(),
  steps: z.array(stepSchema),
  liveOutput: z.string().optional(),
});
export type Run = z.infer<typeof runSchema>;

export const auditEntrySchema = z.object({ id: z.number(), at: z.string(), actor: z.string(), action: z.string(), target: z.string(), details: z.record(z.unknown()) });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const automationApi = {
  events: (f: EventFilter, before: number | undefined, signal?: AbortSignal) =>
    request(`${P}/events`, data(z.object({ events: z.array(eventSchema), next: z.number().nullable() })), {
      query: { source: f.source || undefined, detail_type: f.detailType || undefined, q: f.q || undefined, from: f.from || undefined, pattern: f.pattern || undefined, before, limit: 100 },
      signal,
    }).then((r) => r.data),
  event: (id: string, signal?: AbortSignal) => request(`${P}/events/${encodeURIComponent(id)}`, data(eventSchema), { signal }).then((r) => r.data),
  runs: (q: { status?: string; runbook?: string; event?: string; before?: string }, signal?: AbortSignal) => request(`${P}/runs`, data(z.array(runSchema)), { query: { status: q.status, runbook: q.runbook || undefined, event: q.event, before: q.before, limit: 100 }, signal }).then((r) => r.data),
  run: (id: string, signal?: AbortSignal) => request(`${P}/runs/${encodeURIComponent(id)}`, data(runSchema), { signal }).then((r) => r.data),
  decide: (id: string, verb: 'approve' | 'reject') => request(`${P}/runs/${encodeURIComponent(id)}/${verb}`, data(runSchema), { method: 'POST' }).then((r) => r.data),
  cancel: (id: string) => request(`${P}/runs/${encodeURIComponent(id)}/cancel`, z.unknown(), { method: 'POST' }),
  audit: (target: string, signal?: AbortSignal) => request(`${P}/audit`, data(z.object({ entries: z.array(auditEntrySchema), next: z.number().nullable() })), { query: { target, limit: 50 }, signal }).then((r) => r.data.entries),
};
