import { instantVector } from '../../api/prometheus.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { FirstData } from '../../components/FirstData.js';
import { useT } from '../../i18n/i18n.js';
import { Link } from '../../lib/router.js';
import { redQueries } from '../../lib/span-metrics.js';
import { formatRate, formatValue } from '../../lib/units.js';
import { useAsync } from '../../lib/use-async.js';
import { serviceColor } from '../traces/service-color.js';

interface Row {
  readonly service: string;
  readonly rate: number;
  readonly errors: number | undefined;
  readonly p95: number | undefined;
}

const TOP = 10;

/** The busiest services' rate, errors and duration over five minutes, from span metrics. */
async function loadRed(signal: AbortSignal): Promise<Row[]> {
  const q = redQueries('5m', TOP);
  const now = Date.now() / 1000;
  const [rate, errors, p95] = await Promise.all([q.rate, q.errors, q.p95].map((x) => instantVector(x, now, signal)));
  const get = (rows: typeof rate, s: string): number | undefined => {
    const v = rows!.find((r) => r.metric.service === s)?.value;
    return v !== undefined && Number.isFinite(v) ? v : undefined;
  };
  return rate!
    .map((r) => ({ service: r.metric.service ?? '', rate: r.value, errors: get(errors, r.metric.service ?? ''), p95: get(p95, r.metric.service ?? '') }))
    .sort((a, b) => b.rate - a.rate || a.service.localeCompare(b.service));
}

export function ServicesRed({ refreshTick }: { refreshTick: number }): React.JSX.Element {
  const t = useT();
  const red = useAsync(loadRed, [refreshTick]);
  return (
    <section className="card" aria-labelledby="ov-services">
      <h2 id="ov-services">{t('overview.services')}</h2>
      <ErrorNote error={red.error} />
      {red.data && red.data.length === 0 && (
        <>
          <p className="muted">{t('overview.noServices')}</p>
          <FirstData kind="traces" />
        </>
      )}
      {red.data && red.data.length > 0 && (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th>{t('overview.service')}</th>
                <th className="right">{t('overview.rate')}</th>
                <th className="right">{t('overview.errorShare')}</th>
                <th className="right">{t('overview.p95')}</th>
              </tr>
            </thead>
            <tbody>
              {red.data.map((r) => {
                const share = r.errors !== undefined && r.rate > 0 ? r.errors / r.rate : r.errors === undefined ? undefined : 0;
                return (
                  <tr key={r.service}>
                    <td>
                      <span className="svc-dot" style={{ background: serviceColor(r.service) }} />{' '}
                      <Link to={`/explore/traces?q=${encodeURIComponent(`{ resource.service.name = "${r.service}" }`)}`}>{r.service}</Link>
                    </td>
                    <td className="right mono">{formatRate(r.rate)}</td>
                    <td className={`right mono${share !== undefined && share > 0 ? ' err' : ''}`}>{share === undefined ? '0%' : formatValue(share, 'percentunit', 1)}</td>
                    <td className="right mono">{r.p95 === undefined ? '–' : formatValue(r.p95, 'seconds', 2)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
