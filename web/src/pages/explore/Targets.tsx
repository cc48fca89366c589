import { useEffect, useMemo, useState } from 'react';
import { fetchTargets, type ActiveTarget } from '../../api/targets.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { useAsync } from '../../lib/use-async.js';

type Filter = 'all' | 'up' | 'down' | 'unknown';
const FILTERS: readonly Filter[] = ['all', 'up', 'down', 'unknown'];
/** Health changes at the scrape interval; a page left open follows it. */
const REFRESH_MS = 10_000;

const labelText = (l: Readonly<Record<string, string>>): string[] => Object.entries(l).map(([k, v]) => `${k}="${v}"`);

function HealthTag({ health }: { health: ActiveTarget['health'] }): React.JSX.Element {
  const t = useT();
  const cls = health === 'up' ? 'tag tag-on' : health === 'down' ? 'badge badge-firing' : 'tag tag-off';
  return <span className={cls}>{t(`targets.health.${health}`)}</span>;
}

function PoolTable({ pool, targets }: { pool: string; targets: readonly ActiveTarget[] }): React.JSX.Element {
  const t = useT();
  const up = targets.filter((x) => x.health === 'up').length;
  return (
    <section className="card flush table-scroll target-pool" aria-label={pool}>
      <header className="pool-head">
        <h2>{pool}</h2>
        <span className="muted small">{t('targets.upCount', { up: String(up), total: String(targets.length) })}</span>
      </header>
      <table className="table">
        <thead>
          <tr>
            <th>{t('targets.endpoint')}</th>
            <th>{t('targets.state')}</th>
            <th>{t('targets.labels')}</th>
            <th>{t('targets.lastScrape')}</th>
            <th>{t('targets.duration')}</th>
            <th>{t('targets.error')}</th>
          </tr>
        </thead>
        <tbody>
          {targets.map((x) => (
            <tr key={x.scrapeUrl + JSON.stringify(x.labels)}>
              <td className="mono">{x.scrapeUrl}</td>
              <td>
                <HealthTag health={x.health} />
              </td>
              <td>
                {labelText(x.labels).map((l) => (
                  <span key={l} className="tag mono">
                    {l}
                  </span>
                ))}
              </td>
              <td className="nowrap">{x.lastScrape.startsWith('0001-') ? t('common.never') : formatDateTime(Date.parse(x.lastScrape))}</td>
              <td className="nowrap">{x.lastScrape.startsWith('0001-') ? '' : `${(x.lastScrapeDuration * 1000).toFixed(1)} ms`}</td>
              <td className="mono small">{x.lastError}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Scrape targets by job (scrape pool) with their health, as Prometheus' targets page; then what relabelling dropped. */
export function Targets(): React.JSX.Element {
  const t = useT();
  const list = useAsync((signal) => fetchTargets(signal), []);
  const [filter, setFilter] = useState<Filter>('all');
  const [search, setSearch] = useState('');
  const { reload } = list;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const pools = useMemo(() => {
    const q = search.trim().toLowerCase();
    const byPool = new Map<string, ActiveTarget[]>();
    for (const x of list.data?.activeTargets ?? []) {
      if (filter !== 'all' && x.health !== filter) continue;
      if (q !== '' && !`${x.scrapePool} ${x.scrapeUrl} ${labelText(x.labels).join(' ')}`.toLowerCase().includes(q)) continue;
      byPool.set(x.scrapePool, [...(byPool.get(x.scrapePool) ?? []), x]);
    }
    return [...byPool];
  }, [list.data, filter, search]);
  const all = list.data?.activeTargets ?? [];
  const dropped = list.data?.droppedTargets ?? [];
  return (
    <>
      <PageHeader title={t('targets.title')}>
        <button type="button" className="btn" onClick={reload}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      <p className="muted">{t('targets.intro')}</p>
      <div className="toolbar">
        <div className="seg" role="tablist" aria-label={t('targets.state')}>
          {FILTERS.map((f) => (
            <button key={f} type="button" role="tab" aria-selected={filter === f} className={filter === f ? 'on' : ''} onClick={() => setFilter(f)}>
              {f === 'all' ? t('targets.all') : t(`targets.health.${f}`)} ({f === 'all' ? all.length : all.filter((x) => x.health === f).length})
            </button>
          ))}
        </div>
        <input type="search" aria-label={t('targets.search')} placeholder={t('targets.search')} value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <ErrorNote error={list.error} />
      {list.data && pools.length === 0 && (
        <div className="card empty-state">
          <p className="muted">{t('targets.empty')}</p>
        </div>
      )}
      {pools.map(([pool, targets]) => (
        <PoolTable key={pool} pool={pool} targets={targets} />
      ))}
      {dropped.length > 0 && (
        <details className="card target-pool">
          <summary>{t('targets.dropped', { n: String(dropped.length) })}</summary>
          <ul className="dropped-targets">
            {dropped.map((d, i) => (
              <li key={i} className="mono small">
                {labelText(d.discoveredLabels).join(', ')}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
