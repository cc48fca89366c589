import { createHash } from 'node:crypto';
import type { Labels } from '../../model/index.js';
import { fetchTarget, type FetchResult } from '../../receive/scrape/index.js';
import { FileDiscovery } from './file-sd.js';
import type { ScrapeJob, TargetGroupInput } from './scrape-config.js';
import { ScrapeLoop, type TargetHealth } from './scrape-loop.js';
import type { ScrapeSink } from './scrape-sink.js';
import { buildTarget, type Target } from './target.js';

export interface ScrapeManagerOptions {
  readonly tenant: string;
  readonly sink: ScrapeSink;
  readonly onError?: (job: string, what: string, err: unknown) => void;
}

/** A target whose exposition comes from inside the process (Ichigen's own registry). */
export interface InternalTarget {
  readonly jobName: string;
  readonly labels: Labels;
  readonly intervalMs: number;
  readonly fetch: () => Promise<FetchResult>;
}

export interface ActiveTarget {
  readonly job: string;
  readonly url: string;
  readonly labels: Labels;
  readonly health: TargetHealth;
}

interface JobState {
  readonly job: ScrapeJob;
  readonly fileGroups: TargetGroupInput[][];
  readonly loops: Map<string, { target: Target; loop: ScrapeLoop }>;
  readonly discoveries: FileDiscovery[];
}

/**
 * Runs `scrape_configs`: discovers targets (static and file-based), relabels them, and keeps
 * one ScrapeLoop per target; targets that disappear get staleness markers.
 */
export class ScrapeManager {
  private readonly jobs: JobState[] = [];
  private readonly internal: ScrapeLoop[] = [];
  private stopped = false;

  constructor(
    private readonly scrapeJobs: readonly ScrapeJob[],
    private readonly opts: ScrapeManagerOptions,
    private readonly internalTargets: readonly InternalTarget[] = [],
  ) {}

  start(): void {
    for (const job of this.scrapeJobs) {
      const state: JobState = { job, fileGroups: job.fileSd.map(() => []), loops: new Map(), discoveries: [] };
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
      this.internal.push(loop);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all: Promise<void>[] = [];
    for (const s of this.jobs) {
      for (const d of s.discoveries) d.stop();
      for (const { loop } of s.loops.values()) all.push(loop.stop(false));
    }
    for (const l of this.internal) all.push(l.stop(false));
    await Promise.all(all);
  }

  activeTargets(): ActiveTarget[] {
    return this.jobs.flatMap((s) => [...s.loops.values()].map(({ target, loop }) => ({ job: s.job.jobName, url: target.url, labels: target.labels, health: loop.health })));
  }

  private reconcile(state: JobState): void {
    if (this.stopped) return;
    const { job } = state;
    const wanted = new Map<string, Target>();
    for (const group of [...job.staticConfigs, ...state.fileGroups.flat()]) {
      for (const address of group.targets) {
        const t = buildTarget(job, address, group.labels);
        if (t) wanted.set(t.key, t);
      }
    }
    for (const [key, { loop }] of state.loops) {
      if (!wanted.has(key)) {
        state.loops.delete(key);
        void loop.stop(true);
      }
    }
    for (const [key, target] of wanted) {
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
      state.loops.set(key, { target, loop });
      // Spread targets over the interval, stable per target (as Prometheus' offset hashing).
      const offset = createHash('md5').update(key).digest().readUInt32BE(0) % Math.max(1, Math.min(job.intervalMs, 5000));
      loop.start(offset);
    }
  }
}
