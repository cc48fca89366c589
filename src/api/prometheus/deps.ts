import type { FastifyInstance } from 'fastify';
import type { MetricStore } from '../../store/index.js';
import type { PromqlEngine } from '../../query/index.js';

/** What the Prometheus API endpoints need from the composition root. */
export interface PrometheusApiDeps {
  /** Absent when no metric store is configured: only the status endpoints answer. */
  readonly store: MetricStore | undefined;
  readonly engine: PromqlEngine | undefined;
  readonly version: string;
  readonly startTime: Date;
  /** Prometheus-named flags reported by /api/v1/status/flags. */
  readonly flags: Readonly<Record<string, string>>;
  /** Retention reported by /api/v1/status/runtimeinfo. */
  readonly storageRetention: string;
}

/** One endpoint: a file under endpoints/ registering its route(s). */
export type PrometheusEndpoint = (app: FastifyInstance, deps: PrometheusApiDeps) => void;
