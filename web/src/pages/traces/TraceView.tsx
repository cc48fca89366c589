import { useMemo, useState } from 'react';
import { tempoApi } from '../../api/tempo.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { Link } from '../../lib/router.js';
import { traceRows, type TraceSpan } from '../../lib/trace-model.js';
import { formatValue } from '../../lib/units.js';
import { useAsync } from '../../lib/use-async.js';
import { KvTable } from '../../components/KvTable.js';
import { SpanLinks } from './SpanLinks.js';
import { serviceColor } from './service-color.js';

const ms = (v: number): string => formatValue(v / 1000, 'seconds');


function SpanDetails({ span, traceStart, traceId }: { span: TraceSpan; traceStart: number; traceId: string }): React.JSX.Element {
  const t = useT();
  return (
    <section className="card span-details" aria-label={t('traces.spanDetails')}>
      <h2>
        <span className="svc-dot" style={{ background: serviceColor(span.service) }} /> {span.service} · {span.name}
      </h2>
      <dl className="kv">
        <dt>{t('traces.duration')}</dt>
        <dd>{ms(span.endMs - span.startMs)}</dd>
        <dt>{t('traces.offset')}</dt>
        <dd>{ms(span.startMs - traceStart)}</dd>
        <dt>{t('traces.kind')}</dt>
        <dd>{span.kind}</dd>
        <dt>{t('traces.spanId')}</dt>
        <dd className="mono">{span.spanId}</dd>
        {span.error && (
          <>
            <dt>{t('traces.status')}</dt>
            <dd className="err">
              {t('traces.statusError')}
              {span.statusMessage ? `: ${span.statusMessage}` : ''}
            </dd>
          </>
        )}
      </dl>
      <SpanLinks span={span} traceId={traceId} />
      <KvTable title={t('traces.attributes')} kv={span.attributes} />
      {span.events.length > 0 && (
        <>
          <h3>{t('traces.events')}</h3>
          <ul className="events">
            {span.events.map((e, i) => (
              <li key={i}>
                <span className="mono muted">+{ms(e.timeMs - span.startMs)}</span> {e.name}
                {Object.keys(e.attributes).length > 0 && <div className="mono small muted">{Object.entries(e.attributes).map(([k, v]) => `${k}=${v}`).join('  ')}</div>}
              </li>
            ))}
          </ul>
        </>
      )}
      <KvTable title={t('traces.resource')} kv={span.resource} />
    </section>
  );
}

/** The waterfall: one row per span, bars on the trace's time axis, critical path marked. */
export function TraceView({ id }: { id: string }): React.JSX.Element {
  const t = useT();
  const trace = useAsync((signal) => tempoApi.trace(id, signal), [id]);
  const rows = useMemo(() => traceRows(trace.data ?? []), [trace.data]);
  const [selected, setSelected] = useState<string>();
  const start = Math.min(...rows.map((r) => r.span.startMs));
  const end = Math.max(...rows.map((r) => r.span.endMs));
  const total = Math.max(end - start, 1e-3);
  const services = [...new Set(rows.map((r) => r.span.service))];
  const sel = rows.find((r) => r.span.spanId === selected)?.span;
  const root = rows[0]?.span;

  return (
    <>
      <div className="crumbs">
        <Link to="/explore/traces">{t('traces.title')}</Link> /
      </div>
      <PageHeader title={root ? `${root.service}: ${root.name}` : id} />
      <ErrorNote error={trace.error} />
      {trace.data && rows.length === 0 && <div className="card empty">{t('traces.notFound')}</div>}
      {rows.length > 0 && (
        <>
          <div className="row trace-summary">
            <span>{formatDateTime(start)}</span>
            <span>
              {t('traces.duration')}: <strong>{ms(total)}</strong>
            </span>
            <span>
              {t('traces.spans')}: <strong>{rows.length}</strong>
            </span>
            <span className="mono small muted">{id}</span>
            {services.map((s) => (
              <span key={s} className="chip">
                <span className="svc-dot" style={{ background: serviceColor(s) }} /> {s}
              </span>
            ))}
            <span className="muted small">
              <span className="crit-key" /> {t('traces.criticalPath')}
            </span>
          </div>
          <div className={`trace-layout${sel ? ' with-details' : ''}`}>
            <div className="card flush waterfall" role="tree" aria-label={t('traces.waterfall')}>
              <div className="wf-head">
                <div className="wf-name">{t('traces.span')}</div>
                <div className="wf-axis">
                  {[0, 0.25, 0.5, 0.75, 1].map((f) => (
                    <span key={f} style={{ left: `${f * 100}%` }}>
                      {ms(total * f)}
                    </span>
                  ))}
                </div>
              </div>
              {rows.map(({ span, depth, critical }) => {
                const left = ((span.startMs - start) / total) * 100;
                const width = Math.max(((span.endMs - span.startMs) / total) * 100, 0.3);
                return (
                  <button
                    type="button"
                    role="treeitem"
                    aria-level={depth + 1}
                    aria-selected={selected === span.spanId}
                    key={span.spanId}
                    className={`wf-row${selected === span.spanId ? ' sel' : ''}${span.error ? ' err' : ''}`}
                    onClick={() => setSelected(selected === span.spanId ? undefined : span.spanId)}
                  >
                    <div className="wf-name" style={{ paddingLeft: 8 + depth * 14 }}>
                      <span className="svc-dot" style={{ background: serviceColor(span.service) }} />
                      <span className="wf-svc">{span.service}</span> <span className="wf-op">{span.name}</span>
                    </div>
                    <div className="wf-track">
                      <div className={`wf-bar${critical ? ' crit' : ''}`} style={{ left: `${left}%`, width: `${width}%`, background: serviceColor(span.service) }} />
                      <span className="wf-dur" style={left + width > 85 ? { right: -48 } : { left: `${left + width}%` }}>
                        {ms(span.endMs - span.startMs)}
                      </span>
                    </div>
                  </button>
                );
              })}
            </div>
            {sel && <SpanDetails span={sel} traceStart={start} traceId={id.toLowerCase()} />}
          </div>
        </>
      )}
    </>
  );
}
