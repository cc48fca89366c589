import { STALE_NAN_HI, STALE_NAN_LO, compareLabelNames, labelsKey, type Label, type Labels, type MetricMetadata } from '../../model/index.js';
import { parseExposition, type FetchResult } from '../../receive/scrape/index.js';
import { relabel, type RelabelRule } from '../relabel/index.js';
import type { ScrapeSink } from './scrape-sink.js';

export interface ScrapeLoopOptions {
  readonly tenant: string;
  readonly labels: Labels;
  readonly intervalMs: number;
  readonly honorLabels: boolean;
  readonly honorTimestamps: boolean;
  readonly metricRelabel: readonly RelabelRule[];
  readonly sampleLimit: number;
  readonly fetch: () => Promise<FetchResult>;
  readonly sink: ScrapeSink;
  readonly onError?: (err: unknown) => void;
  readonly now?: () => number;
}

export interface TargetHealth {
  health: 'unknown' | 'up' | 'down';
  lastError: string;
  lastScrape: number;
  lastScrapeDurationMs: number;
}

interface Row {
  labels: Labels;
  value: number;
  stale: boolean;
  t: number;
}

/**
 * Scrapes one target every interval: fetch, parse, merge target labels (Prometheus'
 * honor_labels / `exported_` rules), metric_relabel_configs, then one append per scrape
 * with the synthetic `up`/`scrape_*` series. Series that vanish since the previous scrape,
 * every series of a failed scrape, and everything at stop() get staleness markers.
 */
export class ScrapeLoop {
  readonly health: TargetHealth = { health: 'unknown', lastError: '', lastScrape: 0, lastScrapeDurationMs: 0 };
  private prev = new Map<string, Labels>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastMetadata = '';
  private readonly now: () => number;

  constructor(private readonly o: ScrapeLoopOptions) {
    this.now = o.now ?? Date.now;
  }

  start(offsetMs: number): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.scrapeOnce().finally(() => (this.running = undefined));
    };
    this.timer = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, this.o.intervalMs);
      this.timer.unref();
    }, offsetMs);
    this.timer.unref();
  }

  /** Stops scraping and marks every series of the target stale (it disappeared). */
  async stop(markStale = true): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (!markStale) return;
    const t = this.now();
    const rows: Row[] = [...this.prev.values()].map((labels) => ({ labels, value: 0, stale: true, t }));
    for (const name of REPORT_NAMES) rows.push({ labels: this.reportLabels(name), value: 0, stale: true, t });
    this.prev.clear();
    await this.write(rows, []).catch((e: unknown) => this.o.onError?.(e));
  }

  async scrapeOnce(): Promise<void> {
    const start = this.now();
    const rows: Row[] = [];
    let scraped = 0;
    let post = 0;
    let added = 0;
    let metadata: MetricMetadata[] = [];
    const current = new Map<string, Labels>();
    try {
      const res = await this.o.fetch();
      const om = res.contentType.toLowerCase().startsWith('application/openmetrics-text');
      const parsed = parseExposition(res.body, om);
      scraped = parsed.samples.length;
      if (this.o.sampleLimit > 0 && scraped > this.o.sampleLimit) throw new Error(`sample limit exceeded (${scraped} > ${this.o.sampleLimit})`);
      metadata = parsed.metadata;
      for (const s of parsed.samples) {
        const labels = relabel(this.mergeTargetLabels(s.labels), this.o.metricRelabel);
        if (!labels || labels.length === 0) continue;
        const key = labelsKey(labels);
        if (current.has(key)) continue; // duplicate line: Prometheus keeps the first
        const explicit = s.timestamp !== undefined && this.o.honorTimestamps;
        if (!explicit) current.set(key, labels);
        if (!this.prev.has(key)) added++;
        rows.push({ labels, value: s.value, stale: false, t: explicit ? s.timestamp! : start });
        post++;
      }
      for (const [key, labels] of this.prev) if (!current.has(key)) rows.push({ labels, value: 0, stale: true, t: start });
      this.prev = current;
      this.health.health = 'up';
      this.health.lastError = '';
    } catch (e) {
      rows.length = 0;
      for (const labels of this.prev.values()) rows.push({ labels, value: 0, stale: true, t: start });
      this.prev = new Map();
      this.health.health = 'down';
      this.health.lastError = (e as Error).message;
      scraped = 0;
      post = 0;
      added = 0;
      metadata = [];
    }
    const duration = this.now() - start;
    this.health.lastScrape = start;
    this.health.lastScrapeDurationMs = duration;
    const up = this.health.health === 'up' ? 1 : 0;
    const report: Array<[string, number]> = [
      ['up', up],
      ['scrape_duration_seconds', duration / 1000],
      ['scrape_samples_scraped', scraped],
      ['scrape_samples_post_metric_relabeling', post],
      ['scrape_series_added', added],
    ];
    for (const [name, value] of report) rows.push({ labels: this.reportLabels(name), value, stale: false, t: start });
    const metaKey = JSON.stringify(metadata);
    const sendMeta = metaKey !== this.lastMetadata && metadata.length > 0;
    try {
      await this.write(rows, sendMeta ? metadata : []);
      if (sendMeta) this.lastMetadata = metaKey;
    } catch (e) {
      // Refused samples (out of order, limits) do not make the target unhealthy; report them.
      this.o.onError?.(e);
    }
  }

  private async write(rows: Row[], metadata: MetricMetadata[]): Promise<void> {
    if (rows.length === 0 && metadata.length === 0) return;
    const series = rows.map((r) => {
      const values = new Float64Array(1);
      if (r.stale) new Uint32Array(values.buffer).set([STALE_NAN_LO, STALE_NAN_HI]);
      else values[0] = r.value;
      return { labels: r.labels, timestamps: Float64Array.of(r.t), values };
    });
    await this.o.sink.append(this.o.tenant, { series, metadata });
  }

  private mergeTargetLabels(scraped: Label[]): Labels {
    const lb = new Map<string, string>();
    for (const l of scraped) lb.set(l.name, l.value);
    const exposed = new Map(lb);
    const target = this.o.labels;
    if (this.o.honorLabels) {
      for (const l of target) if (!exposed.has(l.name)) lb.set(l.name, l.value);
    } else {
      const conflicts: Label[] = [];
      for (const l of target) {
        const existing = exposed.get(l.name);
        if (existing !== undefined && existing !== '') conflicts.push({ name: l.name, value: existing });
        lb.set(l.name, l.value);
      }
      for (const c of conflicts) {
        let name = `exported_${c.name}`;
        while (exposed.has(name) || target.some((l) => l.name === name)) name = `exported_${name}`;
        lb.set(name, c.value);
      }
    }
    const out: Label[] = [];
    for (const [name, value] of lb) if (value !== '') out.push({ name, value });
    return out.sort(compareLabelNames);
  }

  private reportLabels(name: string): Labels {
    const out: Label[] = [{ name: '__name__', value: name }];
    for (const l of this.o.labels) if (l.name !== '__name__') out.push(l);
    return out.sort(compareLabelNames);
  }
}

const REPORT_NAMES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];
