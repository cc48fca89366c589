import { z } from 'zod';
import { request } from './client.js';

const P = '/api/ichigen/v1';
const labels = z.record(z.string());
const data = <T extends z.ZodTypeAny>(s: T) => z.object({ data: s });

// Prometheus' /api/v1/rules (PromQL rules; LogQL rules at Loki's /prometheus/api/v1/rules).
const ruleAlertSchema = z.object({ labels, annotations: labels.optional(), state: z.string(), activeAt: z.string().optional(), value: z.string().optional() });
export const ruleSchema = z.object({
  name: z.string(),
  query: z.string(),
  type: z.enum(['alerting', 'recording']),
  state: z.string().optional(),
  health: z.string(),
  lastError: z.string().optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
  duration: z.number().optional(),
  keepFiringFor: z.number().optional(),
  alerts: z.array(ruleAlertSchema).optional(),
  evaluationTime: z.number().optional(),
  lastEvaluation: z.string().optional(),
});
export type Rule = z.infer<typeof ruleSchema>;
export const ruleGroupSchema = z.object({ name: z.string(), file: z.string(), interval: z.number(), rules: z.array(ruleSchema), lastEvaluation: z.string().optional(), evaluationTime: z.number().optional() });
export type RuleGroup = z.infer<typeof ruleGroupSchema>;
const rulesAnswer = z.object({ status: z.literal('success'), data: z.object({ groups: z.array(ruleGroupSchema) }) });

// Alertmanager API v2 silences.
export const matcherSchema = z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean().default(true) });
export type Matcher = z.infer<typeof matcherSchema>;
export const silenceSchema = z.object({
  id: z.string(),
  status: z.object({ state: z.enum(['active', 'pending', 'expired']) }),
  matchers: z.array(matcherSchema),
  startsAt: z.string(),
  endsAt: z.string(),
  updatedAt: z.string().optional(),
  createdBy: z.string(),
  comment: z.string(),
});
export type Silence = z.infer<typeof silenceSchema>;

// Escalation chains: the step types the server's chain schema accepts (it validates every save).
export const STEP_TYPES = ['wait', 'notify_users', 'notify_schedule', 'notify_team', 'round_robin', 'notify_channel', 'trigger_webhook', 'time_window', 'alert_threshold', 'repeat', 'resolve'] as const;
export type StepType = (typeof STEP_TYPES)[number];
export const stepSchema = z.object({ type: z.enum(STEP_TYPES) }).passthrough();
export type Step = { readonly type: StepType } & Record<string, unknown>;
export const chainSchema = z.object({ id: z.string(), name: z.string(), steps: z.array(stepSchema) });
export type Chain = { readonly id: string; readonly name: string; readonly steps: readonly Step[] };

export const teamSchema = z.object({ id: z.string(), name: z.string(), members: z.array(z.string()) }).passthrough();
export const channelSchema = z.object({ id: z.string(), name: z.string(), kind: z.string() }).passthrough();

// Integrations (inbound alert sources, each with a URL and a token shown once).
export const INTEGRATION_KINDS = ['alertmanager', 'grafana', 'webhook', 'heartbeat', 'zabbix', 'sns'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];
export const integrationSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  settings: z.record(z.unknown()),
  maintenanceUntil: z.number().nullable(),
  lastAlertAt: z.number().nullable(),
  createdAt: z.number(),
});
export type Integration = z.infer<typeof integrationSchema>;

