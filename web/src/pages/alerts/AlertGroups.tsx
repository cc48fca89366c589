import { useEffect, useState, type FormEvent } from 'react';
import { incidentsApi, type GroupAction, type GroupStatus } from '../../api/incidents.js';
import { useSession } from '../../api/session.js';
import { CopyBlock } from '../../components/CopyBlock.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { Link, setSearch } from '../../lib/router.js';
import { useAsync } from '../../lib/use-async.js';
import { LabelChips, StatusBadge } from './StatusBadge.js';

type Filter = 'open' | GroupStatus;
const FILTERS: readonly Filter[] = ['open', 'firing', 'acknowledged', 'resolved'];

export function AlertGroups(): React.JSX.Element {
  const t = useT();
  const { canWrite } = useSession();
  const [filter, setFilter] = useState<Filter>(() => (FILTERS as readonly string[]).includes(new URLSearchParams(location.search).get('status') ?? '') ? (new URLSearchParams(location.search).get('status') as Filter) : 'open');
  const list = useAsync((signal) => incidentsApi.groups(filter, signal), [filter]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<Error>();
  const [paging, setPaging] = useState(false);
  const [title, setTitle] = useState('');
  const [message, setMessage] = useState('');

  useEffect(() => {
    const id = setInterval(list.reload, 10_000);
    return () => clearInterval(id);
  }, [list.reload]);
  useEffect(() => setSelected(new Set()), [filter]);

  const bulk = async (action: GroupAction): Promise<void> => {
    setError(undefined);
    try {
      for (const id of selected) await incidentsApi.act(id, action, action === 'silence' ? { duration: '1h' } : {});
      setSelected(new Set());
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const page = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      await incidentsApi.page(title, message);
      setTitle('');
      setMessage('');
      setPaging(false);
      list.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const groups = list.data ?? [];
  const allSelected = groups.length > 0 && groups.every((g) => selected.has(g.id));

  return (
    <>
      <PageHeader title={t('alerts.title')}>
        {canWrite && (
          <button type="button" className="btn" onClick={() => setPaging(!paging)}>
            {t('alerts.page')}
          </button>
        )}
      </PageHeader>
      {paging && (
        <form className="card" onSubmit={(e) => void page(e)}>
          <h2>{t('alerts.page')}</h2>
          <label className="field">
            <span>{t('alerts.pageTitle')}</span>
            <input name="page-title" required value={title} onChange={(e) => setTitle(e.target.value)} />
          </label>
          <label className="field">
            <span>{t('alerts.pageMessage')}</span>
            <textarea rows={3} value={message} onChange={(e) => setMessage(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-primary">
            {t('alerts.pageSubmit')}
          </button>
        </form>
      )}
      <div className="toolbar">
        <div className="seg" role="tablist" aria-label={t('alerts.filter')}>
          {FILTERS.map((f) => (
            <button
              key={f}
              type="button"
              role="tab"
              aria-selected={filter === f}
              className={filter === f ? 'on' : ''}
              onClick={() => {
                setFilter(f);
                setSearch({ status: f === 'open' ? undefined : f });
              }}
            >
              {t(f === 'open' ? 'alerts.open' : `alerts.status.${f}`)}
            </button>
          ))}
        </div>
        {canWrite && selected.size > 0 && (
          <div className="row bulk">
            <span className="muted small">{t('alerts.selected', { n: selected.size })}</span>
            <button type="button" className="btn btn-small" onClick={() => void bulk('acknowledge')}>
              {t('alerts.acknowledge')}
            </button>
            <button type="button" className="btn btn-small" onClick={() => void bulk('resolve')}>
              {t('alerts.resolve')}
            </button>
            <button type="button" className="btn btn-small" onClick={() => void bulk('silence')}>
              {t('alerts.silence1h')}
            </button>
          </div>
        )}
      </div>
      <ErrorNote error={error ?? list.error} />
      {list.data && groups.length === 0 ? (
        <div className="card empty-state">
          <h2>{t('alerts.empty')}</h2>
          <p className="muted">{t('alerts.emptyText')}</p>
          <CopyBlock text={`alerting:\n  alertmanagers:\n    - api_version: v2\n      static_configs:\n        - targets: ['${location.host}']\n      authorization:\n        credentials: <TOKEN>\n`} />
        </div>
      ) : (
        <div className="card flush">
          <table className="table">
            <thead>
              <tr>
                {canWrite && (
                  <th className="check-col">
                    <input type="checkbox" aria-label={t('alerts.selectAll')} checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(groups.map((g) => g.id)))} />
                  </th>
                )}
                <th>{t('alerts.status')}</th>
                <th>{t('alerts.group')}</th>
                <th className="right">{t('alerts.firing')}</th>
                <th>{t('alerts.started')}</th>
                <th>{t('alerts.handledBy')}</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={g.id}>
                  {canWrite && (
                    <td className="check-col">
                      <input
                        type="checkbox"
                        aria-label={g.title}
                        checked={selected.has(g.id)}
                        onChange={() => {
                          const s = new Set(selected);
                          if (s.has(g.id)) s.delete(g.id);
                          else s.add(g.id);
                          setSelected(s);
                        }}
                      />
                    </td>
                  )}
                  <td>
                    <StatusBadge group={g} />
                  </td>
                  <td>
                    <Link to={`/alerts/groups/${g.id}`} className="strong-link">
                      {g.title}
                    </Link>
                    <div>
                      <LabelChips labels={g.groupLabels} />
                    </div>
                  </td>
                  <td className="right mono">
                    {g.alertsFiring}/{g.alertsTotal}
                  </td>
                  <td className="nowrap">{formatDateTime(g.createdAt)}</td>
                  <td className="nowrap muted">{g.resolvedBy ?? g.acknowledgedBy ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
