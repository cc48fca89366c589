import type { IchigenEvent } from '../model/index.js';

/**
 * The JSON an event pattern is matched against and an API destination receives: the
 * EventBridge envelope (`detail-type`, ISO `time`…), plus Ichigen's `tenant`. Patterns written
 * for EventBridge therefore match Ichigen events unchanged.
 */
export interface EventEnvelope extends Record<string, unknown> {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
  readonly tenant: string;
}

export function toEnvelope(e: IchigenEvent): EventEnvelope {
  return {
    version: '0',
    id: e.id,
    'detail-type': e.detailType,
    source: e.source,
    account: e.account ?? '',
    time: new Date(e.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: e.region ?? '',
    resources: e.resources,
    detail: e.detail,
    tenant: e.tenant,
  };
}
