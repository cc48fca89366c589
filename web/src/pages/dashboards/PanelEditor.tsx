import { useState } from 'react';
import { PANEL_TYPES, type Panel } from '../../../../src/api/dashboards/spec.js';
import { FormActions } from '../../components/FormActions.js';
import { Modal } from '../../components/Modal.js';
import { useT } from '../../i18n/i18n.js';
import { UNITS } from '../../lib/units.js';
import { resolveRange, type TimeRange } from '../../lib/time-range.js';
import { PromqlEditor } from '../explore/PromqlEditor.js';
import { LogqlEditor } from '../logs/LogqlEditor.js';

export function PanelEditor({ panel, onSave, onCancel, range }: { panel: Panel; onSave: (p: Panel) => void; onCancel: () => void; range?: TimeRange }): React.JSX.Element {
  const t = useT();
  const [p, setP] = useState<Panel>(panel);
  return (
    <Modal label={t('dash.editPanel')} onClose={onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSave(p);
        }}
      >
        <h2>{t('dash.editPanel')}</h2>
        <div className="form-grid">
          <label className="field">
            <span>{t('dash.panelTitle')}</span>
            <input name="panel-title" value={p.title} onChange={(e) => setP({ ...p, title: e.target.value })} />
          </label>
          <label className="field">
            <span>{t('dash.panelType')}</span>
            <select name="panel-type" value={p.type} onChange={(e) => setP({ ...p, type: e.target.value as Panel['type'] })}>
              {PANEL_TYPES.map((x) => (
                <option key={x} value={x}>
                  {t(`dash.type.${x}`)}
                </option>
              ))}
            </select>
          </label>
          {p.type !== 'logs' && (
            <label className="field">
              <span>{t('dash.source')}</span>
              <select name="panel-source" value={p.source} onChange={(e) => setP({ ...p, source: e.target.value === 'loki' ? 'loki' : 'prometheus' })}>
                <option value="prometheus">{t('dash.source.prometheus')}</option>
                <option value="loki">{t('dash.source.loki')}</option>
              </select>
            </label>
          )}
          <label className="field">
            <span>{t('metrics.unit')}</span>
            <select name="panel-unit" value={p.unit} onChange={(e) => setP({ ...p, unit: e.target.value })}>
              {UNITS.map((u) => (
                <option key={u} value={u}>
                  {t(`unit.${u}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('dash.width')}</span>
            <input type="number" min={1} max={24} value={p.gridPos.w} onChange={(e) => setP({ ...p, gridPos: { ...p.gridPos, w: Math.min(24, Math.max(1, Number(e.target.value) || 1)), x: 0 } })} />
          </label>
          <label className="field">
            <span>{t('dash.height')}</span>
            <input type="number" min={2} max={100} value={p.gridPos.h} onChange={(e) => setP({ ...p, gridPos: { ...p.gridPos, h: Math.min(100, Math.max(2, Number(e.target.value) || 2)) } })} />
          </label>
        </div>
        <div className="field">
          <span>{t(p.type === 'logs' || p.source === 'loki' ? 'dash.logQuery' : 'dash.query')}</span>
          {p.type === 'logs' || p.source === 'loki' ? (
            <LogqlEditor key="logql" value={p.expr} onChange={(expr) => setP((cur) => ({ ...cur, expr }))} onRun={() => onSave(p)} placeholder={t('logs.placeholder')} range={() => resolveRange(range ?? { from: 'now-1h', to: 'now' })} />
          ) : (
            <PromqlEditor key="promql" value={p.expr} onChange={(expr) => setP((cur) => ({ ...cur, expr }))} onRun={() => onSave(p)} placeholder={t(p.type === 'heatmap' ? 'dash.heatmapPlaceholder' : 'metrics.placeholder')} />
          )}
        </div>
        <div className="form-grid">
          <label className="field">
            <span>{t('dash.legend')}</span>
            <input className="mono" value={p.legend} placeholder="{{instance}}" onChange={(e) => setP({ ...p, legend: e.target.value })} />
          </label>
          {p.type === 'timeseries' && (
            <label className="check">
              <input type="checkbox" checked={p.stacked} onChange={(e) => setP({ ...p, stacked: e.target.checked })} /> {t('metrics.stacked')}
            </label>
          )}
        </div>
        <FormActions submit={t('dash.applyPanel')} onCancel={onCancel} />
      </form>
    </Modal>
  );
}
