import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { request } from '../../api/client.js';
import { lokiApi } from '../../api/loki.js';
import { RangeGraph } from '../../charts/RangeGraph.js';
import { alignMatrix, type AlignedSeries } from '../../charts/series-data.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { FirstData } from '../../components/FirstData.js';
import { PageHeader } from '../../components/Layout.js';
import { TimeRangePicker } from '../../components/TimeRangePicker.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { linesFromStreams, parseFields, traceIdOf, type LogLine } from '../../lib/log-lines.js';
import { Link, setSearch } from '../../lib/router.js';
import { resolveRange, stepFor, type TimeRange } from '../../lib/time-range.js';
import { KvTable } from '../../components/KvTable.js';
import { LogContext } from './LogContext.js';
import { LogList } from './LogList.js';
import { LogqlEditor } from './LogqlEditor.js';

const LIMIT = 5000;
const matrixSchema = z.object({ status: z.literal('success'), data: z.object({ resultType: z.literal('matrix'), result: z.array(z.object({ metric: z.record(z.string()), values: z.array(z.tuple([z.number(), z.string()])) })) }) });


export function LogsExplore(): React.JSX.Element {
  const t = useT();
  const initial = new URLSearchParams(location.search);
  const [query, setQuery] = useState(initial.get('q') ?? '');
  const [range, setRange] = useState<TimeRange>({ from: initial.get('from') ?? 'now-1h', to: initial.get('to') ?? 'now' });
  const [lines, setLines] = useState<LogLine[]>();
  const [volume, setVolume] = useState<AlignedSeries>();
  const [selected, setSelected] = useState<number>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useState(false);
  const [context, setContext] = useState<LogLine>();
  const ws = useRef<WebSocket | null>(null);

  const run = useCallback(
    async (q = query, r = range) => {
      if (q.trim() === '') return;
      setSearch({ q, from: r.from, to: r.to });
      setBusy(true);
      setError(undefined);
      setSelected(undefined);
      try {
        const { start, end } = resolveRange(r);
        const fetched = (await lokiApi.lines({ query: q, start: lokiApi.ns(start), end: lokiApi.ns(end), limit: LIMIT, direction: 'backward' })).lines;
        setLines(fetched);
        // The volume histogram: the same selection counted per step (needs a log query, not a metric one).
        const step = stepFor(end - start, 120);
        const vol = await request('/loki/api/v1/query_range', matrixSchema, { query: { query: `sum(count_over_time(${q} [${step}s]))`, start: `${start}000000`, end: `${end}000000`, step } }).catch(() => undefined);
        const startS = Math.floor(start / 1000 / step) * step;
        const endS = Math.floor(end / 1000);
        // An empty step means no lines: zero, not a gap.
        const zeroGaps = (a: AlignedSeries): AlignedSeries => ({ ...a, series: a.series.map((x) => ({ ...x, values: x.values.map((v) => v ?? 0) })) });
        if (vol && vol.data.result.length > 0) setVolume(zeroGaps(alignMatrix(vol.data.result.map((s) => ({ metric: { __name__: 'lines' }, values: s.values })), startS, endS, step)));
        else {
          // No metric answer (e.g. a metric query as input): count the fetched lines per step instead.
          const counts = new Map<number, number>();
          for (const l of fetched) {
            const b = startS + Math.floor((l.ms / 1000 - startS) / step) * step;
            counts.set(b, (counts.get(b) ?? 0) + 1);
          }
          setVolume(zeroGaps(alignMatrix([{ metric: { __name__: 'lines' }, values: [...counts].map(([t0, n]) => [t0, String(n)] as [number, string]) }], startS, endS, step)));
        }
      } catch (e) {
        setError(e as Error);
      } finally {
        setBusy(false);
      }
    },
    [query, range],
  );
  useEffect(() => {
    void run();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Live tail over Loki's WebSocket API; newest lines on top, at most LIMIT kept.
  useEffect(() => {
    if (!live || query.trim() === '') return;
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const sock = new WebSocket(`${proto}://${location.host}/loki/api/v1/tail?query=${encodeURIComponent(query)}&limit=100`);
    ws.current = sock;
    sock.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as { streams?: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> };
      const add = linesFromStreams(msg.streams ?? []);
      if (add.length > 0) setLines((cur) => [...add, ...(cur ?? [])].slice(0, LIMIT));
    };
    sock.onerror = () => setError(new Error(t('logs.tailFailed')));
    return () => sock.close();
  }, [live, query, t]);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void run();
  };
  const sel = selected !== undefined ? lines?.[selected] : undefined;
  const fields = sel ? parseFields(sel.line) : {};
  const traceId = sel ? traceIdOf({ ...sel.labels, ...sel.metadata, ...fields }) : undefined;

  return (
    <>
      <PageHeader title={t('logs.title')}>
        <label className="inline">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> {t('logs.live')}
        </label>
        <TimeRangePicker
          value={range}
          onChange={(r) => {
            setRange(r);
            void run(query, r);
          }}
        />
      </PageHeader>
      <form className="query-row" onSubmit={submit}>
        <div className="grow">
          <LogqlEditor value={query} onChange={setQuery} onRun={() => void run()} placeholder={t('logs.placeholder')} range={() => resolveRange(range)} />
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.loading') : t('common.run')}
        </button>
      </form>
      <ErrorNote error={error} />
      {!lines && !error && (
        <div className="card empty-state">
          <h2>{t('logs.emptyTitle')}</h2>
          <p className="muted">{t('logs.emptyText')}</p>
          <p className="muted">{t('logs.send')}</p>
          <FirstData kind="logs" />
        </div>
      )}
      {volume && volume.series.length > 0 && (
        <div className="card volume">
          <RangeGraph data={volume} unit="short" stacked={false} height={90} compactLegend />
        </div>
      )}
      {lines && (
        <div className={`logs-layout${sel ? ' with-details' : ''}`}>
          <div className="card flush">
            <div className="log-count muted small">{t('logs.count', { n: lines.length })}</div>
            {lines.length === 0 ? <p className="empty">{t('metrics.noData')}</p> : <LogList lines={lines} selected={selected} onSelect={setSelected} height={520} />}
          </div>
          {sel && (
            <section className="card span-details log-details">
              <h2>{formatDateTime(sel.ms)}</h2>
              <pre className="log-full">{sel.line}</pre>
              <p className="row-actions">
                <button type="button" className="btn btn-small" onClick={() => setContext(sel)}>
                  {t('logs.showContext')}
                </button>
                {traceId && <Link to={`/explore/traces/${traceId}`}>{t('logs.openTrace')}</Link>}
              </p>
              <KvTable title={t('logs.labels')} kv={sel.labels} />
              <KvTable title={t('logs.metadata')} kv={sel.metadata} />
              <KvTable title={t('logs.fields')} kv={fields} />
            </section>
          )}
        </div>
      )}
      {context && <LogContext anchor={context} onClose={() => setContext(undefined)} />}
    </>
  );
}
