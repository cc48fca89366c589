import type { Run, RunStatus } from '../../api/automation.js';
import { useT, type Translate } from '../../i18n/i18n.js';

// The alert badge colours: red for what went wrong, amber for what waits, green for done.
const COLOUR: Record<RunStatus, string> = {
  running: 'badge-acknowledged',
  waiting_approval: 'badge-acknowledged',
  succeeded: 'badge-resolved',
  failed: 'badge-firing',
  canceled: '',
  rejected: 'badge-firing',
  interrupted: 'badge-firing',
};

export function RunStatusBadge({ status }: { status: RunStatus }): React.JSX.Element {
  const t = useT();
  return <span className={`badge ${COLOUR[status]} run-${status}`}>{t(`runs.status.${status}`)}</span>;
}

/** "event → rule disk-full", "manual (alice)", "schedule → rule nightly". */
export function triggerText(t: Translate, trigger: Run['trigger']): string {
  if (trigger.kind === 'event') return t('runs.trigger.event', { rule: trigger.ruleName ?? '' });
  if (trigger.kind === 'schedule') return t('runs.trigger.schedule', { rule: trigger.ruleName ?? '' });
  return t('runs.trigger.manual', { actor: trigger.actor ?? '' });
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}
