import { hostname } from 'node:os';
import { formatDuration, type Labels } from '../../../model/index.js';
import type { ActiveTarget } from '../../../pipeline/index.js';
import type { PrometheusEndpoint } from '../deps.js';
import { success } from '../envelope.js';
import { param, params } from '../params.js';

/** Go's zero time, which Prometheus reports for a target never scraped yet. */
const NEVER = '0001-01-01T00:00:00Z';

const labelObject = (labels: Labels): Record<string, string> => Object.fromEntries(labels.map((l) => [l.name, l.value]));

/**
 * The scrape URL as seen from elsewhere: a loopback host becomes this machine's name, as
 * Prometheus does with its external URL's host (the port stays).
 */
export function globalUrl(url: string, host = hostname()): string {
  const u = new URL(url);
  const h = u.hostname.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || /^127\./.test(h)) u.hostname = host;
  return u.toString();
}

function activeJson(t: ActiveTarget): Record<string, unknown> {
  return {
    discoveredLabels: labelObject(t.discoveredLabels),
    labels: labelObject(t.labels),
    scrapePool: t.scrapePool,
    scrapeUrl: t.url,
    globalUrl: globalUrl(t.url),
    lastError: t.health.lastError,
    lastScrape: t.health.lastScrape === 0 ? NEVER : new Date(t.health.lastScrape).toISOString(),
    lastScrapeDuration: t.health.lastScrapeDurationMs / 1000,
    health: t.health.health,
    scrapeInterval: formatDuration(t.intervalMs),
    scrapeTimeout: formatDuration(t.timeoutMs),
  };
}

const byPool = <T extends { scrapePool: string }>(list: T[]): T[] => list.sort((a, b) => (a.scrapePool < b.scrapePool ? -1 : a.scrapePool > b.scrapePool ? 1 : 0));

/**
 * `GET /api/v1/targets` (`state` = active | dropped | any, `scrapePool`) and
 * `GET /api/v1/scrape_pools`, shaped as Prometheus': the targets of `scrape_configs` and the
 * self-scrape, with their health. Scrapes write into the default tenant, so other tenants
 * see no targets.
 */
export const targetsEndpoint: PrometheusEndpoint = (app, deps) => {
  app.get('/api/v1/targets', { config: { scope: 'read' } }, async (request) => {
    const p = params(request);
    // As Prometheus: an unknown state lists neither kind (no error).
    const state = param(p, 'state').toLowerCase();
    const pool = param(p, 'scrapePool');
    const view = deps.targets?.(request.tenant);
    const inPool = <T extends { scrapePool: string }>(list: T[]): T[] => byPool(pool === '' ? list : list.filter((t) => t.scrapePool === pool));
    const active = view && (state === '' || state === 'active' || state === 'any') ? inPool(view.active).map(activeJson) : [];
    const dropped = view && (state === '' || state === 'dropped' || state === 'any') ? inPool(view.dropped).map((d) => ({ discoveredLabels: labelObject(d.discoveredLabels) })) : [];
    return success({ activeTargets: active, droppedTargets: dropped });
  });
  app.get('/api/v1/scrape_pools', { config: { scope: 'read' } }, async (request) => success({ scrapePools: [...(deps.targets?.(request.tenant)?.pools ?? [])].sort() }));
};
