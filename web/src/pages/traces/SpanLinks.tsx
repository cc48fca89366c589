import { useState } from 'react';
import { lokiApi } from '../../api/loki.js';
import { useSession } from '../../api/session.js';
import { useT } from '../../i18n/i18n.js';
import { Link, navigate } from '../../lib/router.js';
import { SERVICE_LABELS, spanLogsQueries, spanMetricQueries } from '../../lib/span-metrics.js';
import type { TraceSpan } from '../../lib/trace-model.js';

const HOUR = 3_600_000;

/**
 * Finds the stream label that names the span's service, then the query that finds the trace's
 * lines: by structured metadata first (OTLP logs), else by the id in the line text.
 */
async function logsQueryFor(span: TraceSpan, traceId: string, startMs: number, endMs: number): Promise<string | undefined> {
  const [start, end] = [span.startMs - HOUR, span.endMs + HOUR];
  const labels = await lokiApi.labels(start, end);
  const values = new Map<string, string[]>();
  for (const l of SERVICE_LABELS.filter((x) => labels.includes(x))) values.set(l, await lokiApi.labelValues(l, start, end));
  const qs = spanLogsQueries(span.service, traceId, values, labels.find((l) => l !== '__name__'));
  if (qs === undefined) return undefined;
  const probe = { start: `${startMs}000000`, end: `${endMs}000000`, limit: 1, direction: 'backward' as const };
  return (await lokiApi.lines({ ...probe, query: qs.metadata })).lines.length > 0 ? qs.metadata : qs.text;
}

/** From a span to its logs (by trace id, on the service's streams) and to its operation's metrics. */
export function SpanLinks({ span, traceId }: { span: TraceSpan; traceId: string }): React.JSX.Element | null {
  const t = useT();
  const { caps } = useSession();
  const [note, setNote] = useState<string>();
  const from = String(Math.floor(span.startMs - HOUR));
  const to = String(Math.ceil(span.endMs + HOUR));
  const m = spanMetricQueries(span.service, span.name);
  const metricsUrl = (q: string): string => `/explore/metrics?${new URLSearchParams({ q, from, to }).toString()}`;
  if (!caps?.logs && !caps?.metrics) return null;
  const openLogs = async (): Promise<void> => {
    setNote(undefined);
    try {
      const [start, end] = [Math.floor(span.startMs - 5 * 60_000), Math.ceil(span.endMs + 5 * 60_000)];
      const q = await logsQueryFor(span, traceId, start, end);
      if (q === undefined) setNote(t('traces.noLogs'));
      else navigate(`/explore/logs?${new URLSearchParams({ q, from: String(start), to: String(end) }).toString()}`);
    } catch (e) {
      setNote((e as Error).message);
    }
  };
  return (
    <>
      <h3>{t('traces.related')}</h3>
      <ul className="related">
        {caps.logs && (
          <li>
            <button type="button" className="linklike" onClick={() => void openLogs()}>
              {t('traces.spanLogs')}
            </button>
            {note && <span className="muted small"> {note}</span>}
          </li>
        )}
        {caps.metrics && (
          <>
            <li>
              <Link to={metricsUrl(m.calls)}>{t('traces.spanRate')}</Link>
            </li>
            <li>
              <Link to={metricsUrl(m.latency)}>{t('traces.spanLatency')}</Link>
            </li>
          </>
        )}
      </ul>
    </>
  );
}
