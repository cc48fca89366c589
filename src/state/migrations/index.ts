import type { Migration } from 'kysely';
import { foundation } from './0001-foundation.js';
import { events } from './0200-events.js';
import { incidents } from './0100-incidents.js';
import { ruleGroups } from './0110-rule-groups.js';
import { eventSources } from './0201-event-sources.js';
import { automation } from './0202-automation.js';
import { automationReplicas } from './0203-automation-replicas.js';
import { runEvent } from './0204-run-event.js';
import { dashboards } from './0300-dashboards.js';

/**
 * Every migration, by name. Names sort in the order they were written; modules add
 * theirs here (state is the one place that knows the whole schema).
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-foundation': foundation,
  '0100-incidents': incidents,
  '0110-rule-groups': ruleGroups,
  '0200-events': events,
  '0201-event-sources': eventSources,
  '0202-automation': automation,
  '0203-automation-replicas': automationReplicas,
  '0204-run-event': runEvent,
  '0300-dashboards': dashboards,
};
