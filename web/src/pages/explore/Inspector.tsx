import type { QueryTrace } from '../../api/prometheus.js';
import { useT } from '../../i18n/i18n.js';
import { formatValue } from '../../lib/units.js';

export function Inspector({ trace, series, points, samples }: { trace: QueryTrace; series: number; points: number; samples: number | undefined }): React.JSX.Element {
  const t = useT();
  const pretty = (() => {
    if (trace.raw.length > 200_000) return `${trace.raw.slice(0, 200_000)}…`;
    try {
      return JSON.stringify(JSON.parse(trace.raw), null, 2);
    } catch {
      return trace.raw;
    }
  })();
  return (
    <details className="card inspector">
      <summary>{t('metrics.inspector')}</summary>
      <dl className="kv">
        <dt>{t('metrics.request')}</dt>
        <dd className="mono">
          {trace.method} {trace.url} → {trace.status}
        </dd>
        <dt>{t('metrics.duration')}</dt>
        <dd>{formatValue(trace.durationMs / 1000, 'seconds')}</dd>
        <dt>{t('metrics.seriesCount')}</dt>
        <dd>{series}</dd>
        <dt>{t('metrics.pointsCount')}</dt>
        <dd>{points}</dd>
        {samples !== undefined && (
          <>
            <dt>{t('metrics.samplesLoaded')}</dt>
            <dd>{samples}</dd>
          </>
        )}
        <dt>{t('metrics.response')}</dt>
        <dd>{formatValue(trace.bytes, 'bytes')}</dd>
      </dl>
      <pre className="inspector-raw">{pretty}</pre>
    </details>
  );
}
