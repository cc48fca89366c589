import { z } from 'zod';
import { parseWith } from '../http/index.js';
import { alertFingerprint } from './fingerprint.js';
import type { IncomingAlert } from './grouping.js';
import type { LabelRecord } from './json.js';
import { WEBHOOK_FIRING_MS } from './webhook-formats.js';

/** Zabbix's severities by {EVENT.NSEVERITY}, as label values. */
const SEVERITIES = ['not_classified', 'information', 'warning', 'average', 'high', 'disaster'];

/**
 * The parameters of the Ichigen webhook media type (README), each a Zabbix macro; the media
 * type's script posts them as one JSON object. All values arrive as strings.
 */
const zabbixPayload = z
  .object({
    event_id: z.string().min(1).max(64),
    event_name: z.string().max(2000).optional(),
    event_nseverity: z.string().max(8).optional(),
    event_value: z.string().max(8).optional(),
    event_update_status: z.string().max(8).optional(),
    event_update_action: z.string().max(2000).optional(),
    event_date: z.string().max(32).optional(),
    event_time: z.string().max(32).optional(),
    event_tags: z.string().max(64 * 1024).optional(),
    event_opdata: z.string().max(4000).optional(),
    host_name: z.string().max(500).optional(),
    host_ip: z.string().max(200).optional(),
    trigger_id: z.string().max(64).optional(),
    trigger_description: z.string().max(64 * 1024).optional(),
    zabbix_url: z.string().max(2000).optional(),
    alert_subject: z.string().max(2000).optional(),
    alert_message: z.string().max(64 * 1024).optional(),
  })
  .passthrough();

/** A macro Zabbix could not resolve stays in the text as `{MACRO.NAME}` (or `*UNKNOWN*`): treat it as absent. */
function value(v: string | undefined): string {
  if (v === undefined) return '';
  const t = v.trim();
  return /^\{[A-Z0-9_.$]+\}$/.test(t) || t === '*UNKNOWN*' ? '' : t;
}

/** {EVENT.TAGSJSON}: `[{"tag":"service","value":"db"}, …]`. Tags become labels (names made label-safe). */
function tags(text: string): LabelRecord {
  const out: LabelRecord = {};
  if (text === '') return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return out;
  }
  for (const t of Array.isArray(parsed) ? parsed : []) {
    if (t === null || typeof t !== 'object') continue;
    const { tag, value: v } = t as { tag?: unknown; value?: unknown };
    if (typeof tag !== 'string' || tag === '') continue;
    const name = tag.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
    if (!(name in out)) out[name] = typeof v === 'string' ? v : '';
  }
  return out;
}

/** {EVENT.DATE} {EVENT.TIME} are the Zabbix server's local `yyyy.mm.dd` and `hh:mm:ss` without a zone: kept as text. */
function startedAt(date: string, time: string): string {
  return date !== '' && time !== '' ? `${date} ${time}` : '';
}

/**
 * One Zabbix notification as one alert. The alert's identity is the problem event
 * ({EVENT.ID}, which recovery and update notifications repeat), so a recovery resolves it
 * even when the severity changed in between. {EVENT.VALUE} 1 is a problem (firing), 0 a
 * recovery (resolved); an update notification (acknowledge, comment, severity change)
 * refreshes the firing alert's labels and annotations.
 */
export function fromZabbixWebhook(body: unknown, now: number): IncomingAlert[] {
  const p = parseWith(zabbixPayload, body);
  const eventId = value(p.event_id);
  const severity = SEVERITIES[Number(value(p.event_nseverity))] ?? '';
  const name = value(p.event_name) || value(p.alert_subject) || `Zabbix event ${eventId}`;
  const labels: LabelRecord = { ...tags(value(p.event_tags)), alertname: name, zabbix_event_id: eventId };
  if (severity !== '') labels.severity = severity;
  const host = value(p.host_name);
  if (host !== '') labels.host = host;
  if (value(p.trigger_id) !== '') labels.zabbix_trigger_id = value(p.trigger_id);
  const annotations: LabelRecord = {};
  const put = (k: string, v: string): void => {
    if (v !== '') annotations[k] = v;
  };
  put('summary', value(p.alert_subject));
  put('description', value(p.alert_message) || value(p.trigger_description));
  put('operational_data', value(p.event_opdata));
  put('host_ip', value(p.host_ip));
  put('started', startedAt(value(p.event_date), value(p.event_time)));
  if (value(p.event_update_status) === '1') put('last_update', value(p.event_update_action));
  const url = value(p.zabbix_url);
  const resolved = value(p.event_value) === '0';
  return [
    {
      labels,
      annotations,
      fingerprint: alertFingerprint({ zabbix_event_id: eventId }),
      endsAt: resolved ? now : now + WEBHOOK_FIRING_MS,
      ...(url === '' ? {} : { generatorURL: `${url.replace(/\/+$/, '')}/tr_events.php?triggerid=${encodeURIComponent(value(p.trigger_id))}&eventid=${encodeURIComponent(eventId)}` }),
      payload: body,
    },
  ];
}
