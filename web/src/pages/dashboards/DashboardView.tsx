import { useEffect, useState } from 'react';
import type { DashboardSpec, Panel, Variable } from '../../../../src/api/dashboards/spec.js';
import { dashboardsApi } from '../../api/dashboards.js';
import { useSession } from '../../api/session.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { TimeRangePicker } from '../../components/TimeRangePicker.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { Link } from '../../lib/router.js';
import { parseDurationMs } from '../../lib/time-range.js';
import { useAsync } from '../../lib/use-async.js';
import { PanelEditor } from './PanelEditor.js';
import { PanelView } from './PanelView.js';

const ROW_PX = 30;
const REFRESH = ['', '10s', '30s', '1m', '5m'];

function VariablePicker({ v, onChange }: { v: Variable; onChange: (v: Variable) => void }): React.JSX.Element {
  const options = useAsync((signal) => dashboardsApi.labelValues(v.label, v.match, signal), [v.label, v.match]);
  return (
    <label className="inline var-picker">
      ${v.name}
      <select
        aria-label={v.name}
        multiple={v.multi}
        value={v.multi ? v.current : (v.current[0] ?? '')}
        onChange={(e) => onChange({ ...v, current: Array.from(e.target.selectedOptions).map((o) => o.value).filter((x) => x !== '') })}
      >
        {!v.multi && <option value="">{v.includeAll ? 'All' : '—'}</option>}
        {(options.data ?? []).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function DashboardView({ id }: { id: string }): React.JSX.Element {
  const t = useT();
  const { canWrite } = useSession();
  const loaded = useAsync(() => dashboardsApi.get(id), [id]);
  const [spec, setSpec] = useState<DashboardSpec>();
  const [version, setVersion] = useState(0);
  const [dirty, setDirty] = useState(false);
  const [editing, setEditing] = useState(false);
  const [editPanel, setEditPanel] = useState<Panel>();
  const [tick, setTick] = useState(0);
  const [error, setError] = useState<Error>();
  const [showVersions, setShowVersions] = useState(false);
  const versions = useAsync(() => (showVersions ? dashboardsApi.versions(id) : Promise.resolve([])), [id, showVersions, version]);

  useEffect(() => {
    if (loaded.data) {
      setSpec(loaded.data.spec);
      setVersion(loaded.data.version);
      setDirty(false);
    }
  }, [loaded.data]);
  useEffect(() => {
    if (!spec?.refresh) return;
    let ms = 0;
    try {
      ms = parseDurationMs(spec.refresh);
    } catch {
      return;
    }
    const h = setInterval(() => setTick((x) => x + 1), Math.max(ms, 5000));
    return () => clearInterval(h);
  }, [spec?.refresh]);

  if (!spec) return <ErrorNote error={loaded.error} />;
  const change = (s: DashboardSpec): void => {
    setSpec(s);
    setDirty(true);
  };
  const save = async (): Promise<void> => {
    setError(undefined);
    try {
      const d = await dashboardsApi.save(id, spec, version);
      setVersion(d.version);
      setDirty(false);
      setEditing(false);
    } catch (e) {
      setError(e as Error);
    }
  };
  const addPanel = (): void => {
    const y = spec.panels.reduce((m, p) => Math.max(m, p.gridPos.y + p.gridPos.h), 0);
    setEditPanel({ id: `p${Date.now().toString(36)}`, title: '', type: 'timeseries', expr: '', source: 'prometheus', legend: '', unit: 'short', stacked: false, gridPos: { x: 0, y, w: 12, h: 8 } });
  };
  const applyPanel = (p: Panel): void => {
    const exists = spec.panels.some((x) => x.id === p.id);
    change({ ...spec, panels: exists ? spec.panels.map((x) => (x.id === p.id ? p : x)) : [...spec.panels, p] });
    setEditPanel(undefined);
  };
  const restore = async (v: number): Promise<void> => {
    try {
      change(await dashboardsApi.version(id, v));
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <>
      <div className="crumbs">
        <Link to="/dashboards">{t('dash.title')}</Link> /
      </div>
      <PageHeader title={spec.title}>
        <span className="muted small">v{version}</span>
        <TimeRangePicker value={spec.time} onChange={(time) => setSpec({ ...spec, time })} />
        <select aria-label={t('dash.refresh')} value={spec.refresh} onChange={(e) => setSpec({ ...spec, refresh: e.target.value })}>
          {REFRESH.map((r) => (
            <option key={r} value={r}>
              {r === '' ? t('dash.refreshOff') : t('dash.every', { d: r })}
            </option>
          ))}
        </select>
        <button type="button" className="btn" aria-label={t('common.refresh')} onClick={() => setTick((x) => x + 1)}>
          ↻
        </button>
        {canWrite && !editing && (
          <button type="button" className="btn" onClick={() => setEditing(true)}>
            {t('dash.edit')}
          </button>
        )}
        {editing && (
          <>
            <button type="button" className="btn" onClick={addPanel}>
              {t('dash.addPanel')}
            </button>
            <button type="button" className="btn" onClick={() => setShowVersions(!showVersions)}>
              {t('dash.versions')}
            </button>
            <button type="button" className="btn btn-primary" onClick={() => void save()} disabled={!dirty}>
              {t('common.save')}
            </button>
          </>
        )}
      </PageHeader>
      <ErrorNote error={error} />
      {editing && (
        <label className="field narrow-field">
          <span>{t('dash.dashTitle')}</span>
          <input name="dashboard-title" value={spec.title} onChange={(e) => change({ ...spec, title: e.target.value })} />
        </label>
      )}
      {spec.variables.length > 0 && (
        <div className="toolbar">
          {spec.variables.map((v, i) => (
            <VariablePicker key={v.name} v={v} onChange={(nv) => setSpec({ ...spec, variables: spec.variables.map((x, k) => (k === i ? nv : x)) })} />
          ))}
        </div>
      )}
      {showVersions && editing && (
        <div className="card">
          <h2>{t('dash.versions')}</h2>
          <table className="table">
            <tbody>
              {(versions.data ?? []).map((v) => (
                <tr key={v.version}>
                  <td className="mono">v{v.version}</td>
                  <td>{v.message}</td>
                  <td>{v.createdBy}</td>
                  <td className="nowrap">{formatDateTime(v.createdAt)}</td>
                  <td className="right">
                    <button type="button" className="btn btn-small" onClick={() => void restore(v.version)}>
                      {t('dash.restore')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {spec.panels.length === 0 && <div className="card empty">{t('dash.noPanels')}</div>}
      <div className="dash-grid" style={{ gridAutoRows: `${ROW_PX}px` }}>
        {spec.panels.map((p) => (
          <section key={p.id} className="card dash-panel" style={{ gridColumn: `${p.gridPos.x + 1} / span ${p.gridPos.w}`, gridRow: `${p.gridPos.y + 1} / span ${p.gridPos.h}` }} aria-label={p.title}>
            <header className="panel-head">
              <h3>{p.title || '\u00a0'}</h3>
              {editing && (
                <span className="row">
                  <button type="button" className="btn btn-small" onClick={() => setEditPanel(p)}>
                    {t('dash.editPanel')}
                  </button>
                  <button type="button" className="btn btn-small btn-danger" onClick={() => change({ ...spec, panels: spec.panels.filter((x) => x.id !== p.id) })}>
                    {t('common.delete')}
                  </button>
                </span>
              )}
            </header>
            <div className="panel-body">
              <PanelView panel={p} variables={spec.variables} range={spec.time} tick={tick} height={p.gridPos.h * ROW_PX} />
            </div>
          </section>
        ))}
      </div>
      {editPanel && <PanelEditor panel={editPanel} onSave={applyPanel} onCancel={() => setEditPanel(undefined)} range={spec.time} />}
    </>
  );
}
