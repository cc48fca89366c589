import { createHash } from 'node:crypto';
import type { Labels } from '../../model/index.js';
import { fetchTarget, type FetchResult } from '../../receive/scrape/index.js';
import { FileDiscovery } from './file-sd.js';
import type { ScrapeJob, TargetGroupInput } from './scrape-config.js';
import { ScrapeLoop, type TargetHealth } from './scrape-loop.js';
import type { ScrapeSink } from './scrape-sink.js';
import { buildTarget, type Target } from './target.js';

/** Ichigen's own registry is scraped in-process; the targets view shows it at this path. */
const INTERNAL_METRICS_PATH = '/metrics';

export interface ScrapeManagerOptions {
  readonly tenant: string;
  readonly sink: ScrapeSink;
  readonly onError?: (job: string, what: string, err: unknown) => void;
}

/** A target whose exposition comes from inside the process (Ichigen's own registry). */
export interface InternalTarget {
  readonly jobName: string;
  /** host:port it is reachable at (the main listener), shown as its address. */
  readonly address: string;
  readonly labels: Labels;
  readonly intervalMs: number;
  readonly fetch: () => Promise<FetchResult>;
}

/** A target being scraped, as `/api/v1/targets` shows it. */
export interface ActiveTarget {
  readonly scrapePool: string;
  readonly url: string;
  readonly discoveredLabels: Labels;
  readonly labels: Labels;
  readonly health: Readonly<TargetHealth>;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** A discovered address that relabelling dropped. */
export interface DroppedTarget {
  readonly scrapePool: string;
  readonly discoveredLabels: Labels;
}

interface JobState {
  readonly job: ScrapeJob;
  readonly fileGroups: TargetGroupInput[][];
  readonly loops: Map<string, { target: Target; discoveredLabels: Labels; loop: ScrapeLoop }>;
  dropped: Labels[];
  readonly discoveries: FileDiscovery[];
}

/**
 * Runs `scrape_configs`: discovers targets (static and file-based), relabels them, and keeps
 * one ScrapeLoop per target; targets that disappear get staleness markers.
 */
export class ScrapeManager {
  private readonly jobs: JobState[] = [];
  private readonly internal: Array<{ target: InternalTarget; loop: ScrapeLoop }> = [];
  private stopped = false;

  constructor(
    private readonly scrapeJobs: readonly ScrapeJob[],
    private readonly opts: ScrapeManagerOptions,
    private readonly internalTargets: readonly InternalTarget[] = [],
  ) {}

  start(): void {
    for (const job of this.scrapeJobs) {
      const state: JobState = { job, fileGroups: job.fileSd.map(() => []), loops: new Map(), dropped: [], discoveries: [] };
      this.jobs.push(state);
      job.fileSd.forEach((f, i) => {
        const d = new FileDiscovery(
          f.files,
          f.refreshMs,
          (groups) => {
            state.fileGroups[i] = groups;
            this.reconcile(state);
          },
          (file, err) => this.opts.onError?.(job.jobName, `file_sd ${file}`, err),
        );
        state.discoveries.push(d);
      });
      this.reconcile(state);
      for (const d of state.discoveries) d.start();
    }
    for (const t of this.internalTargets) {
      const loop = new ScrapeLoop({
        tenant: this.opts.tenant,
        labels: t.labels,
        intervalMs: t.intervalMs,
        honorLabels: false,
        honorTimestamps: true,
        metricRelabel: [],
        sampleLimit: 0,
        fetch: t.fetch,
        sink: this.opts.sink,
        onError: (e) => this.opts.onError?.(t.jobName, 'append', e),
      });
      loop.start(Math.min(t.intervalMs, 1000));
      this.internal.push({ target: t, loop });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all: Promise<void>[] = [];
    for (const s of this.jobs) {
      for (const d of s.discoveries) d.stop();
      for (const { loop } of s.loops.values()) all.push(loop.stop(false));
    }
    for (const { loop } of this.internal) all.push(loop.stop(false));
    await Promise.all(all);
  }

  /** The tenant every scrape writes into. */
  get tenant(): string {
    return this.opts.tenant;
  }

  /** Every target being scraped, by scrape pool (job) in configuration order, the in-process one first. */
  activeTargets(): ActiveTarget[] {
    const internal = this.internal.map(({ target: t, loop }): ActiveTarget => {
      const url = `http://${t.address}${INTERNAL_METRICS_PATH}`;
      const discoveredLabels = [{ name: '__address__', value: t.address }, { name: '__metrics_path__', value: INTERNAL_METRICS_PATH }, { name: '__scheme__', value: 'http' }, ...t.labels.filter((l) => l.name === 'job')];
      return { scrapePool: t.jobName, url, discoveredLabels, labels: t.labels, health: loop.health, intervalMs: t.intervalMs, timeoutMs: t.intervalMs };
    });
    const configured = this.jobs.flatMap((s) =>
      [...s.loops.values()].map(({ target, discoveredLabels, loop }): ActiveTarget => ({ scrapePool: s.job.jobName, url: target.url, discoveredLabels, labels: target.labels, health: loop.health, intervalMs: s.job.intervalMs, timeoutMs: s.job.timeoutMs })),
    );
    return [...internal, ...configured];
  }

  /** Discovered addresses that relabel_configs dropped, by scrape pool. */
  droppedTargets(): DroppedTarget[] {
    return this.jobs.flatMap((s) => s.dropped.map((discoveredLabels) => ({ scrapePool: s.job.jobName, discoveredLabels })));
  }

  /** The scrape pools' names (one per job), as `/api/v1/scrape_pools` lists them. */
  scrapePools(): string[] {
    return [...this.internal.map((i) => i.target.jobName), ...this.jobs.map((s) => s.job.jobName)];
  }

  private reconcile(state: JobState): void {
    if (this.stopped) return;
    const { job } = state;
    const wanted = new Map<string, { target: Target; discoveredLabels: Labels }>();
    const dropped: Labels[] = [];
    for (const group of [...job.staticConfigs, ...state.fileGroups.flat()]) {
      for (const address of group.targets) {
        const { target, discoveredLabels } = buildTarget(job, address, group.labels);
        if (target) wanted.set(target.key, { target, discoveredLabels });
        else dropped.push(discoveredLabels);
      }
    }
    state.dropped = dropped;
    for (const [key, { loop }] of state.loops) {
      if (!wanted.has(key)) {
        state.loops.delete(key);
        void loop.stop(true);
      }
    }
    for (const [key, { target, discoveredLabels }] of wanted) {
      if (state.loops.has(key)) continue;
      const loop = new ScrapeLoop({
        tenant: this.opts.tenant,
        labels: target.labels,
        intervalMs: job.intervalMs,
        honorLabels: job.honorLabels,
        honorTimestamps: job.honorTimestamps,
        metricRelabel: job.metricRelabel,
        sampleLimit: job.sampleLimit,
        fetch: () =>
          fetchTarget({
            url: target.url,
            timeoutMs: job.timeoutMs,
            bodyLimit: job.bodySizeLimit,
            ...(job.authorization ? { authorization: job.authorization } : {}),
            ...(job.tls ? { tls: job.tls } : {}),
          }),
        sink: this.opts.sink,
        onError: (e) => this.opts.onError?.(job.jobName, 'append', e),
      });
      state.loops.set(key, { target, discoveredLabels, loop });
      // Spread targets over the interval, stable per target (as Prometheus' offset hashing).
      const offset = createHash('md5').update(key).digest().readUInt32BE(0) % Math.max(1, Math.min(job.intervalMs, 5000));
      loop.start(offset);
    }
  }
}
