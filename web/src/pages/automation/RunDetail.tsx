import { useEffect, useState } from 'react';
import { automationApi, type Run } from '../../api/automation.js';
import { useSession } from '../../api/session.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { Link } from '../../lib/router.js';
import { useAsync } from '../../lib/use-async.js';
import { formatDuration, RunStatusBadge, triggerText } from './RunStatusBadge.js';

const active = (r: Run | undefined): boolean => r !== undefined && (r.status === 'running' || r.status === 'waiting_approval');

function Output({ text }: { text: string }): React.JSX.Element {
  return (
    <div className="copyblock">
      <pre className="run-output">
        <code>{text}</code>
      </pre>
    </div>
  );
}

/** One run: trigger, parameters, approval, each step's output and exit code, and its audit entries. */
export function RunDetail({ id }: { id: string }): React.JSX.Element {
  const t = useT();
  const { canWrite, isAdmin } = useSession();
  const run = useAsync((signal) => automationApi.run(id, signal), [id]);
  const audit = useAsync((signal) => (isAdmin ? automationApi.audit(id, signal) : Promise.resolve([])), [id, isAdmin, run.data?.status]);
  const [error, setError] = useState<Error>();
  const r = run.data;
  // Follow a run while it executes or waits; stop once it has finished.
  useEffect(() => {
    if (!active(r)) return;
    const timer = setInterval(run.reload, 2000);
    return () => clearInterval(timer);
  }, [r, run.reload]);

  const act = async (f: () => Promise<unknown>): Promise<void> => {
    setError(undefined);
    try {
      await f();
      run.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <>
      <div className="crumbs">
        <Link to="/automation/runs">{t('runs.title')}</Link> /
      </div>
      <PageHeader title={r ? `${r.runbook} · ${r.id}` : t('common.loading')}>
        {r && canWrite && (
          <>
            {r.status === 'waiting_approval' && (
              <>
                <button type="button" className="btn btn-primary" onClick={() => void act(() => automationApi.decide(id, 'approve'))}>
                  {t('runs.approve')}
                </button>
                <button type="button" className="btn btn-danger" onClick={() => void act(() => automationApi.decide(id, 'reject'))}>
                  {t('runs.reject')}
                </button>
              </>
            )}
            {active(r) && (
              <button type="button" className="btn" onClick={() => void act(() => automationApi.cancel(id))}>
                {t('runs.cancel')}
              </button>
            )}
          </>
        )}
      </PageHeader>
      <ErrorNote error={error ?? run.error} />
      {r && (
        <div className="detail-grid">
          <div>
            <section className="card">
              <div className="row">
                <RunStatusBadge status={r.status} />
                <span className="muted small">{triggerText(t, r.trigger)}</span>
              </div>
              <dl className="kv">
                <dt>{t('runs.started')}</dt>
                <dd>{formatDateTime(r.createdAt)}</dd>
                <dt>{t('runs.finished')}</dt>
                <dd>{formatDateTime(r.finishedAt)}</dd>
                <dt>{t('runs.duration')}</dt>
                <dd>{formatDuration(r.durationMs)}</dd>
                {r.trigger.eventId && (
                  <>
                    <dt>{t('runs.event')}</dt>
                    <dd>
                      <Link to={`/automation/events/${encodeURIComponent(r.trigger.eventId)}`}>{r.trigger.event ? `${r.trigger.event.source} · ${r.trigger.event['detail-type']}` : r.trigger.eventId}</Link>
                    </dd>
                  </>
                )}
                {r.replica && (
                  <>
                    <dt>{t('runs.replica')}</dt>
                    <dd className="mono">{r.replica}</dd>
                  </>
                )}
                {r.error !== '' && (
                  <>
                    <dt>{t('runs.error')}</dt>
                    <dd>{r.error}</dd>
                  </>
                )}
              </dl>
            </section>
            <section className="card flush">
              <table className="table steps-table">
                <thead>
                  <tr>
                    <th>{t('runs.step')}</th>
                    <th>{t('runs.status')}</th>
                    <th className="right">{t('runs.exitCode')}</th>
                    <th className="right">{t('runs.duration')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.steps.length === 0 && (
                    <tr>
                      <td colSpan={4} className="muted">
                        {t('runs.noSteps')}
                      </td>
                    </tr>
                  )}
                  {r.steps.map((s) => (
                    <tr key={`${s.idx}-${s.name}`} data-step={s.name}>
                      <td>
                        <div>
                          {s.name} <span className="muted small">{s.action}</span>
                        </div>
                        {(s.output !== '' || s.status === 'running') && <Output text={s.status === 'running' ? (r.liveOutput ?? s.output) : s.output} />}
                      </td>
                      <td className="nowrap">{s.status}</td>
                      <td className="right">{s.exitCode ?? '–'}</td>
                      <td className="right nowrap">{formatDuration(s.durationMs)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
          <div>
            <section className="card">
              <h2>{t('runs.params')}</h2>
              {Object.keys(r.params).length === 0 ? (
                <p className="muted">{t('runs.noParams')}</p>
              ) : (
                <table className="kv-table">
                  <tbody>
                    {Object.entries(r.params).map(([k, v]) => (
                      <tr key={k}>
                        <th>{k}</th>
                        <td className="mono">{typeof v === 'string' ? v : JSON.stringify(v)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            {r.approval && (
              <section className="card">
                <h2>{t('runs.approval')}</h2>
                {r.approval.message !== '' && <p>{r.approval.message}</p>}
                <p className="muted small">{t('runs.approvalAsked', { at: formatDateTime(r.approval.requestedAt), expires: formatDateTime(r.approval.expiresAt) })}</p>
                {r.approval.decision && <p className="approval-decision">{t('runs.approvalDecided', { decision: r.approval.decision, who: r.approval.decidedBy ?? '', via: r.approval.decidedVia ?? '', at: formatDateTime(r.approval.decidedAt) })}</p>}
              </section>
            )}
            <section className="card">
              <h2>{t('runs.audit')}</h2>
              {!isAdmin ? (
                <p className="muted small">{t('runs.auditAdminOnly')}</p>
              ) : (
                <ul className="timeline audit-log">
                  {(audit.data ?? []).map((a) => (
                    <li key={a.id}>
                      <div>
                        <strong>{a.action}</strong> <span className="muted small">{a.actor}</span>
                      </div>
                      <div className="muted small">{formatDateTime(Date.parse(a.at))}</div>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        </div>
      )}
    </>
  );
}
