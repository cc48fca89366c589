import { z } from 'zod';

// The dashboard format, shared by the API (validation) and the web UI (types and editing).
// Imports nothing but zod so the browser bundle can use it.

/** `heatmap` draws Prometheus histogram buckets (series with an `le` label); `logs` lists the lines of a LogQL query. */
export const PANEL_TYPES = ['timeseries', 'stat', 'bargauge', 'table', 'heatmap', 'logs'] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

export const panelSchema = z.object({
  id: z.string().min(1).max(64),
  title: z.string().max(200).default(''),
  type: z.enum(PANEL_TYPES),
  /** PromQL (LogQL for `logs` panels and `source: loki`); `$name` and `${name}` refer to variables. */
  expr: z.string().max(10_000),
  /** Where a metric panel's query runs: PromQL, or a LogQL metric query (`rate({app="x"}[1m])`). Logs panels always read Loki. */
  source: z.enum(['prometheus', 'loki']).default('prometheus'),
  /** Legend template: `{{label}}` is replaced by the series' label value (Grafana's syntax). */
  legend: z.string().max(500).default(''),
  unit: z.string().max(32).default('short'),
  stacked: z.boolean().default(false),
  /** Position on a 24-column grid; rows are 30 px. */
  gridPos: z.object({ x: z.number().int().min(0).max(23), y: z.number().int().min(0).max(10_000), w: z.number().int().min(1).max(24), h: z.number().int().min(2).max(100) }),
});
export type Panel = z.infer<typeof panelSchema>;

export const variableSchema = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a variable name is letters, digits and _'),
  /** The label whose values are offered. */
  label: z.string().min(1).max(200),
  /** Optional series selector narrowing the values, e.g. `up{job="node"}`. */
  match: z.string().max(2000).default(''),
  multi: z.boolean().default(false),
  includeAll: z.boolean().default(false),
  /** The selected values. */
  current: z.array(z.string()).default([]),
});
export type Variable = z.infer<typeof variableSchema>;

export const dashboardSpecSchema = z.object({
  title: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
  time: z.object({ from: z.string().min(1).max(64), to: z.string().min(1).max(64) }).default({ from: 'now-1h', to: 'now' }),
  /** Auto-refresh interval (`30s`, `1m`) or empty for none. */
  refresh: z.string().max(16).default(''),
  variables: z.array(variableSchema).max(20).default([]),
  panels: z.array(panelSchema).max(100).default([]),
});
export type DashboardSpec = z.infer<typeof dashboardSpecSchema>;

export const dashboardSchema = z.object({
  id: z.string(),
  title: z.string(),
  version: z.number(),
  spec: dashboardSpecSchema,
  createdBy: z.string(),
  createdAt: z.number(),
  updatedBy: z.string(),
  updatedAt: z.number(),
});
export type Dashboard = z.infer<typeof dashboardSchema>;

export const dashboardVersionSchema = z.object({ version: z.number(), message: z.string(), createdBy: z.string(), createdAt: z.number() });
export type DashboardVersion = z.infer<typeof dashboardVersionSchema>;

/** Body of a save: the spec, the version it was based on (a concurrent save is refused), a note. */
export const saveDashboardSchema = z.object({ spec: dashboardSpecSchema, version: z.number().int().min(1), message: z.string().max(500).default('') });
