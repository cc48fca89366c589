import { useEffect, useState } from 'react';
import { automationApi, runStatusSchema, type Run, type RunStatus } from '../../api/automation.js';
import { useSession } from '../../api/session.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { Link, setSearch } from '../../lib/router.js';
import { useAsync } from '../../lib/use-async.js';
import { formatDuration, RunStatusBadge, triggerText } from './RunStatusBadge.js';

const STATUSES = runStatusSchema.options;

/** Runbook runs, newest first: status, trigger, duration; runs waiting for approval are decided here. */
export function Runs(): React.JSX.Element {
  const t = useT();
  const { canWrite } = useSession();
  const initial = new URLSearchParams(location.search);
  const [status, setStatus] = useState<RunStatus | ''>(() => ((STATUSES as readonly string[]).includes(initial.get('status') ?? '') ? (initial.get('status') as RunStatus) : ''));
  const [runbook, setRunbook] = useState(initial.get('runbook') ?? '');
  const [older, setOlder] = useState<Run[]>([]);
  const [olderFull, setOlderFull] = useState(false);
  const [error, setError] = useState<Error>();
  const list = useAsync((signal) => automationApi.runs({ ...(status !== '' ? { status } : {}), runbook }, signal), [status, runbook]);
  useEffect(() => setOlder([]), [status, runbook]);
  useEffect(() => {
    const id = setInterval(list.reload, 5000);
    return () => clearInterval(id);
  }, [list.reload]);

  const runs = [...(list.data ?? []), ...older];
  const loadOlder = async (): Promise<void> => {
    try {
      const last = runs[runs.length - 1];
      const page = await automationApi.runs({ ...(status !== '' ? { status } : {}), runbook, ...(last ? { before: last.id } : {}) });
      setOlder([...older, ...page]);
      setOlderFull(page.length >= 100);
    } catch (e) {
      setError(e as Error);
    }
  };
  const decide = async (id: string, verb: 'approve' | 'reject'): Promise<void> => {
    setError(undefined);
    try {
      await automationApi.decide(id, verb);
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const waiting = runs.filter((r) => r.status === 'waiting_approval').length;

  return (
    <>
      <PageHeader title={t('runs.title')}>{waiting > 0 && <span className="badge badge-acknowledged">{t('runs.waiting', { n: waiting })}</span>}</PageHeader>
      <div className="toolbar">
        <label className="row">
          <span className="muted small">{t('runs.status')}</span>
          <select
            name="status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as RunStatus | '');
              setSearch({ status: e.target.value || undefined });
            }}
          >
            <option value="">{t('runs.all')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`runs.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="row">
          <span className="muted small">{t('runs.runbook')}</span>
          <input
            name="runbook"
            value={runbook}
            onChange={(e) => {
              setRunbook(e.target.value.trim());
              setSearch({ runbook: e.target.value.trim() || undefined });
            }}
          />
        </label>
      </div>
      <ErrorNote error={error ?? list.error} />
      {list.data && runs.length === 0 ? (
        <div className="card empty-state">
          <h2>{t('runs.empty')}</h2>
          <p className="muted">{t('runs.emptyText')}</p>
        </div>
      ) : (
        <div className="card flush">
          <table className="table runs-table">
            <thead>
              <tr>
                <th>{t('runs.status')}</th>
                <th>{t('runs.runbook')}</th>
                <th>{t('runs.trigger')}</th>
                <th>{t('runs.started')}</th>
                <th className="right">{t('runs.duration')}</th>
                {canWrite && <th>{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <td>
                    <RunStatusBadge status={r.status} />
                  </td>
                  <td>
                    <Link to={`/automation/runs/${encodeURIComponent(r.id)}`}>{r.runbook}</Link>
                    {r.status === 'waiting_approval' && r.approval !== null && r.approval.message !== '' && <div className="small">{r.approval.message}</div>}
                    {r.error !== '' && <div className="muted small">{r.error}</div>}
                  </td>
                  <td className="small">{triggerText(t, r.trigger)}</td>
                  <td className="nowrap">{formatDateTime(r.createdAt)}</td>
                  <td className="right nowrap">{formatDuration(r.durationMs)}</td>
                  {canWrite && (
                    <td className="nowrap">
                      {r.status === 'waiting_approval' && (
                        <span className="row">
                          <button type="button" className="btn btn-small btn-primary" onClick={() => void decide(r.id, 'approve')}>
                            {t('runs.approve')}
                          </button>
                          <button type="button" className="btn btn-small btn-danger" onClick={() => void decide(r.id, 'reject')}>
                            {t('runs.reject')}
                          </button>
                        </span>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {(older.length > 0 ? olderFull : (list.data?.length ?? 0) >= 100) && (
            <div className="row" style={{ padding: 10 }}>
              <button type="button" className="btn btn-small" onClick={() => void loadOlder()}>
                {t('runs.more')}
              </button>
            </div>
          )}
        </div>
      )}
    </>
  );
}
