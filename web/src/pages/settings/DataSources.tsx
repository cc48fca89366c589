import { statusApi, type Datasources, type StorageStatus } from '../../api/status.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import type { MessageKey } from '../../i18n/en.js';
import { useT } from '../../i18n/i18n.js';
import { formatValue } from '../../lib/units.js';
import { useAsync } from '../../lib/use-async.js';

type Signal = 'metrics' | 'logs' | 'traces';
const SIGNALS: ReadonlyArray<{ key: Signal; label: MessageKey }> = [
  { key: 'metrics', label: 'nav.metrics' },
  { key: 'logs', label: 'nav.logs' },
  { key: 'traces', label: 'nav.traces' },
];

interface Remote {
  readonly backend: string;
  readonly dir?: string;
  readonly writeUrl?: string;
  readonly queryUrl?: string;
  readonly bearerToken?: boolean;
  readonly tenantHeader?: boolean;
  readonly timeoutMs?: number;
}

/** Where each signal is stored (embedded directory or remote backend) and how long it is kept. Admins only. */
export function DataSources(): React.JSX.Element {
  const t = useT();
  const both = useAsync(async (signal): Promise<{ ds: Datasources; st: StorageStatus }> => {
    const [ds, st] = await Promise.all([statusApi.datasources(signal), statusApi.storage(signal)]);
    return { ds, st };
  }, []);
  const keep = (ms: number): string => (ms === 0 ? t('overview.forever') : formatValue(ms / 1000, 'seconds', 1));
  const cap = (b: number): string => (b === 0 ? t('overview.noCap') : formatValue(b, 'bytes', 1));
  const yes = (v: boolean | undefined): string => t(v ? 'common.yes' : 'common.no');
  return (
    <>
      <PageHeader title={t('sources.title')} />
      <p className="muted">{t('sources.intro')}</p>
      <ErrorNote error={both.error} />
      {both.data &&
        SIGNALS.map(({ key, label }) => {
          const d = both.data!.ds[key] as Remote;
          const s = both.data!.st[key];
          return (
            <section key={key} className="card datasource" aria-label={t(label)}>
              <h2>
                {t(label)} <span className="badge badge-kind">{d.backend === 'remote' ? t('sources.remote') : t('sources.embedded')}</span>
              </h2>
              <dl className="kv">
                {d.backend === 'remote' ? (
                  <>
                    <dt>{t('sources.writeUrl')}</dt>
                    <dd className="mono">{d.writeUrl}</dd>
                    <dt>{t('sources.queryUrl')}</dt>
                    <dd className="mono">{d.queryUrl}</dd>
                    <dt>{t('sources.token')}</dt>
                    <dd>{yes(d.bearerToken)}</dd>
                    <dt>{t('sources.tenantHeader')}</dt>
                    <dd>{yes(d.tenantHeader)}</dd>
                    <dt>{t('sources.timeout')}</dt>
                    <dd>{formatValue((d.timeoutMs ?? 0) / 1000, 'seconds')}</dd>
                  </>
                ) : (
                  <>
                    <dt>{t('sources.dir')}</dt>
                    <dd className="mono">{d.dir}</dd>
                    <dt>{t('overview.onDisk')}</dt>
                    <dd>{s.bytes === null ? '–' : formatValue(s.bytes, 'bytes', 1)}</dd>
                  </>
                )}
                <dt>{t('overview.retention')}</dt>
                <dd>{keep(s.retentionMs)}</dd>
                <dt>{t('overview.sizeCap')}</dt>
                <dd>{cap(s.retentionBytes)}</dd>
                {key === 'metrics' && (
                  <>
                    <dt>{t('sources.selfScrape')}</dt>
                    <dd>{both.data!.ds.metrics.selfScrapeIntervalMs === 0 ? t('sources.off') : formatValue(both.data!.ds.metrics.selfScrapeIntervalMs / 1000, 'seconds')}</dd>
                    <dt>{t('sources.scrapeJobs')}</dt>
                    <dd>{both.data!.ds.metrics.scrapeJobs}</dd>
                  </>
                )}
                {key === 'traces' && (
                  <>
                    <dt>{t('sources.spanMetrics')}</dt>
                    <dd>{both.data!.ds.traces.spanMetrics ? formatValue(both.data!.ds.traces.spanMetricsIntervalMs / 1000, 'seconds') : t('sources.off')}</dd>
                  </>
                )}
              </dl>
            </section>
          );
        })}
      {both.data && (
        <section className="card datasource" aria-label={t('overview.stateDb')}>
          <h2>
            {t('overview.stateDb')} <span className="badge badge-kind">{both.data.ds.state.backend}</span>
          </h2>
          <dl className="kv">
            <dt>{both.data.ds.state.backend === 'postgres' ? t('sources.url') : t('sources.file')}</dt>
            <dd className="mono">{both.data.ds.state.url ?? both.data.ds.state.path}</dd>
            {both.data.st.state.bytes !== null && (
              <>
                <dt>{t('overview.onDisk')}</dt>
                <dd>{formatValue(both.data.st.state.bytes, 'bytes', 1)}</dd>
              </>
            )}
            <dt>{t('sources.events')}</dt>
            <dd>{keep(both.data.st.events.retentionMs)}</dd>
          </dl>
          <p className="muted small">{t('sources.configHint')}</p>
        </section>
      )}
    </>
  );
}
