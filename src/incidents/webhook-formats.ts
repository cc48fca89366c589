import { z } from 'zod';
import { IchigenError } from '../model/index.js';
import { parseWith } from '../http/index.js';
import type { IncomingAlert } from './grouping.js';
import type { Integration } from './integrations.js';
import { cleanLabels, type LabelRecord } from './json.js';
import { renderTemplate } from './template.js';

/**
 * Alerts sent as webhook notifications (Alertmanager's webhook_config, Grafana alerting's
 * webhook contact point) are resent only every repeat interval, so a firing one must not
 * expire after the resolve timeout: it stays firing until a "resolved" notification.
 */
export const WEBHOOK_FIRING_MS = 365 * 86_400_000;

const webhookAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.unknown()),
  annotations: z.record(z.unknown()).optional(),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
});

/** Alertmanager webhook payload (version 4); Grafana's webhook contact point adds fields we ignore. */
const webhookPayload = z.object({
  alerts: z.array(webhookAlert).max(10_000),
  status: z.string().optional(),
  groupLabels: z.record(z.unknown()).optional(),
});

const time = (v: string | undefined): number | undefined => {
  if (v === undefined || v === '' || v.startsWith('0001-01-01')) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
};

export function fromAlertmanagerWebhook(body: unknown, now: number): IncomingAlert[] {
  const p = parseWith(webhookPayload, body);
  return p.alerts.map((a, i) => {
    const labels = cleanLabels(a.labels);
    if (Object.keys(labels).length === 0) throw new IchigenError('INVALID_PARAMETER', `alerts.${i}: at least one label pair required`);
    const startsAt = time(a.startsAt);
    const endsAt = a.status === 'resolved' ? Math.min(time(a.endsAt) ?? now, now) : now + WEBHOOK_FIRING_MS;
    return {
      labels,
      annotations: cleanLabels(a.annotations ?? {}),
      ...(startsAt === undefined ? {} : { startsAt }),
      endsAt,
      ...(a.generatorURL === undefined ? {} : { generatorURL: a.generatorURL }),
    };
  });
}

function lookup(data: unknown, path: string): unknown {
  let cur = data;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * Any JSON object: labels from `labelsPath` (default `labels`, else the top-level scalar
 * fields), resolved when `resolveTemplate` renders to true/resolved/ok.
 */
export function fromGenericWebhook(integration: Integration, body: unknown, now: number): IncomingAlert[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new IchigenError('INVALID_BODY', 'the generic webhook expects a JSON object');
  const s = integration.settings;
  const raw = lookup(body, s.labelsPath ?? 'labels');
  let labels: LabelRecord = cleanLabels(raw);
  if (raw === undefined) {
    labels = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if ((typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && String(v).length <= 1000) labels[k] = String(v);
    }
  }
  if (s.groupingTemplate !== undefined) {
    const id = renderTemplate(s.groupingTemplate, { labels, annotations: {}, payload: body });
    if (id !== '') labels = { ...labels, grouping: id };
  }
  if (Object.keys(labels).length === 0) labels = { alertname: 'webhook' };
  const annotations = cleanLabels(lookup(body, 'annotations'));
  const resolved = s.resolveTemplate !== undefined && ['true', 'resolved', 'ok', '1'].includes(renderTemplate(s.resolveTemplate, { labels, annotations, payload: body }).trim().toLowerCase());
  return [{ labels, annotations, endsAt: resolved ? now : now + WEBHOOK_FIRING_MS, payload: body }];
}
