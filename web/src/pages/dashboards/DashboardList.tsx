import { useState, type FormEvent } from 'react';
import { dashboardsApi } from '../../api/dashboards.js';
import { useSession } from '../../api/session.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { importGrafanaDashboard, type ImportResult } from '../../lib/grafana-import.js';
import { Link, navigate } from '../../lib/router.js';
import { useAsync } from '../../lib/use-async.js';

export function DashboardList(): React.JSX.Element {
  const t = useT();
  const { canWrite } = useSession();
  const list = useAsync(() => dashboardsApi.list(), []);
  const [title, setTitle] = useState('');
  const [json, setJson] = useState('');
  const [preview, setPreview] = useState<ImportResult>();
  const [error, setError] = useState<Error>();
  const [mode, setMode] = useState<'none' | 'new' | 'import'>('none');

  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      const d = await dashboardsApi.create({ title, description: '', time: { from: 'now-1h', to: 'now' }, refresh: '', variables: [], panels: [] });
      navigate(`/dashboards/${d.id}`);
    } catch (err) {
      setError(err as Error);
    }
  };
  const check = (): void => {
    setError(undefined);
    try {
      setPreview(importGrafanaDashboard(JSON.parse(json)));
    } catch (err) {
      setPreview(undefined);
      setError(err as Error);
    }
  };
  const doImport = async (): Promise<void> => {
    if (!preview) return;
    try {
      const d = await dashboardsApi.create(preview.spec);
      navigate(`/dashboards/${d.id}`);
    } catch (err) {
      setError(err as Error);
    }
  };

  return (
    <>
      <PageHeader title={t('dash.title')}>
        {canWrite && (
          <>
            <button type="button" className="btn" onClick={() => setMode(mode === 'import' ? 'none' : 'import')}>
              {t('dash.import')}
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setMode(mode === 'new' ? 'none' : 'new')}>
              {t('dash.new')}
            </button>
          </>
        )}
      </PageHeader>
      <ErrorNote error={error ?? list.error} />
      {mode === 'new' && (
        <form className="card row" onSubmit={(e) => void create(e)}>
          <label className="field grow">
            <span>{t('dash.dashTitle')}</span>
            <input name="new-dashboard-title" required value={title} onChange={(e) => setTitle(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-primary">
            {t('common.create')}
          </button>
        </form>
      )}
      {mode === 'import' && (
        <div className="card">
          <h2>{t('dash.import')}</h2>
          <p className="muted">{t('dash.importText')}</p>
          <textarea name="grafana-json" className="mono import-box" rows={8} value={json} onChange={(e) => setJson(e.target.value)} spellCheck={false} />
          <div className="row">
            <button type="button" className="btn" onClick={check}>
              {t('dash.importCheck')}
            </button>
            {preview && (
              <button type="button" className="btn btn-primary" onClick={() => void doImport()}>
                {t('dash.importDo', { n: preview.spec.panels.length })}
              </button>
            )}
          </div>
          {preview && (
            <div className="import-preview">
              <p>{t('dash.importSummary', { title: preview.spec.title, panels: preview.spec.panels.length, vars: preview.spec.variables.length })}</p>
              {preview.skipped.length > 0 && (
                <>
                  <h3>{t('dash.skipped')}</h3>
                  <ul className="skipped">
                    {preview.skipped.map((s, i) => (
                      <li key={i}>{s}</li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          )}
        </div>
      )}
      {list.data && list.data.length === 0 && mode === 'none' && <div className="card empty">{t('dash.empty')}</div>}
      {list.data && list.data.length > 0 && (
        <div className="card flush">
          <table className="table">
            <thead>
              <tr>
                <th>{t('dash.dashTitle')}</th>
                <th className="right">{t('dash.panels')}</th>
                <th>{t('dash.updated')}</th>
                <th className="right">{t('dash.version')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link className="strong-link" to={`/dashboards/${d.id}`}>
                      {d.title}
                    </Link>
                  </td>
                  <td className="right">{d.panels}</td>
                  <td className="nowrap">
                    {formatDateTime(d.updatedAt)} · {d.updatedBy}
                  </td>
                  <td className="right mono">v{d.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
