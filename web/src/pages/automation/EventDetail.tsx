import { automationApi } from '../../api/automation.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { Link } from '../../lib/router.js';
import { useAsync } from '../../lib/use-async.js';
import { RunStatusBadge } from './RunStatusBadge.js';

/** One stored event as automation rules see it, and the runs it started. */
export function EventDetail({ id }: { id: string }): React.JSX.Element {
  const t = useT();
  const event = useAsync((signal) => automationApi.event(id, signal), [id]);
  const runs = useAsync((signal) => automationApi.runs({ event: id }, signal), [id]);
  const e = event.data;
  const { seq: _seq, receivedAt: _received, ...envelope } = e ?? { seq: 0, receivedAt: '' };
  return (
    <>
      <div className="crumbs">
        <Link to="/automation/events">{t('events.title')}</Link> /
      </div>
      <PageHeader title={e ? `${e.source} · ${e['detail-type']}` : t('common.loading')} />
      <ErrorNote error={event.error} />
      {e && (
        <div className="detail-grid">
          <section className="card">
            <dl className="kv">
              <dt>{t('events.id')}</dt>
              <dd className="mono">{e.id}</dd>
              <dt>{t('events.time')}</dt>
              <dd>{formatDateTime(Date.parse(e.time))}</dd>
              <dt>{t('events.received')}</dt>
              <dd>{formatDateTime(Date.parse(e.receivedAt))}</dd>
            </dl>
            <h2>{t('events.json')}</h2>
            <div className="copyblock">
              <pre className="event-json">
                <code>{JSON.stringify(envelope, null, 2)}</code>
              </pre>
            </div>
          </section>
          <section className="card">
            <h2>{t('events.runs')}</h2>
            {(runs.data ?? []).length === 0 ? (
              <p className="muted small">{t('events.noRuns')}</p>
            ) : (
              <ul className="plain-list">
                {runs.data!.map((r) => (
                  <li key={r.id} className="row">
                    <RunStatusBadge status={r.status} />
                    <Link to={`/automation/runs/${encodeURIComponent(r.id)}`}>{r.runbook}</Link>
                    <span className="muted small">{formatDateTime(r.createdAt)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </>
  );
}
