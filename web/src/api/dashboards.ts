import { z } from 'zod';
import { dashboardSchema, dashboardVersionSchema, dashboardSpecSchema, type DashboardSpec } from '../../../src/api/dashboards/spec.js';
import { request } from './client.js';
import { envelope } from './schemas.js';

const P = '/api/ichigen/v1/dashboards';
const listItem = dashboardSchema.omit({ spec: true }).extend({ panels: z.number() });

export const dashboardsApi = {
  list: () => request(P, envelope(z.array(listItem))).then((r) => r.data),
  get: (id: string) => request(`${P}/${encodeURIComponent(id)}`, envelope(dashboardSchema)).then((r) => r.data),
  create: (spec: DashboardSpec) => request(P, envelope(dashboardSchema), { body: spec }).then((r) => r.data),
  save: (id: string, spec: DashboardSpec, version: number, message = '') => request(`${P}/${encodeURIComponent(id)}`, envelope(dashboardSchema), { method: 'PUT', body: { spec, version, message } }).then((r) => r.data),
  remove: (id: string) => request(`${P}/${encodeURIComponent(id)}`, envelope(z.null()), { method: 'DELETE' }),
  versions: (id: string) => request(`${P}/${encodeURIComponent(id)}/versions`, envelope(z.array(dashboardVersionSchema))).then((r) => r.data),
  version: (id: string, version: number) => request(`${P}/${encodeURIComponent(id)}/versions/${version}`, envelope(dashboardSpecSchema)).then((r) => r.data),
  labelValues: (label: string, match: string, signal?: AbortSignal) =>
    request(`/api/v1/label/${encodeURIComponent(label)}/values`, z.object({ status: z.literal('success'), data: z.array(z.string()) }), { query: { 'match[]': match || undefined }, signal }).then((r) => r.data),
};
