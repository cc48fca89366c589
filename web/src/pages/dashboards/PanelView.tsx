import { useEffect, useState } from 'react';
import type { Panel, Variable } from '../../../../src/api/dashboards/spec.js';
import { lokiMetricQuery, promQuery, type QueryResult } from '../../api/prometheus.js';
import { Heatmap } from '../../charts/Heatmap.js';
import { heatmapFromBuckets } from '../../charts/heatmap-data.js';
import { RangeGraph } from '../../charts/RangeGraph.js';
import { alignMatrix, parseSampleValue, seriesName, type AlignedSeries } from '../../charts/series-data.js';
import { useT } from '../../i18n/i18n.js';
import { resolveRange, stepFor, type TimeRange } from '../../lib/time-range.js';
import { formatValue, UNITS, type Unit } from '../../lib/units.js';
import { interpolate, legendFor } from '../../lib/variables.js';
import { InstantTable } from '../explore/InstantTable.js';
import { LogsPanel } from './LogsPanel.js';

interface Loaded {
  readonly result?: QueryResult;
  readonly aligned?: AlignedSeries;
  readonly error?: string;
}

const asUnit = (u: string): Unit => ((UNITS as readonly string[]).includes(u) ? (u as Unit) : 'short');

/** One panel: a logs panel lists LogQL lines; the others run PromQL or a LogQL metric query (range for time series and heatmaps, instant otherwise). */
export function PanelView(props: { panel: Panel; variables: readonly Variable[]; range: TimeRange; tick: number; height: number }): React.JSX.Element {
  if (props.panel.type === 'logs') return <LogsPanel expr={interpolate(props.panel.expr, props.variables)} range={props.range} tick={props.tick} height={props.height} />;
  return <PromPanel {...props} />;
}

function PromPanel({ panel, variables, range, tick, height }: { panel: Panel; variables: readonly Variable[]; range: TimeRange; tick: number; height: number }): React.JSX.Element {
  const t = useT();
  const [state, setState] = useState<Loaded>();
  const expr = interpolate(panel.expr, variables);
  const ranged = panel.type === 'timeseries' || panel.type === 'heatmap';
  const loki = panel.source === 'loki';
  useEffect(() => {
    if (expr.trim() === '') return;
    const ac = new AbortController();
    void (async () => {
      try {
        const { start, end } = resolveRange(range);
        if (ranged) {
          // A heatmap cell per step: fewer, wider columns than a line needs.
          const step = stepFor(end - start, panel.type === 'heatmap' ? 80 : 300);
          const startS = Math.floor(start / 1000 / step) * step;
          const endS = Math.floor(end / 1000);
          const params = { query: expr, start: String(startS), end: String(endS), step: String(step) };
          const result = loki ? await lokiMetricQuery('/loki/api/v1/query_range', params, ac.signal) : await promQuery('/api/v1/query_range', params, ac.signal);
          if (result.data.resultType !== 'matrix') throw new Error(`expected a range vector, got ${result.data.resultType}`);
          const aligned = alignMatrix(result.data.result.slice(0, panel.type === 'heatmap' ? 500 : 100), startS, endS, step);
          const named = { ...aligned, series: aligned.series.map((s) => ({ ...s, name: legendFor(panel.legend, s.labels, s.name) })) };
          setState({ result, aligned: named });
        } else {
          const params = { query: expr, time: String(end / 1000) };
          setState({ result: loki ? await lokiMetricQuery('/loki/api/v1/query', params, ac.signal) : await promQuery('/api/v1/query', params, ac.signal) });
        }
      } catch (e) {
        if (!ac.signal.aborted) setState({ error: (e as Error).message });
      }
    })();
    return () => ac.abort();
  }, [expr, range, tick, panel.type, panel.legend, ranged, loki]);

  const unit = asUnit(panel.unit);
  if (state?.error) return <div className="panel-error">{state.error}</div>;
  if (!state?.result) return <div className="panel-loading muted">{t('common.loading')}</div>;
  const data = state.result.data;
  if (panel.type === 'heatmap' && state.aligned) {
    if (state.aligned.series.length === 0) return <div className="panel-empty muted">{t('metrics.noData')}</div>;
    const heat = heatmapFromBuckets(state.aligned);
    if (!heat) return <div className="panel-error">{t('dash.heatmapNeedsLe')}</div>;
    return <Heatmap data={heat} unit={unit} height={Math.max(height - 40, 60)} />;
  }
  if (panel.type === 'timeseries' && state.aligned) {
    if (state.aligned.series.length === 0) return <div className="panel-empty muted">{t('metrics.noData')}</div>;
    return <RangeGraph data={state.aligned} unit={unit} stacked={panel.stacked} height={Math.max(height - 70, 60)} compactLegend={state.aligned.series.length > 6 || height < 200} />;
  }
  if (panel.type === 'table') return <InstantTable data={data} unit={unit} />;
  const values = data.resultType === 'vector' ? data.result.map((s) => ({ name: legendFor(panel.legend, s.metric, seriesName(s.metric)), v: parseSampleValue(s.value?.[1] ?? 'NaN') })) : data.resultType === 'scalar' ? [{ name: '', v: parseSampleValue(data.result[1]) }] : [];
  if (values.length === 0) return <div className="panel-empty muted">{t('metrics.noData')}</div>;
  if (panel.type === 'stat') {
    return (
      <div className="stat-panel">
        {values.slice(0, 12).map((x, i) => (
          <div key={i} className="stat-item">
            <div className="stat-big">{formatValue(x.v, unit)}</div>
            {values.length > 1 && <div className="muted small ellipsis">{x.name}</div>}
          </div>
        ))}
      </div>
    );
  }
  const max = Math.max(...values.map((x) => (Number.isFinite(x.v) ? Math.abs(x.v) : 0)), 1e-12);
  return (
    <div className="bargauge">
      {values.slice(0, 30).map((x, i) => (
        <div key={i} className="bg-row">
          <div className="bg-name ellipsis" title={x.name}>
            {x.name}
          </div>
          <div className="bg-track">
            <div className="bg-fill" style={{ width: `${Number.isFinite(x.v) ? (Math.abs(x.v) / max) * 100 : 0}%` }} />
          </div>
          <div className="bg-val mono">{formatValue(x.v, unit)}</div>
        </div>
      ))}
    </div>
  );
}
