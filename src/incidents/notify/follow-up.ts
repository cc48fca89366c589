import type { StateDb } from '../../state/index.js';
import type { AlertGroup, GroupChange } from '../group.js';
import { readJson } from '../json.js';
import { enqueueJobs } from './jobs.js';

/**
 * Channels that were told about a firing group also hear when it is acknowledged or
 * resolved (PagerDuty/Opsgenie close their incident, the Slack room sees it is handled).
 */
export async function enqueueFollowUps(state: StateDb, g: AlertGroup, change: GroupChange, now: number): Promise<void> {
  if (change !== 'acknowledged' && change !== 'resolved') return;
  const row = await state.db.selectFrom('incident_groups').select('esc_state').where('id', '=', g.id).executeTakeFirst();
  const channels = readJson<{ channels?: string[] }>(row?.esc_state, {}).channels ?? [];
  await enqueueJobs(
    state.db,
    state.sql,
    g.tenant,
    channels.map((channelId) => ({ job: { groupId: g.id, event: change, channelId, requireOpen: false, reason: `group ${change}` }, runAt: now })),
    now,
  );
}
