import { useEffect, useState } from 'react';
import { alertingApi, type Rule } from '../../api/alerting.js';
import { CopyBlock } from '../../components/CopyBlock.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { Link } from '../../lib/router.js';
import { formatValue } from '../../lib/units.js';
import { useAsync } from '../../lib/use-async.js';
import { LabelChips } from './StatusBadge.js';

type Filter = 'all' | 'firing' | 'pending' | 'inactive' | 'recording' | 'error';
const FILTERS: readonly Filter[] = ['all', 'firing', 'pending', 'inactive', 'recording', 'error'];

function matches(r: Rule, f: Filter): boolean {
  if (f === 'all') return true;
  if (f === 'error') return r.health === 'err';
  if (f === 'recording') return r.type === 'recording';
  return r.type === 'alerting' && r.state === f;
}

const RULE_FILE = `groups:
  - name: example
    rules:
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05
        for: 5m
        labels: { severity: critical }
        annotations: { summary: "More than 5% of requests fail" }`;

/** Recording and alerting rules (PromQL and LogQL) with their state, health and active alerts. */
export function Rules(): React.JSX.Element {
  const t = useT();
  const groups = useAsync((signal) => alertingApi.rules(signal), []);
  const [filter, setFilter] = useState<Filter>('all');
  useEffect(() => {
    const id = setInterval(groups.reload, 15_000);
    return () => clearInterval(id);
  }, [groups.reload]);
  const all = groups.data ?? [];
  const count = (f: Filter): number => all.reduce((n, g) => n + g.rules.filter((r) => matches(r, f)).length, 0);
  return (
    <>
      <PageHeader title={t('rules.title')}>
        <button type="button" className="btn" onClick={groups.reload}>
          {t('common.refresh')}
        </button>
      </PageHeader>
      <div className="seg" role="tablist" aria-label={t('rules.filter')}>
        {FILTERS.map((f) => (
          <button key={f} type="button" role="tab" aria-selected={filter === f} className={filter === f ? 'on' : ''} onClick={() => setFilter(f)}>
            {t(`rules.filter.${f}`)} ({count(f)})
          </button>
        ))}
      </div>
      <ErrorNote error={groups.error} />
      {groups.data && all.length === 0 && (
        <div className="card empty-state">
          <h2>{t('rules.empty')}</h2>
          <p className="muted">{t('rules.emptyText')}</p>
          <CopyBlock text={RULE_FILE} label="rules.yml" />
        </div>
      )}
      {all.map((g) => {
        const rules = g.rules.filter((r) => matches(r, filter));
        if (rules.length === 0) return null;
        return (
          <section key={`${g.language}/${g.file}/${g.name}`} className="card flush rule-group" aria-label={g.name}>
            <header className="rule-group-head">
              <h2>{g.name}</h2>
              <span className="muted small">
                {g.language === 'logql' ? 'LogQL' : 'PromQL'} · {g.file} · {t('rules.every', { d: formatValue(g.interval, 'seconds') })}
                {g.lastEvaluation && g.lastEvaluation !== '0001-01-01T00:00:00Z' ? ` · ${t('rules.lastEval', { at: formatDateTime(Date.parse(g.lastEvaluation)) })}` : ''}
              </span>
            </header>
            <ul className="rule-list">
              {rules.map((r) => (
                <li key={r.name + r.query} className="rule">
                  <div className="rule-head">
                    <span className={`badge badge-rule-${r.type === 'recording' ? 'recording' : (r.state ?? 'inactive')}`}>{r.type === 'recording' ? t('rules.filter.recording') : t(`rules.state.${(r.state ?? 'inactive') as 'firing' | 'pending' | 'inactive'}`)}</span>
                    <strong className="mono">{r.name}</strong>
                    {r.health === 'err' && <span className="badge badge-firing">{t('rules.health.err')}</span>}
                    {r.labels && <LabelChips labels={r.labels} />}
                  </div>
                  <pre className="rule-expr mono">{r.query}</pre>
                  {r.lastError && <p className="err small">{r.lastError}</p>}
                  <div className="muted small">
                    {r.type === 'alerting' && r.duration ? `${t('rules.for', { d: formatValue(r.duration, 'seconds') })} · ` : ''}
                    <Link to={`${g.language === 'logql' ? '/explore/logs' : '/explore/metrics'}?q=${encodeURIComponent(r.query)}`}>{t('rules.explore')}</Link>
                  </div>
                  {r.alerts && r.alerts.length > 0 && (
                    <table className="table rule-alerts">
                      <thead>
                        <tr>
                          <th>{t('rules.alertState')}</th>
                          <th>{t('rules.alertLabels')}</th>
                          <th>{t('rules.activeSince')}</th>
                          <th className="right">{t('metrics.value')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {r.alerts.map((a, i) => (
                          <tr key={i}>
                            <td>
                              <span className={`badge badge-rule-${a.state}`}>{a.state}</span>
                            </td>
                            <td>
                              <LabelChips labels={a.labels} />
                            </td>
                            <td className="nowrap">{a.activeAt ? formatDateTime(Date.parse(a.activeAt)) : '–'}</td>
                            <td className="right mono">{a.value ?? ''}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}
