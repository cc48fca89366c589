import type { IncidentsCore } from './core.js';
import { alertFingerprint } from './fingerprint.js';
import type { AlertGroup } from './group.js';
import { newId } from '../state/index.js';
import { WEBHOOK_FIRING_MS } from './webhook-formats.js';

export interface PageRequest {
  readonly title: string;
  readonly message: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Pages someone by hand (a person in the UI/API, or a runbook step): one alert through the
 * tenant's `manual` integration, so it is grouped, routed to an escalation chain by its
 * labels, silenced or inhibited exactly like any other alert. Each page is its own group.
 */
export async function pageManually(core: IncidentsCore, tenant: string, page: PageRequest, actor: string): Promise<AlertGroup> {
  const now = core.clock();
  const integration = await core.integrations.get((await ensureManual(core, tenant, now)).id);
  const labels = { ...page.labels, alertname: page.title, page_id: newId(now) };
  await core.intake.ingest(integration!, [{ labels, annotations: { summary: page.title, description: page.message }, endsAt: now + WEBHOOK_FIRING_MS }], actor);
  const row = await core.state.db.selectFrom('incident_alerts').select('group_id').where('integration_id', '=', integration!.id).where('fingerprint', '=', alertFingerprint(labels)).executeTakeFirstOrThrow();
  return core.groups.get(tenant, row.group_id);
}

async function ensureManual(core: IncidentsCore, tenant: string, now: number): Promise<{ id: string }> {
  const existing = (await core.integrations.list(tenant)).find((i) => i.name === 'manual');
  if (existing) return existing;
  try {
    return (await core.integrations.create(tenant, { name: 'manual', kind: 'manual', settings: { groupBy: ['...'] } }, now)).integration;
  } catch {
    // Another request (or replica) created it first.
    const again = (await core.integrations.list(tenant)).find((i) => i.name === 'manual');
    if (!again) throw new Error('could not create the manual paging integration');
    return again;
  }
}
