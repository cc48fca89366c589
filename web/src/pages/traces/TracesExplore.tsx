import { useEffect, useRef, useState, type FormEvent } from 'react';
import { tempoApi, type TraceMeta } from '../../api/tempo.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { FirstData } from '../../components/FirstData.js';
import { PageHeader } from '../../components/Layout.js';
import { TimeRangePicker } from '../../components/TimeRangePicker.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { Link, setSearch } from '../../lib/router.js';
import { resolveRange, type TimeRange } from '../../lib/time-range.js';
import { searchDurationSeconds } from '../../lib/trace-model.js';
import { formatValue } from '../../lib/units.js';
import { ServiceGraph } from './ServiceGraph.js';
import { serviceColor } from './service-color.js';

function durationText(durationMs: number | undefined): string {
  const d = searchDurationSeconds(durationMs);
  return d === '<1ms' ? d : formatValue(d, 'seconds');
}

const LIMIT = 50;

export function TracesExplore(): React.JSX.Element {
  const t = useT();
  const initial = new URLSearchParams(location.search);
  const [query, setQuery] = useState(initial.get('q') ?? '{}');
  const [range, setRange] = useState<TimeRange>({ from: initial.get('from') ?? 'now-1h', to: initial.get('to') ?? 'now' });
  const [traces, setTraces] = useState<TraceMeta[]>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [view, setView] = useState<'search' | 'graph'>(initial.get('view') === 'graph' ? 'graph' : 'search');
  const [resolved, setResolved] = useState(() => resolveRange(range));

  // Only the latest search may show its answer (an earlier, slower one must not overwrite it).
  const seq = useRef(0);
  const run = async (q = query, r = range): Promise<void> => {
    const mine = ++seq.current;
    setSearch({ q, from: r.from, to: r.to });
    setBusy(true);
    setError(undefined);
    try {
      const { start, end } = resolveRange(r);
      setResolved({ start, end });
      const found = await tempoApi.search(q, start / 1000, end / 1000, LIMIT);
      if (mine === seq.current) setTraces(found);
    } catch (e) {
      if (mine === seq.current) setError(e as Error);
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  };
  useEffect(() => {
    void run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void run();
  };
  const changeView = (v: 'search' | 'graph'): void => {
    setView(v);
    setSearch({ view: v === 'graph' ? 'graph' : undefined });
    if (v === 'graph') setResolved(resolveRange(range));
  };
  const showService = (service: string): void => {
    const q = `{ resource.service.name = "${service.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}" }`;
    setQuery(q);
    changeView('search');
    void run(q, range);
  };

  return (
    <>
      <PageHeader title={t('traces.title')}>
        <TimeRangePicker
          value={range}
          onChange={(r) => {
            setRange(r);
            void run(query, r);
          }}
        />
      </PageHeader>
      <div className="seg" role="tablist" aria-label={t('graph.views')}>
        {(['search', 'graph'] as const).map((v) => (
          <button key={v} type="button" role="tab" aria-selected={view === v} className={view === v ? 'on' : ''} onClick={() => changeView(v)}>
            {t(v === 'search' ? 'graph.searchTab' : 'graph.title')}
          </button>
        ))}
      </div>
      {view === 'graph' && <ServiceGraph startMs={resolved.start} endMs={resolved.end} onService={showService} />}
      {view === 'search' && (
        <>
          <form className="query-row" onSubmit={submit}>
            <input className="mono grow traceql-input" name="traceql" aria-label={t('traces.placeholder')} placeholder={t('traces.placeholder')} value={query} onChange={(e) => setQuery(e.target.value)} spellCheck={false} />
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('common.loading') : t('traces.search')}
            </button>
          </form>
          <p className="muted small">{t('traces.hint')}</p>
          <ErrorNote error={error} />
          {traces && traces.length === 0 && (
            <div className="card empty-state">
              <h2>{t('traces.empty')}</h2>
              <p className="muted">{t('traces.emptyText')}</p>
              <FirstData kind="traces" />
            </div>
          )}
          {traces && traces.length > 0 && (
            <div className="card flush">
              <table className="table">
                <thead>
                  <tr>
                    <th>{t('traces.rootService')}</th>
                    <th>{t('traces.rootName')}</th>
                    <th>{t('traces.start')}</th>
                    <th className="right">{t('traces.duration')}</th>
                    <th className="right">{t('traces.spans')}</th>
                    <th>{t('traces.traceId')}</th>
                  </tr>
                </thead>
                <tbody>
                  {traces.map((tr) => {
                    const stats = Object.values(tr.serviceStats ?? {});
                    const spans = stats.reduce((n, s) => n + s.spanCount, 0);
                    const errors = stats.reduce((n, s) => n + (s.errorCount ?? 0), 0);
                    return (
                      <tr key={tr.traceID}>
                        <td>
                          <span className="svc-dot" style={{ background: serviceColor(tr.rootServiceName ?? '') }} /> {tr.rootServiceName}
                        </td>
                        <td>
                          <Link to={`/explore/traces/${tr.traceID}`} className="strong-link">
                            {tr.rootTraceName ?? tr.traceID}
                          </Link>
                        </td>
                        <td className="nowrap">{tr.startTimeUnixNano ? formatDateTime(Number(tr.startTimeUnixNano.slice(0, -6))) : ''}</td>
                        <td className="right nowrap mono">{durationText(tr.durationMs)}</td>
                        <td className="right mono">
                          {spans || ''}
                          {errors > 0 && <span className="badge badge-firing"> {t('traces.errors', { n: errors })}</span>}
                        </td>
                        <td className="mono small muted">{tr.traceID}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  );
}
