import { success } from '../envelope.js';
import type { PrometheusEndpoint } from '../deps.js';

/** `GET /api/v1/status/flags`: our settings under the Prometheus flag names they correspond to. */
export const flagsEndpoint: PrometheusEndpoint = (app, deps) => {
  app.get('/api/v1/status/flags', async () => success({ ...deps.flags }));
};
