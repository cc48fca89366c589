import { lazy, Suspense } from 'react';
import { instantVector, promQuery } from '../../api/prometheus.js';
import { alignMatrix, type AlignedSeries } from '../../charts/series-data.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import type { MessageKey } from '../../i18n/en.js';
import { useT } from '../../i18n/i18n.js';
import { INGEST_QUERIES } from '../../lib/ingest-queries.js';
import { stepFor } from '../../lib/time-range.js';
import { formatRate, formatRateParts } from '../../lib/units.js';
import { useAsync } from '../../lib/use-async.js';

// uPlot stays out of the first load: the graph arrives after the figures.
const RangeGraph = lazy(() => import('../../charts/RangeGraph.js').then((m) => ({ default: m.RangeGraph })));

/** The graph under the figures: the last half hour. */
const HISTORY_S = 1800;

const SIGNALS: ReadonlyArray<{ signal: string; label: MessageKey; what: string }> = [
  { signal: 'samples', label: 'overview.samplesRate', what: 'samples' },
  { signal: 'log_lines', label: 'overview.linesRate', what: 'lines' },
  { signal: 'spans', label: 'overview.spansRate', what: 'spans' },
];

interface Ingest {
  readonly rates: Map<string, number>;
  readonly rejected: number | undefined;
  readonly requests: number | undefined;
  readonly history: AlignedSeries | undefined;
}

async function loadIngest(signal: AbortSignal): Promise<Ingest> {
  const now = Date.now() / 1000;
  const [accepted, rejected, requests] = await Promise.all([INGEST_QUERIES.accepted, INGEST_QUERIES.rejected, INGEST_QUERIES.requests].map((q) => instantVector(q, now, signal)));
  const step = stepFor(HISTORY_S * 1000, 120, 15);
  const start = Math.floor((now - HISTORY_S) / step) * step;
  const hist = await promQuery('/api/v1/query_range', { query: INGEST_QUERIES.accepted, start: String(start), end: String(Math.floor(now)), step: String(step) }, signal);
  const history =
    hist.data.resultType === 'matrix' && hist.data.result.length > 0
      ? alignMatrix(
          hist.data.result.map((s) => ({ ...s, metric: { __name__: `${s.metric.signal ?? ''}/s` } })),
          start,
          Math.floor(now),
          step,
        )
      : undefined;
  return { rates: new Map(accepted!.map((r) => [r.metric.signal ?? '', r.value])), rejected: rejected![0]?.value, requests: requests![0]?.value, history };
}

function RateValue({ perSecond, what }: { perSecond: number; what: string }): React.JSX.Element {
  const p = formatRateParts(perSecond, what);
  return (
    <div className="stat-value">
      {p.value} <span className="stat-unit">{p.unit}</span>
    </div>
  );
}

/** Ingest rates and refused requests, from Ichigen's own metrics (self-scrape, job "ichigen"). */
export function IngestHealth({ refreshTick }: { refreshTick: number }): React.JSX.Element {
  const t = useT();
  const ingest = useAsync(loadIngest, [refreshTick]);
  const d = ingest.data;
  const noSelf = d !== undefined && d.rates.size === 0;
  return (
    <section className="card" aria-labelledby="ov-ingest">
      <h2 id="ov-ingest">{t('overview.ingest')}</h2>
      <ErrorNote error={ingest.error} />
      {noSelf && <p className="muted">{t('overview.noSelfScrape')}</p>}
      {d && !noSelf && (
        <>
          <div className="stats">
            {SIGNALS.map((s) => (
              <div key={s.signal} className="stat">
                <RateValue perSecond={d.rates.get(s.signal) ?? 0} what={s.what} />
                <div className="stat-label">{t(s.label)}</div>
              </div>
            ))}
            <div className={`stat${(d.rejected ?? 0) > 0 ? ' stat-bad' : ''}`}>
              <RateValue perSecond={d.rejected ?? 0} what="req" />
              <div className="stat-label">{t('overview.rejected', { total: formatRate(d.requests ?? 0) })}</div>
            </div>
          </div>
          {d.history && (
            <Suspense fallback={null}>
              <div className="ingest-graph">
                <RangeGraph data={d.history} unit="short" stacked={false} height={140} />
              </div>
            </Suspense>
          )}
        </>
      )}
    </section>
  );
}
