import type { FastifyInstance } from 'fastify';
import type { ActiveTarget, DroppedTarget } from '../../pipeline/index.js';
import type { MetricStore } from '../../store/index.js';
import type { PromqlEngine } from '../../query/index.js';

/** A backend answer passed to the client unchanged. */
export interface ForwardedAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * Sends a query request to a remote metric backend's own Prometheus query API, so its
 * engine (Mimir, VictoriaMetrics cluster, Thanos, AMP) runs and scales the query.
 */
export type QueryForwarder = (tenant: string, path: string, params: URLSearchParams) => Promise<ForwardedAnswer>;

/** The scrape targets a tenant sees, for `/api/v1/targets` and `/api/v1/scrape_pools`. */
export interface TargetsView {
  readonly active: ActiveTarget[];
  readonly dropped: DroppedTarget[];
  readonly pools: readonly string[];
}

/** What the Prometheus API endpoints need from the composition root. */
export interface PrometheusApiDeps {
  /** Absent when no metric store is configured: only the status endpoints answer. */
  readonly store: MetricStore | undefined;
  readonly engine: PromqlEngine | undefined;
  readonly version: string;
  readonly startTime: Date;
  /** Prometheus-named flags reported by /api/v1/status/flags. */
  readonly flags: Readonly<Record<string, string>>;
  /** Set when the store is a remote backend: query, query_range and query_exemplars go there. */
  readonly forward?: QueryForwarder;
  /** Scrape targets by tenant; absent (or undefined for a tenant) when nothing scrapes. */
  readonly targets?: (tenant: string) => TargetsView | undefined;
  /** Retention reported by /api/v1/status/runtimeinfo. */
  readonly storageRetention: string;
}

/** One endpoint: a file under endpoints/ registering its route(s). */
export type PrometheusEndpoint = (app: FastifyInstance, deps: PrometheusApiDeps) => void;
