import { availableParallelism } from 'node:os';
import { success } from '../envelope.js';
import type { PrometheusEndpoint } from '../deps.js';

/** `GET /api/v1/status/runtimeinfo`, with Prometheus' field names filled from this process. */
export const runtimeInfoEndpoint: PrometheusEndpoint = (app, deps) => {
  app.get('/api/v1/status/runtimeinfo', async () =>
    success({
      startTime: deps.startTime.toISOString(),
      CWD: process.cwd(),
      reloadConfigSuccess: true,
      lastConfigTime: deps.startTime.toISOString(),
      corruptionCount: 0,
      goroutineCount: 0,
      GOMAXPROCS: availableParallelism(),
      GOGC: '',
      GODEBUG: '',
      storageRetention: deps.storageRetention,
    }),
  );
};