// A user's notification settings.
export const METHODS = ['email', 'slack', 'sms', 'voice', 'teams', 'webhook'] as const;
export type Method = (typeof METHODS)[number];
export const userRuleSchema = z.union([z.object({ type: z.literal('notify'), method: z.enum(METHODS) }), z.object({ type: z.literal('wait'), duration: z.string() })]);
export type UserRule = z.infer<typeof userRuleSchema>;
export const notificationSettingsSchema = z.object({
  contact: z.object({ email: z.string().optional(), phone: z.string().optional(), slackUserId: z.string().optional(), teamsWebhookUrl: z.string().optional(), webhookUrl: z.string().optional() }).default({}),
  rules: z.array(userRuleSchema),
  importantRules: z.array(userRuleSchema),
  quietHours: z.object({ from: z.string(), to: z.string() }).nullable(),
  timeZone: z.string(),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

export const alertingApi = {
  /** PromQL and LogQL rule groups, each marked with its language. */
  rules: async (signal?: AbortSignal): Promise<Array<RuleGroup & { language: 'promql' | 'logql' }>> => {
    const get = (path: string): Promise<RuleGroup[]> =>
      request(path, rulesAnswer, { signal }).then(
        (r) => r.data.groups,
        // A build without LogQL rules answers 404 there: no groups, not an error.
        (e: unknown) => ((e as { status?: number }).status === 404 ? [] : Promise.reject(e)),
      );
    const [prom, logql] = await Promise.all([get('/api/v1/rules'), get('/prometheus/api/v1/rules')]);
    return [...prom.map((g) => ({ ...g, language: 'promql' as const })), ...logql.map((g) => ({ ...g, language: 'logql' as const }))];
  },
  silences: (signal?: AbortSignal) => request('/api/v2/silences', z.array(silenceSchema), { signal }),
  createSilence: (s: { matchers: Matcher[]; startsAt: string; endsAt: string; createdBy: string; comment: string }) => request('/api/v2/silences', z.object({ silenceID: z.string() }), { body: s }),
  expireSilence: (id: string) => request(`/api/v2/silence/${encodeURIComponent(id)}`, z.unknown(), { method: 'DELETE' }),
  chains: (signal?: AbortSignal) => request(`${P}/escalation-chains`, data(z.array(chainSchema)), { signal }).then((r) => r.data as Chain[]),
  createChain: (name: string, steps: readonly Step[]) => request(`${P}/escalation-chains`, data(chainSchema), { body: { name, steps } }).then((r) => r.data as Chain),
  saveChain: (id: string, name: string, steps: readonly Step[]) => request(`${P}/escalation-chains/${encodeURIComponent(id)}`, data(chainSchema), { method: 'PUT', body: { name, steps } }).then((r) => r.data as Chain),
  deleteChain: (id: string) => request(`${P}/escalation-chains/${encodeURIComponent(id)}`, z.unknown(), { method: 'DELETE' }),
  teams: (signal?: AbortSignal) => request(`${P}/teams`, data(z.array(teamSchema)), { signal }).then((r) => r.data),
  channels: (signal?: AbortSignal) => request(`${P}/channels`, data(z.array(channelSchema)), { signal }).then((r) => r.data),
  integrations: (signal?: AbortSignal) => request(`${P}/integrations`, data(z.array(integrationSchema)), { signal }).then((r) => r.data),
  createIntegration: (name: string, kind: IntegrationKind, settings: Record<string, unknown>) =>
    request(`${P}/integrations`, data(integrationSchema.extend({ token: z.string(), url: z.string() })), { body: { name, kind, settings } }).then((r) => r.data),
  deleteIntegration: (id: string) => request(`${P}/integrations/${encodeURIComponent(id)}`, z.unknown(), { method: 'DELETE' }),
  maintenance: (id: string, duration: string | null) => request(`${P}/integrations/${encodeURIComponent(id)}/maintenance`, data(integrationSchema), { method: 'PUT', body: { duration } }).then((r) => r.data),
  notificationSettings: (user: string, signal?: AbortSignal) => request(`${P}/users/${encodeURIComponent(user)}/notification-settings`, data(notificationSettingsSchema), { signal }).then((r) => r.data),
  saveNotificationSettings: (user: string, s: NotificationSettings) => request(`${P}/users/${encodeURIComponent(user)}/notification-settings`, data(notificationSettingsSchema), { method: 'PUT', body: s }).then((r) => r.data),
};
