import type { AlertGroup } from '../../api/incidents.js';
import { useT } from '../../i18n/i18n.js';

export function StatusBadge({ group }: { group: Pick<AlertGroup, 'status' | 'suppressed'> }): React.JSX.Element {
  const t = useT();
  return (
    <span className={`badge badge-${group.status}`}>
      {t(`alerts.status.${group.status}`)}
      {group.suppressed && <span className="badge-sub"> · {group.suppressed}</span>}
    </span>
  );
}

export function LabelChips({ labels }: { labels: Readonly<Record<string, string>> }): React.JSX.Element {
  return (
    <span className="chips">
      {Object.entries(labels).map(([k, v]) => (
        <span key={k} className="chip">
          <span className="chip-k">{k}</span>={v}
        </span>
      ))}
    </span>
  );
}
