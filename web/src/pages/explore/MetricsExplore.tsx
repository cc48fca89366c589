import { useCallback, useEffect, useRef, useState } from 'react';
import { promQuery, samplesLoaded, type QueryResult, type QueryTrace } from '../../api/prometheus.js';
import { alignMatrix, type AlignedSeries } from '../../charts/series-data.js';
import { RangeGraph } from '../../charts/RangeGraph.js';
import { FirstData } from '../../components/FirstData.js';
import { PageHeader } from '../../components/Layout.js';
import { TimeRangePicker } from '../../components/TimeRangePicker.js';
import { useT } from '../../i18n/i18n.js';
import { setSearch } from '../../lib/router.js';
import { absoluteRange, resolveRange, stepFor, type TimeRange } from '../../lib/time-range.js';
import { UNITS, type Unit } from '../../lib/units.js';
import { InstantTable } from './InstantTable.js';
import { Inspector } from './Inspector.js';
import { PromqlEditor } from './PromqlEditor.js';

type Tab = 'graph' | 'table';
const MAX_GRAPH_SERIES = 200;

interface Outcome {
  readonly result?: QueryResult;
  readonly aligned?: AlignedSeries;
  readonly error?: string;
  readonly trace?: QueryTrace;
  readonly tab: Tab;
}

export function MetricsExplore(): React.JSX.Element {
  const t = useT();
  const initial = new URLSearchParams(location.search);
  const [query, setQuery] = useState(initial.get('q') ?? '');
  const [range, setRange] = useState<TimeRange>({ from: initial.get('from') ?? 'now-1h', to: initial.get('to') ?? 'now' });
  const [tab, setTab] = useState<Tab>(initial.get('tab') === 'table' ? 'table' : 'graph');
  const [unit, setUnit] = useState<Unit>((UNITS as readonly string[]).includes(initial.get('unit') ?? '') ? (initial.get('unit') as Unit) : 'short');
  const [stacked, setStacked] = useState(initial.get('stacked') === '1');
  const [step, setStep] = useState(initial.get('step') ?? '');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const abort = useRef<AbortController | null>(null);

  const run = useCallback(
    async (q = query, r = range, tb = tab) => {
      if (q.trim() === '') return;
      setSearch({ q, from: r.from, to: r.to, tab: tb === 'graph' ? undefined : tb });
      abort.current?.abort();
      const ac = new AbortController();
      abort.current = ac;
      setBusy(true);
      try {
        const { start, end } = resolveRange(r);
        if (tb === 'graph') {
          const stepS = step.trim() !== '' ? Number(step) : stepFor(end - start);
          const startS = Math.floor(start / 1000 / stepS) * stepS;
          const endS = Math.floor(end / 1000);
          const result = await promQuery('/api/v1/query_range', { query: q, start: String(startS), end: String(endS), step: String(stepS) }, ac.signal);
          const aligned = result.data.resultType === 'matrix' ? alignMatrix(result.data.result.slice(0, MAX_GRAPH_SERIES), startS, endS, stepS) : undefined;
          setOutcome({ result, aligned, trace: result.trace, tab: tb });
        } else {
          const result = await promQuery('/api/v1/query', { query: q, time: String(end / 1000) }, ac.signal);
          setOutcome({ result, trace: result.trace, tab: tb });
        }
      } catch (e) {
        if (ac.signal.aborted) return;
        setOutcome({ error: (e as Error).message, trace: (e as { trace?: QueryTrace }).trace, tab: tb });
      } finally {
        if (!ac.signal.aborted) setBusy(false);
      }
    },
    [query, range, tab, step],
  );

  // Run a query that came in the URL (a shared link).
  useEffect(() => {
    if (query.trim() !== '') void run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const changeRange = (r: TimeRange): void => {
    setRange(r);
    void run(query, r);
  };
  const changeTab = (tb: Tab): void => {
    setTab(tb);
    void run(query, range, tb);
  };
  const zoom = (a: number, b: number): void => changeRange(absoluteRange(a, b));

  const res = outcome?.result;
  const seriesCount = res && (res.data.resultType === 'matrix' || res.data.resultType === 'vector') ? res.data.result.length : res ? 1 : 0;
  const points = res && res.data.resultType === 'matrix' ? res.data.result.reduce((n, s) => n + (s.values?.length ?? 0), 0) : seriesCount;

  return (
    <>
      <PageHeader title={t('metrics.title')}>
        <TimeRangePicker value={range} onChange={changeRange} />
        <button type="button" className="btn" onClick={() => void run()} title={t('common.refresh')} aria-label={t('common.refresh')}>
          ↻
        </button>
      </PageHeader>
      <div className="query-row">
        <div className="grow">
          <PromqlEditor value={query} onChange={setQuery} onRun={() => void run()} placeholder={t('metrics.placeholder')} />
        </div>
        <button type="button" className="btn btn-primary" onClick={() => void run()} disabled={busy || query.trim() === ''}>
          {busy ? t('common.loading') : t('common.run')}
        </button>
      </div>
      <div className="toolbar">
        <div className="seg" role="tablist">
          {(['graph', 'table'] as const).map((tb) => (
            <button key={tb} type="button" role="tab" aria-selected={tab === tb} className={tab === tb ? 'on' : ''} onClick={() => changeTab(tb)}>
              {t(tb === 'graph' ? 'metrics.graph' : 'metrics.table')}
            </button>
          ))}
        </div>
        <label className="inline">
          {t('metrics.unit')}
          <select value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
            {UNITS.map((u) => (
              <option key={u} value={u}>
                {t(`unit.${u}`)}
              </option>
            ))}
          </select>
        </label>
        {tab === 'graph' && (
          <>
            <label className="inline">
              <input type="checkbox" checked={stacked} onChange={(e) => setStacked(e.target.checked)} /> {t('metrics.stacked')}
            </label>
            <label className="inline">
              {t('metrics.step')}
              <input className="step-input" value={step} placeholder={t('metrics.stepAuto')} onChange={(e) => setStep(e.target.value.replace(/[^0-9.]/g, ''))} />
            </label>
            <span className="muted small">{t('metrics.zoomHint')}</span>
          </>
        )}
      </div>
      {outcome?.error && (
        <div className="note note-error" role="alert">
          {outcome.error}
        </div>
      )}
      {res && res.warnings.length > 0 && <div className="note">{res.warnings.join('\n')}</div>}
      {!outcome && (
        <div className="card empty-state">
          <h2>{t('metrics.emptyTitle')}</h2>
          <p className="muted">{t('metrics.emptyText')}</p>
          <p className="muted">{t('metrics.noMetrics')}</p>
          <FirstData kind="metrics" />
        </div>
      )}
      {res && seriesCount === 0 && <div className="card empty">{t('metrics.noData')}</div>}
      {res && seriesCount > 0 && outcome.tab === 'graph' && outcome.aligned && (
        <div className="card">
          {res.data.resultType === 'matrix' && res.data.result.length > MAX_GRAPH_SERIES && <p className="note">{t('metrics.tooManySeries', { shown: MAX_GRAPH_SERIES, total: res.data.result.length })}</p>}
          <RangeGraph data={outcome.aligned} unit={unit} stacked={stacked} onZoom={zoom} />
        </div>
      )}
      {res && seriesCount > 0 && (outcome.tab === 'table' || !outcome.aligned) && (
        <div className="card flush">
          <InstantTable data={res.data} unit={unit} />
        </div>
      )}
      {outcome?.trace && <Inspector trace={outcome.trace} series={seriesCount} points={points} samples={res ? samplesLoaded(res.data) : undefined} />}
    </>
  );
}
