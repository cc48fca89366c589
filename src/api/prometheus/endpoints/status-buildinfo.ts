import { success } from '../envelope.js';
import type { PrometheusEndpoint } from '../deps.js';

/**
 * `GET /api/v1/status/buildinfo`. The version is the Prometheus version whose semantics we
 * serve (Grafana enables features by it); `features` is left out so Grafana treats us as
 * plain Prometheus, not Mimir/Cortex. Our own version is in `revision`.
 */
export const buildInfoEndpoint: PrometheusEndpoint = (app, deps) => {
  app.get('/api/v1/status/buildinfo', async () =>
    success({
      version: deps.engine?.options.compatibility === 'prometheus2' ? '2.42.0' : '3.0.0',
      revision: `ichigen-${deps.version}`,
      branch: 'ichigen',
      buildUser: 'ichigen',
      buildDate: '',
      goVersion: `node${process.versions.node}`,
    }),
  );
};
