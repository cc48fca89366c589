import { useMemo } from 'react';
import { instantVector, type InstantValue } from '../../api/prometheus.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { FirstData } from '../../components/FirstData.js';
import { useT } from '../../i18n/i18n.js';
import { edgePath, layoutGraph, NODE_H, NODE_W, type GraphEdge } from '../../lib/service-graph.js';
import { redQueries, serviceGraphQueries, windowOf } from '../../lib/span-metrics.js';
import { formatRate, formatValue } from '../../lib/units.js';
import { useAsync } from '../../lib/use-async.js';
import { serviceColor } from './service-color.js';

interface GraphData {
  readonly edges: GraphEdge[];
  readonly nodes: Map<string, { rate?: number; errors?: number; p95?: number }>;
}

const edgeKey = (m: Readonly<Record<string, string>>): string => `${m.client ?? ''}\u0000${m.server ?? ''}`;
const byKey = (rows: InstantValue[], key: (m: Readonly<Record<string, string>>) => string): Map<string, number> => new Map(rows.map((r) => [key(r.metric), r.value]));
const finite = (v: number | undefined): number | undefined => (v !== undefined && Number.isFinite(v) ? v : undefined);

async function loadGraph(startMs: number, endMs: number, signal: AbortSignal): Promise<GraphData> {
  const w = windowOf((endMs - startMs) / 1000);
  const at = endMs / 1000;
  const g = serviceGraphQueries(w);
  const red = redQueries(w);
  const [edges, rate, failed, p95, nRate, nErr, nP95] = await Promise.all([g.edges, g.rate, g.failed, g.p95, red.rate, red.errors, red.p95].map((q) => instantVector(q, at, signal)));
  const r = byKey(rate!, edgeKey);
  const f = byKey(failed!, edgeKey);
  const p = byKey(p95!, edgeKey);
  const out: GraphEdge[] = edges!.map((e) => {
    const k = edgeKey(e.metric);
    return { client: e.metric.client ?? '', server: e.metric.server ?? '', rate: finite(r.get(k)), failedRate: finite(f.get(k)), p95: finite(p.get(k)) };
  });
  const svc = (m: Readonly<Record<string, string>>): string => m.service ?? '';
  const nr = byKey(nRate!, svc);
  const ne = byKey(nErr!, svc);
  const np = byKey(nP95!, svc);
  const nodes = new Map<string, { rate?: number; errors?: number; p95?: number }>();
  for (const n of new Set(out.flatMap((e) => [e.client, e.server]))) nodes.set(n, { rate: finite(nr.get(n)), errors: finite(ne.get(n)), p95: finite(np.get(n)) });
  return { edges: out, nodes };
}

const perSecond = (v: number | undefined): string => formatRate(v);
const errorShare = (failed: number | undefined, total: number | undefined): number | undefined => (failed !== undefined && total !== undefined && total > 0 ? failed / total : undefined);

/**
 * Services and the calls between them, from the metrics the trace store writes from spans.
 * A service is a link to its traces; the table under the drawing says the same in words.
 */
export function ServiceGraph({ startMs, endMs, onService }: { startMs: number; endMs: number; onService: (service: string) => void }): React.JSX.Element {
  const t = useT();
  const data = useAsync((signal) => loadGraph(startMs, endMs, signal), [startMs, endMs]);
  const layout = useMemo(() => layoutGraph(data.data?.edges ?? []), [data.data]);
  const at = new Map(layout.nodes.map((n) => [n.name, n]));

  if (data.error) return <ErrorNote error={data.error} />;
  if (!data.data) return <p className="muted">{t('common.loading')}</p>;
  if (data.data.edges.length === 0)
    return (
      <div className="card empty-state">
        <h2>{t('graph.empty')}</h2>
        <p className="muted">{t('graph.emptyText')}</p>
        <FirstData kind="traces" />
      </div>
    );
  return (
    <>
      <div className="card service-graph">
        <svg width={layout.width} height={layout.height + 40} viewBox={`0 -20 ${layout.width} ${layout.height + 40}`} role="img" aria-label={t('graph.title')}>
          <defs>
            <marker id="sg-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" className="sg-arrow" />
            </marker>
          </defs>
          {data.data.edges.map((e) => {
            const a = at.get(e.client)!;
            const b = at.get(e.server)!;
            const share = errorShare(e.failedRate, e.rate);
            const d = edgePath(a, b);
            const lx = (a.x + NODE_W + b.x) / 2;
            const ly = (a.y + b.y) / 2 + NODE_H / 2 - 6;
            return (
              <g key={`${e.client}>${e.server}`} className={`sg-edge${share !== undefined && share > 0 ? ' err' : ''}`}>
                <path d={d} markerEnd="url(#sg-arrow)" />
                {b.x > a.x && (
                  <text x={lx} y={ly} textAnchor="middle">
                    {perSecond(e.rate)}
                    {share !== undefined && share > 0 ? ` · ${formatValue(share, 'percentunit', 2)}` : ''}
                  </text>
                )}
              </g>
            );
          })}
          {layout.nodes.map((n) => {
            const s = data.data!.nodes.get(n.name) ?? {};
            const share = errorShare(s.errors, s.rate);
            return (
              <a
                key={n.name}
                href={`/explore/traces?q=${encodeURIComponent(`{ resource.service.name = "${n.name}" }`)}`}
                className="sg-node"
                aria-label={t('graph.nodeLabel', { service: n.name, rate: perSecond(s.rate) })}
                onClick={(ev) => {
                  ev.preventDefault();
                  onService(n.name);
                }}
              >
                <rect x={n.x} y={n.y} width={NODE_W} height={NODE_H} rx={8} className={share !== undefined && share > 0 ? 'err' : ''} style={{ stroke: serviceColor(n.name) }} />
                <text x={n.x + 12} y={n.y + 21} className="sg-name">
                  {n.name.length > 24 ? `${n.name.slice(0, 23)}…` : n.name}
                </text>
                <text x={n.x + 12} y={n.y + 40} className="sg-stats">
                  {perSecond(s.rate)}
                  {share !== undefined ? ` · ${t('graph.errorsShort', { pct: formatValue(share, 'percentunit', 1) })}` : ''}
                </text>
                {s.p95 !== undefined && (
                  <text x={n.x + 12} y={n.y + 56} className="sg-stats">
                    p95 {formatValue(s.p95, 'seconds', 2)}
                  </text>
                )}
              </a>
            );
          })}
        </svg>
      </div>
      <div className="card flush">
        <table className="table">
          <caption className="sr-only">{t('graph.edges')}</caption>
          <thead>
            <tr>
              <th>{t('graph.client')}</th>
              <th>{t('graph.server')}</th>
              <th className="right">{t('graph.rate')}</th>
              <th className="right">{t('graph.errorRate')}</th>
              <th className="right">{t('graph.p95')}</th>
            </tr>
          </thead>
          <tbody>
            {data.data.edges.map((e) => {
              const share = errorShare(e.failedRate, e.rate);
              return (
                <tr key={`${e.client}>${e.server}`}>
                  <td>
                    <span className="svc-dot" style={{ background: serviceColor(e.client) }} /> {e.client}
                  </td>
                  <td>
                    <span className="svc-dot" style={{ background: serviceColor(e.server) }} /> {e.server}
                  </td>
                  <td className="right mono">{perSecond(e.rate)}</td>
                  <td className={`right mono${share !== undefined && share > 0 ? ' err' : ''}`}>{share === undefined ? '–' : formatValue(share, 'percentunit', 2)}</td>
                  <td className="right mono">{e.p95 === undefined ? '–' : formatValue(e.p95, 'seconds', 2)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
