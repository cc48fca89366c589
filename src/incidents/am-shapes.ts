import { z } from 'zod';
import { IchigenError, isValidLabelName } from '../model/index.js';
import type { StoredAlert } from './group.js';
import type { IncomingAlert } from './grouping.js';
import { cleanLabels } from './json.js';
import { silenceState, type Silence } from './silences.js';

/** Alertmanager API v2 postableAlert. */
const postableAlert = z.object({
  labels: z.record(z.string()),
  annotations: z.record(z.string()).optional(),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
});
export const postableAlerts = z.array(postableAlert);

/** Go's zero time.Time, which some senders put in unset timestamps. */
function parseTime(v: string | undefined, field: string, index: number): number | undefined {
  if (v === undefined || v === '' || v.startsWith('0001-01-01')) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new IchigenError('INVALID_PARAMETER', `alert ${index}: ${field} "${v}" is not an RFC 3339 time`);
  return t;
}

export function toIncoming(body: z.infer<typeof postableAlerts>): IncomingAlert[] {
  return body.map((a, i) => {
    const labels = cleanLabels(a.labels);
    if (Object.keys(labels).length === 0) throw new IchigenError('INVALID_PARAMETER', `alert ${i}: at least one label pair required`);
    for (const name of Object.keys(labels)) if (!isValidLabelName(name)) throw new IchigenError('INVALID_PARAMETER', `alert ${i}: invalid label name "${name}"`);
    const startsAt = parseTime(a.startsAt, 'startsAt', i);
    const endsAt = parseTime(a.endsAt, 'endsAt', i);
    if (startsAt !== undefined && endsAt !== undefined && endsAt < startsAt) throw new IchigenError('INVALID_PARAMETER', `alert ${i}: start time must be before end time`);
    return {
      labels,
      annotations: cleanLabels(a.annotations ?? {}),
      ...(startsAt === undefined ? {} : { startsAt }),
      ...(endsAt === undefined ? {} : { endsAt }),
      ...(a.generatorURL === undefined ? {} : { generatorURL: a.generatorURL }),
    };
  });
}

export interface AlertSuppression {
  readonly silencedBy: string[];
  readonly inhibitedBy: string[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Alertmanager API v2 gettableAlert. */
export function gettableAlert(a: StoredAlert, receiver: string, s: AlertSuppression): Record<string, unknown> {
  return {
    annotations: a.annotations,
    endsAt: iso(a.endsAt),
    fingerprint: a.fingerprint,
    receivers: [{ name: receiver }],
    startsAt: iso(a.startsAt),
    status: { inhibitedBy: s.inhibitedBy, silencedBy: s.silencedBy, state: s.silencedBy.length > 0 || s.inhibitedBy.length > 0 ? 'suppressed' : 'active' },
    updatedAt: iso(a.updatedAt),
    ...(a.generatorURL === '' ? {} : { generatorURL: a.generatorURL }),
    labels: a.labels,
  };
}

/** Alertmanager API v2 gettableSilence. */
export function gettableSilence(s: Silence, now: number): Record<string, unknown> {
  return {
    id: s.id,
    status: { state: silenceState(s, now) },
    updatedAt: iso(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: iso(s.endsAt),
    matchers: s.matchers.map((m) => ({ isEqual: m.isEqual, isRegex: m.isRegex, name: m.name, value: m.value })),
    startsAt: iso(s.startsAt),
  };
}
