import { compareLabelNames, formatDuration, labelsKey, type Label, type Labels } from '../../model/index.js';
import { relabel } from '../relabel/index.js';
import type { ScrapeJob } from './scrape-config.js';

/** A target after relabelling: its public labels and where to scrape it. */
export interface Target {
  readonly key: string;
  readonly labels: Labels;
  readonly url: string;
}

/** One discovered address: its labels before relabelling, and the target unless relabelling dropped it. */
export interface DiscoveredTarget {
  readonly discoveredLabels: Labels;
  readonly target: Target | undefined;
}

/**
 * Builds a target from one address of a target group, as Prometheus' populateLabels does:
 * job/scheme/path/interval/timeout/params as `__…__` labels, relabel_configs, a default port,
 * `instance` from `__address__`, then every `__`-prefixed label removed.
 */
export function buildTarget(job: ScrapeJob, address: string, groupLabels: Readonly<Record<string, string>>): DiscoveredTarget {
  const base = new Map<string, string>();
  for (const [k, v] of Object.entries(groupLabels)) base.set(k, v);
  base.set('__address__', address);
  const defaults: Array<[string, string]> = [
    ['job', job.jobName],
    ['__scheme__', job.scheme],
    ['__metrics_path__', job.metricsPath],
    ['__scrape_interval__', formatDuration(job.intervalMs)],
    ['__scrape_timeout__', formatDuration(job.timeoutMs)],
  ];
  for (const [k, v] of defaults) if (!base.has(k)) base.set(k, v);
  for (const [k, vs] of Object.entries(job.params)) if (!base.has(`__param_${k}`) && vs.length > 0) base.set(`__param_${k}`, vs[0]!);
  const discoveredLabels: Label[] = [...base].map(([name, value]) => ({ name, value })).sort(compareLabelNames);
  const out = relabel(discoveredLabels, job.relabel);
  if (!out) return { discoveredLabels, target: undefined };
  const lb = new Map(out.map((l) => [l.name, l.value]));
  let addr = lb.get('__address__') ?? '';
  if (addr === '') return { discoveredLabels, target: undefined };
  const scheme = lb.get('__scheme__') ?? job.scheme;
  if (!/:\d+$/.test(addr) && !addr.endsWith(']')) addr = `${addr}:${scheme === 'https' ? 443 : 80}`;
  if (!lb.has('instance')) lb.set('instance', addr);
  const params = new URLSearchParams();
  for (const [k, v] of lb) if (k.startsWith('__param_')) params.append(k.slice('__param_'.length), v);
  for (const [k, vs] of Object.entries(job.params)) for (const v of vs.slice(1)) params.append(k, v);
  const path = lb.get('__metrics_path__') ?? job.metricsPath;
  const qs = params.toString();
  const url = `${scheme}://${addr}${path}${qs === '' ? '' : (path.includes('?') ? '&' : '?') + qs}`;
  const labels: Label[] = [];
  for (const [name, value] of lb) if (!name.startsWith('__') && value !== '') labels.push({ name, value });
  labels.sort(compareLabelNames);
  return { discoveredLabels, target: { key: `${url}\u0000${labelsKey(labels)}`, labels, url } };
}
