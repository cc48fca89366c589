import type { PrometheusEndpoint } from '../deps.js';
import { success } from '../envelope.js';
import { params } from '../params.js';
import { matchersParam, rangeParams, seriesLimitParam, truncate } from './series-params.js';
import { requireStore } from './require-store.js';

/** `GET|POST /api/v1/labels`: label names of the matching series (all series without `match[]`). */
export const labelsEndpoint: PrometheusEndpoint = (app, deps) => {
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/labels',
    config: { scope: 'read' },
    handler: async (request) => {
      const p = params(request);
      const selectors = matchersParam(p);
      const { start, end } = rangeParams(p);
      const limit = seriesLimitParam(p);
      const names = await requireStore(deps)
        .querier(request.tenant)
        .labelNames({ selectors, start, end, limit: limit > 0 ? limit + 1 : 0 });
      const { items, warnings } = truncate(names, limit);
      return success(items, warnings);
    },
  });
};
