import { z } from 'zod';
import { request } from './client.js';

const P = '/api/ichigen/v1';

export const scheduleSchema = z.object({ id: z.string(), name: z.string(), timeZone: z.string(), layers: z.array(z.object({ kind: z.string(), name: z.string().optional() }).passthrough()) });
export type Schedule = z.infer<typeof scheduleSchema>;
const intervalSchema = z.object({ start: z.string(), end: z.string(), users: z.array(z.string()) });
export type OnCallInterval = z.infer<typeof intervalSchema>;
const oncallSchema = z.object({ at: z.string(), users: z.array(z.string()), intervals: z.array(intervalSchema).optional() });

export const oncallApi = {
  schedules: () => request(`${P}/schedules`, z.object({ data: z.array(scheduleSchema) })).then((r) => r.data),
  oncall: (id: string, from?: string, to?: string) => request(`${P}/schedules/${encodeURIComponent(id)}/oncall`, z.object({ data: oncallSchema }), { query: { from, to } }).then((r) => r.data),
  override: (id: string, user: string, start: string, end: string) => request(`${P}/schedules/${encodeURIComponent(id)}/overrides`, z.unknown(), { body: { user, start, end } }),
};
