import { useEffect, useState } from 'react';
import { incidentsApi } from '../api/incidents.js';
import { oncallApi } from '../api/oncall.js';
import { useSession } from '../api/session.js';
import { LabelChips, StatusBadge } from './alerts/StatusBadge.js';
import { PageHeader } from '../components/Layout.js';
import type { MessageKey } from '../i18n/en.js';
import { useT } from '../i18n/i18n.js';
import { parsePromText, sumOf } from '../lib/prom-text.js';
import { Link } from '../lib/router.js';
import { formatValue, type Unit } from '../lib/units.js';
import { useAsync } from '../lib/use-async.js';
import { IngestHealth } from './overview/IngestHealth.js';
import { ServicesRed } from './overview/ServicesRed.js';
import { StorageUse } from './overview/StorageUse.js';
import { SenderSnippets } from './settings/Connect.js';

interface Stat {
  readonly label: MessageKey;
  readonly value: number | undefined;
  readonly unit: Unit;
  readonly bad?: boolean;
}

async function loadHealth(signal: AbortSignal): Promise<Stat[]> {
  const res = await fetch('/metrics', { signal, credentials: 'same-origin' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const s = parsePromText(await res.text());
  const start = sumOf(s, 'process_start_time_seconds');
  const errors = sumOf(s, 'ichigen_http_requests_total', (l) => (l.code ?? '').startsWith('5'));
  return [
    { label: 'overview.requests', value: sumOf(s, 'ichigen_http_requests_total'), unit: 'short' },
    { label: 'overview.errors', value: errors ?? 0, unit: 'short', bad: (errors ?? 0) > 0 },
    { label: 'overview.memory', value: sumOf(s, 'process_resident_memory_bytes'), unit: 'bytes' },
    { label: 'overview.eventLoop', value: sumOf(s, 'nodejs_eventloop_lag_seconds'), unit: 'seconds' },
    { label: 'overview.uptime', value: start === undefined ? undefined : Date.now() / 1000 - start, unit: 'seconds' },
  ];
}

export function Overview(): React.JSX.Element {
  const t = useT();
  const { isAdmin, caps } = useSession();
  const [tick, setTick] = useState(0);
  const health = useAsync(loadHealth, [tick]);
  // Keep the figures fresh while the page is open.
  useEffect(() => {
    const id = setInterval(() => setTick((x) => x + 1), 15_000);
    return () => clearInterval(id);
  }, []);
  const open = useAsync((signal) => (caps?.alerts ? incidentsApi.groups('open', signal) : Promise.resolve(undefined)), [caps?.alerts]);
  const oncall = useAsync(
    async () => (caps?.schedules ? Promise.all((await oncallApi.schedules()).map(async (sc) => ({ name: sc.name, users: (await oncallApi.oncall(sc.id)).users }))) : undefined),
    [caps?.schedules],
  );
  return (
    <>
      <PageHeader title={t('overview.title')} />
      {oncall.data && oncall.data.length > 0 && (
        <section className="card">
          <h2>
            <Link to="/alerts/schedules">{t('overview.oncall')}</Link>
          </h2>
          <div className="row">
            {oncall.data.map((o) => (
              <span key={o.name} className="chip oncall-user">
                <span className="muted">{o.name}:</span> {o.users.length > 0 ? o.users.join(', ') : t('oncall.nobody')}
              </span>
            ))}
          </div>
        </section>
      )}
      {caps?.alerts && open.data && (
        <section className="card">
          <h2>
            <Link to="/alerts">{t('overview.attention')}</Link>{' '}
            <span className="muted small">{t('overview.openGroups', { n: open.data.length })}</span>
          </h2>
          {open.data.length === 0 ? (
            <p className="muted">{t('alerts.empty')}</p>
          ) : (
            <ul className="attention">
              {open.data.slice(0, 8).map((g) => (
                <li key={g.id}>
                  <StatusBadge group={g} /> <Link to={`/alerts/groups/${g.id}`}>{g.title}</Link> <LabelChips labels={g.groupLabels} />
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {caps?.metrics && caps.traces && <ServicesRed refreshTick={tick} />}
      {caps?.metrics && <IngestHealth refreshTick={tick} />}
      <StorageUse refreshTick={tick} />
      <section className="card">
        <h2>{t('overview.health')}</h2>
        {health.error ? (
          <p className="muted">{t('overview.noHealth')}</p>
        ) : (
          <div className="stats">
            {(health.data ?? []).map((st) => (
              <div key={st.label} className={`stat${st.bad ? ' stat-bad' : ''}`}>
                <div className="stat-value">{formatValue(st.value, st.unit, 1)}</div>
                <div className="stat-label">{t(st.label)}</div>
              </div>
            ))}
          </div>
        )}
      </section>
      <section className="card welcome">
        <h2>{t('overview.welcome')}</h2>
        <p>{t('overview.welcomeText')}</p>
        <div className="row">
          {caps?.metrics && (
            <Link className="btn btn-primary" to="/explore/metrics">
              {t('overview.exploreMetrics')}
            </Link>
          )}
          <Link className={`btn${caps?.metrics ? '' : ' btn-primary'}`} to="/settings/connect">
            {t('overview.sendData')}
          </Link>
          {isAdmin && (
            <Link className="btn" to="/settings/tokens">
              {t('overview.manageTokens')}
            </Link>
          )}
        </div>
      </section>
      <SenderSnippets token="" />
    </>
  );
}
