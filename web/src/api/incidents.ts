import { z } from 'zod';
import { request } from './client.js';

const P = '/api/ichigen/v1';
const labels = z.record(z.string());

export const groupStatusSchema = z.enum(['firing', 'acknowledged', 'resolved']);
export type GroupStatus = z.infer<typeof groupStatusSchema>;

export const alertGroupSchema = z.object({
  id: z.string(),
  integrationId: z.string(),
  groupLabels: labels,
  title: z.string(),
  status: groupStatusSchema,
  suppressed: z.string().nullable(),
  silencedUntil: z.number().nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.number().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.number().nullable(),
  alertsTotal: z.number(),
  alertsFiring: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type AlertGroup = z.infer<typeof alertGroupSchema>;

export const storedAlertSchema = z.object({
  id: z.string(),
  fingerprint: z.string(),
  labels,
  annotations: labels,
  generatorURL: z.string(),
  startsAt: z.number(),
  endsAt: z.number(),
  status: z.enum(['firing', 'resolved']),
});
export type StoredAlert = z.infer<typeof storedAlertSchema>;

export const timelineEntrySchema = z.object({ id: z.number(), at: z.number(), kind: z.string(), actor: z.string(), message: z.string(), details: z.record(z.unknown()) });
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

const data = <T extends z.ZodTypeAny>(s: T) => z.object({ data: s });

export type GroupAction = 'acknowledge' | 'unacknowledge' | 'resolve' | 'silence' | 'unsilence';

export const incidentsApi = {
  groups: (status?: 'open' | GroupStatus, signal?: AbortSignal) => request(`${P}/alert-groups`, data(z.array(alertGroupSchema)), { query: { status, limit: 500 }, signal }).then((r) => r.data),
  group: (id: string) => request(`${P}/alert-groups/${encodeURIComponent(id)}`, data(alertGroupSchema.extend({ alerts: z.array(storedAlertSchema) }))).then((r) => r.data),
  timeline: (id: string) => request(`${P}/alert-groups/${encodeURIComponent(id)}/timeline`, data(z.array(timelineEntrySchema))).then((r) => r.data),
  act: (id: string, action: GroupAction, body: Record<string, unknown> = {}) => request(`${P}/alert-groups/${encodeURIComponent(id)}/${action}`, z.unknown(), { method: 'POST', body }),
  page: (title: string, message: string) => request(`${P}/page`, data(alertGroupSchema), { body: { title, message } }).then((r) => r.data),
};
