import type { StateSchema } from '../state/index.js';
import { readJson, type LabelRecord } from './json.js';

export type GroupStatus = 'firing' | 'acknowledged' | 'resolved';

/** An alert group: alerts grouped for one person to handle once. */
export interface AlertGroup {
  readonly id: string;
  readonly tenant: string;
  readonly integrationId: string;
  readonly groupKey: string;
  readonly groupLabels: LabelRecord;
  readonly title: string;
  readonly status: GroupStatus;
  /** Why nobody is paged: `maintenance`, `silenced`, `inhibited`, or null. */
  readonly suppressed: string | null;
  readonly silencedUntil: number | null;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAt: number | null;
  readonly resolvedBy: string | null;
  readonly resolvedAt: number | null;
  readonly alertsTotal: number;
  readonly alertsFiring: number;
  readonly routeId: string | null;
  readonly chainId: string | null;
  readonly escStep: number;
  readonly escRepeat: number;
  readonly escNextAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type GroupRow = StateSchema['incident_groups'];

const num = (v: number | null): number | null => (v === null ? null : Number(v));

export function toGroup(r: GroupRow): AlertGroup {
  return {
    id: r.id,
    tenant: r.tenant,
    integrationId: r.integration_id,
    groupKey: r.group_key,
    groupLabels: readJson<LabelRecord>(r.group_labels, {}),
    title: r.title,
    status: r.status as GroupStatus,
    suppressed: r.suppressed,
    silencedUntil: num(r.silenced_until),
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: num(r.acknowledged_at),
    resolvedBy: r.resolved_by,
    resolvedAt: num(r.resolved_at),
    alertsTotal: Number(r.alerts_total),
    alertsFiring: Number(r.alerts_firing),
    routeId: r.route_id,
    chainId: r.chain_id,
    escStep: Number(r.esc_step),
    escRepeat: Number(r.esc_repeat),
    escNextAt: num(r.esc_next_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** A stored alert (one fingerprint in one integration). */
export interface StoredAlert {
  readonly id: string;
  readonly tenant: string;
  readonly integrationId: string;
  readonly groupId: string;
  readonly fingerprint: string;
  readonly labels: LabelRecord;
  readonly annotations: LabelRecord;
  readonly generatorURL: string;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly status: 'firing' | 'resolved';
  readonly updatedAt: number;
}

export function toAlert(r: StateSchema['incident_alerts']): StoredAlert {
  return {
    id: r.id,
    tenant: r.tenant,
    integrationId: r.integration_id,
    groupId: r.group_id,
    fingerprint: r.fingerprint,
    labels: readJson<LabelRecord>(r.labels, {}),
    annotations: readJson<LabelRecord>(r.annotations, {}),
    generatorURL: r.generator_url,
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    status: r.status as 'firing' | 'resolved',
    updatedAt: Number(r.updated_at),
  };
}

/** What happened to a group, for listeners (notifications, the event stream). */
export type GroupChange = 'created' | 'acknowledged' | 'unacknowledged' | 'resolved' | 'silenced' | 'unsilenced' | 'alert';

export type GroupListener = (group: AlertGroup, change: GroupChange, actor: string) => void;
