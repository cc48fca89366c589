import type { DashboardSpec, Panel, PanelType, Variable } from '../../../src/api/dashboards/spec.js';
import { UNITS, type Unit } from './units.js';

/** What an import produced, and every part of the Grafana dashboard it left out, with why. */
export interface ImportResult {
  readonly spec: DashboardSpec;
  readonly skipped: string[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);

const PANEL_TYPE: Record<string, PanelType> = { timeseries: 'timeseries', graph: 'timeseries', stat: 'stat', singlestat: 'stat', bargauge: 'bargauge', gauge: 'bargauge', table: 'table', heatmap: 'heatmap', logs: 'logs' };

const UNIT_MAP: Record<string, Unit> = { bytes: 'bytes', decbytes: 'bytes_si', s: 'seconds', ms: 'ms', percent: 'percent', percentunit: 'percentunit', reqps: 'reqps', short: 'short', none: 'none', '': 'short' };

/** `label_values(up{job="x"}, instance)` or `label_values(instance)`. */
export function parseLabelValues(q: string): { label: string; match: string } | undefined {
  const m = /^\s*label_values\(\s*(?:(.*?)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(q);
  if (!m) return undefined;
  return { label: m[2]!, match: m[1] ?? '' };
}

function datasourceType(ds: unknown): string {
  if (typeof ds === 'string') return ds.toLowerCase().includes('loki') ? 'loki' : 'prometheus';
  const t = str(obj(ds).type);
  return t === '' ? 'prometheus' : t;
}

function importVariable(v: Json, skipped: string[]): Variable | undefined {
  const name = str(v.name);
  const type = str(v.type);
  if (type !== 'query') {
    skipped.push(`variable $${name}: type "${type}" is not supported (only label-value queries)`);
    return undefined;
  }
  const q = typeof v.query === 'string' ? v.query : str(obj(v.query).query);
  const lv = parseLabelValues(q);
  if (!lv) {
    skipped.push(`variable $${name}: query "${q}" is not label_values(…)`);
    return undefined;
  }
  const cur = obj(v.current).value;
  const current = (Array.isArray(cur) ? cur : cur === undefined ? [] : [cur]).map(String).filter((x) => x !== '$__all');
  return { name, label: lv.label, match: lv.match, multi: v.multi === true, includeAll: v.includeAll === true, current };
}

function importPanel(p: Json, index: number, skipped: string[]): Panel | undefined {
  const title = str(p.title, `panel ${index + 1}`);
  const gtype = str(p.type);
  const type = PANEL_TYPE[gtype];
  if (!type) {
    skipped.push(`panel "${title}": type "${gtype}" is not supported`);
    return undefined;
  }
  const targets = arr(p.targets).map(obj).filter((t) => t.hide !== true);
  // A logs panel reads Loki; every other panel runs its first query on the data source it
  // names (PromQL, or a LogQL metric query on Loki), and keeps only the queries of that source.
  const sourceOf = (t: Json): 'loki' | 'prometheus' => (datasourceType(t.datasource ?? p.datasource) === 'loki' ? 'loki' : 'prometheus');
  const withExpr = targets.filter((t) => typeof t.expr === 'string' && t.expr !== '');
  const source = type === 'logs' ? 'loki' : withExpr[0] ? sourceOf(withExpr[0]) : 'prometheus';
  const prom = withExpr.filter((t) => sourceOf(t) === source);
  if (prom.length === 0) {
    skipped.push(`panel "${title}": no ${type === 'logs' ? 'LogQL' : 'PromQL or LogQL'} query`);
    return undefined;
  }
  if (prom.length < targets.length || prom.length > 1) skipped.push(`panel "${title}": kept the first of ${targets.length} queries`);
  // Grafana's heatmap also buckets plain series itself; ours draws Prometheus histogram buckets.
  if (type === 'heatmap' && str(prom[0]!.format) !== 'heatmap' && !/_bucket\b/.test(str(prom[0]!.expr))) skipped.push(`panel "${title}": heatmap query has no histogram buckets (le); it shows only if the answer has them`);
  const t0 = prom[0]!;
  const defaults = obj(obj(p.fieldConfig).defaults);
  const gunit = str(defaults.unit, str(arr(p.yaxes).map(obj)[0]?.format));
  let unit: Unit = UNIT_MAP[gunit] ?? 'short';
  if (!(gunit in UNIT_MAP)) skipped.push(`panel "${title}": unit "${gunit}" shown as a plain number`);
  if (!(UNITS as readonly string[]).includes(unit)) unit = 'short';
  if (gtype === 'gauge') skipped.push(`panel "${title}": gauge shown as a bar gauge`);
  const stacking = str(obj(obj(defaults.custom).stacking).mode);
  const gp = obj(p.gridPos);
  const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : d);
  const w = Math.min(Math.max(num(gp.w, 12), 1), 24);
  return {
    id: `p${index + 1}`,
    title,
    type,
    expr: str(t0.expr),
    source,
    legend: str(t0.legendFormat) === '__auto' ? '' : str(t0.legendFormat),
    unit,
    stacked: stacking === 'normal' || p.stack === true,
    gridPos: { x: Math.min(Math.max(num(gp.x, 0), 0), 24 - w), y: Math.max(num(gp.y, index * 8), 0), w, h: Math.min(Math.max(num(gp.h, 8), 2), 100) },
  };
}

/** Maps a Grafana dashboard (as exported, or wrapped in `{dashboard: …}`) to ours. */
export function importGrafanaDashboard(input: unknown): ImportResult {
  const root = obj(input);
  const d = 'dashboard' in root && typeof root.dashboard === 'object' ? obj(root.dashboard) : root;
  if (!Array.isArray(d.panels) && !Array.isArray(d.rows)) throw new Error('this is not a Grafana dashboard JSON (no "panels")');
  const skipped: string[] = [];
  if (Array.isArray(d.rows) && !Array.isArray(d.panels)) skipped.push('the old rows layout (Grafana < 5) is not supported: re-export from a newer Grafana');
  // Collapsed rows hold their panels inside; open rows are just headers.
  const flat: Json[] = [];
  for (const p of arr(d.panels).map(obj)) {
    if (p.type === 'row') flat.push(...arr(p.panels).map(obj));
    else flat.push(p);
  }
  const panels = flat.map((p, i) => importPanel(p, i, skipped)).filter((p): p is Panel => p !== undefined);
  const variables = arr(obj(d.templating).list)
    .map(obj)
    .map((v) => importVariable(v, skipped))
    .filter((v): v is Variable => v !== undefined);
  if (arr(obj(d.annotations).list).some((a) => obj(a).builtIn !== 1)) skipped.push('annotations are not supported');
  if (arr(d.links).length > 0) skipped.push('dashboard links are not supported');
  const time = obj(d.time);
  return {
    spec: {
      title: str(d.title, 'Imported dashboard').slice(0, 200) || 'Imported dashboard',
      description: str(d.description).slice(0, 2000),
      time: { from: str(time.from, 'now-1h'), to: str(time.to, 'now') },
      refresh: typeof d.refresh === 'string' ? d.refresh : '',
      variables,
      panels,
    },
    skipped,
  };
}
