import { useState } from 'react';
import { incidentsApi, type GroupAction } from '../../api/incidents.js';
import { useSession } from '../../api/session.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { Link } from '../../lib/router.js';
import { useAsync } from '../../lib/use-async.js';
import { LabelChips, StatusBadge } from './StatusBadge.js';

export function AlertGroupDetail({ id }: { id: string }): React.JSX.Element {
  const t = useT();
  const { canWrite } = useSession();
  const group = useAsync(() => incidentsApi.group(id), [id]);
  const timeline = useAsync(() => incidentsApi.timeline(id), [id]);
  const [error, setError] = useState<Error>();
  const act = async (action: GroupAction): Promise<void> => {
    setError(undefined);
    try {
      await incidentsApi.act(id, action, action === 'silence' ? { duration: '1h' } : {});
      group.reload();
      timeline.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const g = group.data;
  return (
    <>
      <div className="crumbs">
        <Link to="/alerts">{t('alerts.title')}</Link> /
      </div>
      <PageHeader title={g?.title ?? t('common.loading')}>
        {g && canWrite && (
          <>
            {g.status === 'firing' && (
              <button type="button" className="btn btn-primary" onClick={() => void act('acknowledge')}>
                {t('alerts.acknowledge')}
              </button>
            )}
            {g.status === 'acknowledged' && (
              <button type="button" className="btn" onClick={() => void act('unacknowledge')}>
                {t('alerts.unacknowledge')}
              </button>
            )}
            {g.status !== 'resolved' && (
              <button type="button" className="btn" onClick={() => void act('resolve')}>
                {t('alerts.resolve')}
              </button>
            )}
            {g.silencedUntil && g.silencedUntil > Date.now() ? (
              <button type="button" className="btn" onClick={() => void act('unsilence')}>
                {t('alerts.unsilence')}
              </button>
            ) : (
              g.status !== 'resolved' && (
                <button type="button" className="btn" onClick={() => void act('silence')}>
                  {t('alerts.silence1h')}
                </button>
              )
            )}
          </>
        )}
      </PageHeader>
      <ErrorNote error={error ?? group.error} />
      {g && (
        <div className="detail-grid">
          <div>
            <section className="card">
              <div className="row">
                <StatusBadge group={g} />
                <LabelChips labels={g.groupLabels} />
              </div>
              <dl className="kv">
                <dt>{t('alerts.started')}</dt>
                <dd>{formatDateTime(g.createdAt)}</dd>
                {g.acknowledgedBy && (
                  <>
                    <dt>{t('alerts.acknowledgedBy')}</dt>
                    <dd>
                      {g.acknowledgedBy} · {formatDateTime(g.acknowledgedAt)}
                    </dd>
                  </>
                )}
                {g.resolvedAt && (
                  <>
                    <dt>{t('alerts.resolvedAt')}</dt>
                    <dd>
                      {g.resolvedBy ?? ''} · {formatDateTime(g.resolvedAt)}
                    </dd>
                  </>
                )}
              </dl>
            </section>
            <section className="card flush">
              <table className="table">
                <thead>
                  <tr>
                    <th>{t('alerts.alert')}</th>
                    <th>{t('alerts.status')}</th>
                    <th>{t('alerts.started')}</th>
                  </tr>
                </thead>
                <tbody>
                  {g.alerts.map((a) => (
                    <tr key={a.id}>
                      <td>
                        <div>{a.annotations.summary ?? a.labels.alertname ?? a.fingerprint}</div>
                        {a.annotations.description && <div className="muted small">{a.annotations.description}</div>}
                        <LabelChips labels={a.labels} />
                      </td>
                      <td>
                        <span className={`badge badge-${a.status}`}>{t(a.status === 'firing' ? 'alerts.status.firing' : 'alerts.status.resolved')}</span>
                      </td>
                      <td className="nowrap">{formatDateTime(a.startsAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
          <section className="card">
            <h2>{t('alerts.timeline')}</h2>
            <ol className="timeline">
              {(timeline.data ?? []).map((e) => (
                <li key={e.id} className={`tl-${e.kind}`}>
                  <div className="tl-when">{formatDateTime(e.at)}</div>
                  <div className="tl-what">
                    <strong>{e.actor}</strong> {e.message}
                  </div>
                </li>
              ))}
            </ol>
          </section>
        </div>
      )}
    </>
  );
}
